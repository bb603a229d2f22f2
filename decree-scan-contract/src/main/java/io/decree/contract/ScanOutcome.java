package io.decree.contract;

import java.nio.file.Path;

/**
 * What the worker reads back from a scan's {@code report.json}: the verdict and the figures its event carries. The
 * report holds much more (phases, starts, the curve: the detector's ScanReport); those stay in the evidence. A test in
 * decree-cli reads a real report through this record, so that a renamed report field fails there, not in production.
 *
 * @param verdict     {@code clean} or {@code trojaned}
 * @param decision    which rule decided and the score it compared (null from a detector before rules were named)
 * @param imagePasses images through the encoder's forward and backward, the whole search
 */
public record ScanOutcome(String verdict, Decision decision, double pl1Norm, double threshold, double similarity, int steps,
        double seconds, long imagePasses, long seed, String device) {

    public static final String CLEAN = "clean";
    public static final String TROJANED = "trojaned";
    /**
     * How the phase opens in which the window probes went on apart after their joint pass ran out of device memory
     * (the detector's TriggerInversion names it so, with the pass's size).
     */
    public static final String PROBES_APART_PHASE = "window probes apart";

    public ScanOutcome {
        if (!CLEAN.equals(verdict) && !TROJANED.equals(verdict)) {
            throw new IllegalArgumentException("verdict must be clean or trojaned, got " + verdict);
        }
    }

    /** @param rule pl1, accepted-pl1 or reference-ratio; @param score the figure it compared with its threshold */
    public record Decision(String rule, Double score) {
    }

    /**
     * Whether a report says its window probes ran out of device memory together and went on apart: the device is short
     * for them, the verdict stands. Read apart from the record, leniently: a report without phases (an older detector's
     * stored evidence) says no, and is not refused for it.
     */
    public static boolean probesFellBack(String reportJson) {
        try {
            for (com.fasterxml.jackson.databind.JsonNode p : ContractJson.JSON.readTree(reportJson).path("phases")) {
                if (p.path("name").asText("").startsWith(PROBES_APART_PHASE)) {
                    return true;
                }
            }
            return false;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("not a report: " + e.getOriginalMessage(), e);
        }
    }

    public String rule() {
        return decision == null ? null : decision.rule();
    }

    public Double score() {
        return decision == null ? null : decision.score();
    }

    /** @throws IllegalArgumentException naming the file when it is not a report */
    public static ScanOutcome read(Path reportJson) {
        return ContractJson.read(reportJson, ScanOutcome.class);
    }

    public static ScanOutcome parse(String reportJson) {
        return ContractJson.parse(reportJson, ScanOutcome.class);
    }
}
