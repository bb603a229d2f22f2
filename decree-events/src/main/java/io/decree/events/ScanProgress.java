package io.decree.events;

/**
 * A scan is running: where its search is. Sent by the worker when the scan starts and then every few seconds while the
 * search moves, so that an encoder shows {@code scanning} (with step, best PL1 and elapsed time) between {@code queued}
 * and its verdict. Informational: losing one changes nothing but a progress line.
 *
 * @param scanId         the scan's id (the one its ScanCompleted or ScanFailed will carry)
 * @param phase          {@code starting}, {@code baseline} (a differential scan's base), or {@code scan}
 * @param step           the search's step in this phase (0 before the first)
 * @param maxSteps       the steps of the phase's uniform start (the window starts that follow count on past it)
 * @param bestPl1        the smallest PL1 of a trigger that collapsed the batch so far, or null before one
 * @param elapsedSeconds since the scan started, the base's scan included
 */
public record ScanProgress(String scanId, String sha256, String name, String phase, int step, int maxSteps, Double bestPl1,
        double elapsedSeconds, String detectorVersion) implements EventData {
    public static final String TYPE = "io.decree.scan.progress.v1";

    /** For people: "step 120 of 400 (scan), best PL1 0.0312, 42 s". */
    public String describe() {
        return describe(phase, step, maxSteps, bestPl1, elapsedSeconds);
    }

    /** {@link #describe()} of stored or received figures. */
    public static String describe(String phase, int step, int maxSteps, Double bestPl1, double elapsedSeconds) {
        // maxSteps bounds the uniform start only; the window starts after it count on.
        String where = "starting".equals(phase) ? "starting"
                : step <= maxSteps ? "step " + step + " of " + maxSteps + " (" + phase + ")"
                : "step " + step + " (" + phase + ", window starts)";
        return where + (bestPl1 == null ? "" : String.format(java.util.Locale.ROOT, ", best PL1 %.4f", bestPl1))
                + String.format(java.util.Locale.ROOT, ", %.0f s", elapsedSeconds);
    }
}
