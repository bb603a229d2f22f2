package io.decree.events;

import java.util.List;

/**
 * A detector worker joined its group: from now on scans may come from this detector version and these settings. The
 * report service answers it by rescanning, at a bounded rate, every encoder whose latest verdict came from another
 * detector (issue 18: old verdicts are suspect exactly when the detector improves).
 *
 * @param sha256          the detector's identity: the SHA-256 of {@code detectorVersion} and {@code settings}
 *                        ({@link #idOf}); the CloudEvent's subject and record key, as an encoder's hash is for the other
 *                        events; {@link ScanCompleted#detectorId()} names the same
 * @param workerId        which worker (host and process), for people
 * @param detectorVersion the worker's version
 * @param settings        the settings that change a verdict, as the worker hashes them (threshold, search, ...)
 * @param shadowSets      the shadow-image sets this worker offers
 */
public record WorkerStarted(String sha256, String workerId, String detectorVersion, String settings, List<String> shadowSets)
        implements EventData {
    public static final String TYPE = "io.decree.worker.started.v1";

    public WorkerStarted {
        if (!sha256.equals(idOf(detectorVersion, settings))) {
            throw new IllegalArgumentException("sha256 must be the hash of detectorVersion and settings");
        }
    }

    /** The detector's identity: one per version and settings, whichever worker runs it. */
    public static String idOf(String detectorVersion, String settings) {
        return ScanKey.sha256("detector=" + detectorVersion + "\n" + settings);
    }
}
