package io.decree.events;

/**
 * An encoder's verdict is not what it was: a later scan of the same kind (plain, or against the same base) reached the
 * other verdict — after a detector upgrade, a new configuration or a rescan. Raised once per such scan; the alert of an
 * encoder that turned trojaned follows on {@link Topics#BACKDOOR_ALERTS} as for any trojaned verdict.
 *
 * @param previousScanId the scan whose verdict is superseded, with its verdict, detector version and configuration
 * @param scanId         the scan that changed it
 * @param baseModel      the base both scans judged against (differential scans), or null for plain scans
 */
public record VerdictChanged(String sha256, String name, String previousScanId, String previousVerdict,
        String previousDetectorVersion, String previousConfigHash, String scanId, String verdict, String detectorVersion,
        String configHash, String baseModel) implements EventData {
    public static final String TYPE = "io.decree.verdict.changed.v1";

    /** Whether the encoder went from clean to trojaned (the change a security team acts on). */
    public boolean turnedTrojaned() {
        return ScanCompleted.TROJANED.equals(verdict) && !ScanCompleted.TROJANED.equals(previousVerdict);
    }
}
