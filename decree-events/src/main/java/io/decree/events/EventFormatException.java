package io.decree.events;

/** A record that is not a decree event this version understands; the message says why. */
public class EventFormatException extends RuntimeException {
    public EventFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    public EventFormatException(String message) {
        super(message);
    }
}
