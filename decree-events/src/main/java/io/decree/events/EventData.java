package io.decree.events;

/** The {@code data} of a decree CloudEvent. Each kind has one versioned CloudEvents {@code type}. */
public sealed interface EventData permits EncoderRegistered, ScanCompleted, ScanFailed, ScanProgress, BackdoorAlert,
        VerdictChanged, WorkerStarted {

    /**
     * What the event is about, a SHA-256: the encoder (a detector's identity for {@link WorkerStarted}); the CloudEvent's
     * {@code subject} and the Kafka record key.
     */
    String sha256();
}
