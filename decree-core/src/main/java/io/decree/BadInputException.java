package io.decree;

/**
 * The user's input (model file, input spec, image folder, flags) cannot be scanned. The message is
 * meant for a person: it names the file and says what is wrong with it.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
