package io.decree.events;

/** Kafka topic names: each says what happened. Every event is keyed by the encoder's SHA-256. */
public final class Topics {
    /** An encoder landed in the bucket and waits for a scan. */
    public static final String ENCODER_REGISTERED = "encoder-registered";
    /** A scan ended: {@link ScanCompleted} or {@link ScanFailed}. */
    public static final String SCAN_RESULTS = "scan-results";
    /** {@link ScanProgress} of the scans running: an encoder's {@code scanning} state. */
    public static final String SCAN_PROGRESS = "scan-progress";
    /** One {@link BackdoorAlert} per trojaned encoder and detector version, for security tooling. */
    public static final String BACKDOOR_ALERTS = "backdoor-alerts";
    /** A {@link VerdictChanged} whenever a later scan of an encoder reaches the other verdict. */
    public static final String VERDICT_CHANGES = "verdict-changes";
    /** A {@link WorkerStarted} from each detector worker as it joins: which detector version and settings now scan. */
    public static final String DETECTOR_WORKERS = "detector-workers";
    /** MinIO's own S3-event JSON for objects created in the bucket (not a decree event), read by ingest-service. */
    public static final String BUCKET_NOTIFICATIONS = "bucket-notifications";
    /** Records of a topic that could not be parsed or handled go to {@code <topic>.dlq}, with the reason in a header. */
    public static final String DEAD_LETTER_SUFFIX = ".dlq";
    /** The header SmallRye's dead-letter strategy writes the failure's message to. */
    public static final String REASON_HEADER = "dead-letter-reason";

    private Topics() {
    }

    public static String deadLetter(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }
}
