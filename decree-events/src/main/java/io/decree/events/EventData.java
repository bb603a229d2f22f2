package io.decree.events;

/** The {@code data} of a decree CloudEvent. Each kind has one versioned CloudEvents {@code type}. */
public sealed interface EventData permits EncoderRegistered, ScanCompleted, ScanFailed, BackdoorAlert, VerdictChanged {

    /** The encoder the event is about: the CloudEvent's {@code subject} and the Kafka record key. */
    String sha256();
}
