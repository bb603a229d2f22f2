package io.decree.events;

/**
 * A scan could not reach a verdict.
 *
 * @param reason     what went wrong, for a person (bad input, crash with exit code, time limit)
 * @param retryable  whether the same request may succeed later (a lost store), or never will (a corrupt model)
 * @param detectorId the SHA-256 of the detector version and settings that tried ({@link WorkerStarted#sha256()}); null
 *                   from a worker before v1 carried it
 */
public record ScanFailed(String scanId, String sha256, String name, String reason, boolean retryable,
        String detectorVersion, String configHash, String detectorId) implements EventData {
    public static final String TYPE = "io.decree.scan.failed.v1";

    /** Without the detector's id (as before v1 carried it). */
    public ScanFailed(String scanId, String sha256, String name, String reason, boolean retryable, String detectorVersion,
            String configHash) {
        this(scanId, sha256, name, reason, retryable, detectorVersion, configHash, null);
    }
}
