package io.decree.events;

/**
 * A scan could not reach a verdict.
 *
 * @param reason     what went wrong, for a person (bad input, crash with exit code, time limit)
 * @param retryable  whether the same request may succeed later (a lost store), or never will (a corrupt model)
 */
public record ScanFailed(String scanId, String sha256, String name, String reason, boolean retryable,
        String detectorVersion, String configHash) implements EventData {
    public static final String TYPE = "io.decree.scan.failed.v1";
}
