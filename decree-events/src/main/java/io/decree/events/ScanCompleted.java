package io.decree.events;

import java.util.List;

/**
 * A scan ran to the end and reached a verdict.
 *
 * @param scanId        deterministic id of (sha256, detector version, config hash): a redelivery gives the same id
 * @param verdict       {@code clean} or {@code trojaned}
 * @param evidenceKeys  object keys in {@code bucket} of report.json and the mask/pattern/trigger/stamped PNGs
 * @param rule          which rule decided ({@code pl1}, {@code accepted-pl1}, {@code base-contrast-base-ratio}, {@code base-contrast}, {@code reference-ratio}: report.json's
 *                      decision), null from a detector before rules were named
 * @param score         the figure the rule compared with its threshold (for reference-ratio, the model's accepted PL1 over
 *                      the base's), null with {@code rule}
 * @param baseModel     the upstream checkpoint a differential scan judged against (its sha256), or null
 * @param detectorId    the SHA-256 of the detector version and settings that judged ({@link WorkerStarted#sha256()}): a
 *                      worker of another one rescans this encoder; null from a worker before v1 carried it
 */
public record ScanCompleted(String scanId, String sha256, String name, String verdict, double pl1Norm, double threshold,
        double similarity, int steps, double seconds, long seed, String detectorVersion, String configHash,
        String device, String bucket, List<String> evidenceKeys, String rule, Double score, String baseModel, String detectorId) implements EventData {
    public static final String TYPE = "io.decree.scan.completed.v1";

    /** Without the detector's id (as before v1 carried it). */
    public ScanCompleted(String scanId, String sha256, String name, String verdict, double pl1Norm, double threshold,
            double similarity, int steps, double seconds, long seed, String detectorVersion, String configHash,
            String device, String bucket, List<String> evidenceKeys, String rule, Double score, String baseModel) {
        this(scanId, sha256, name, verdict, pl1Norm, threshold, similarity, steps, seconds, seed, detectorVersion, configHash, device,
                bucket, evidenceKeys, rule, score, baseModel, null);
    }
    public static final String TROJANED = "trojaned";
    public static final String CLEAN = "clean";

    public boolean trojaned() {
        return TROJANED.equals(verdict);
    }
}
