package io.decree.worker;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/** {@code decree.worker.*}: where the CLI is, the scan limits and the detector settings (see application.properties). */
@ConfigMapping(prefix = "decree.worker")
public interface WorkerSettings {
    String cliHome();

    String javaOpts();

    String workDir();

    /** A scan running longer is killed and reported as ScanFailed. */
    Duration scanTimeout();

    /**
     * What one request may take besides its scan: the model's download, the evidence upload, publishing the result.
     * A request in hand longer than scan-timeout plus this is stuck outside the scan ({@link ScanWatch}).
     */
    @WithDefault("10m")
    Duration transferAllowance();

    Map<String, String> shadowSets();

    /** How often a running scan's progress is checked and, when it moved, published on {@code scan-progress}. */
    @WithDefault("15s")
    Duration progressEvery();

    double threshold();

    int steps();

    int batch();

    int maxImages();

    long seed();

    int maskGrid();

    /** Window starts of the search, N x N (0: the paper's single uniform start); the main cost knob. */
    @WithDefault("5")
    int windowGrid();

    /** Shadow images kept out of the search to confirm each trigger (at most a fifth of the set; 0: off, the paper's). */
    @WithDefault("0")
    int holdout();

    /** Similarity on embeddings centred on the clean images' mean (false: the paper's plain cosine, the CLI default). */
    @WithDefault("false")
    boolean center();

    @WithDefault("auto")
    String device();

    /**
     * CPU threads libtorch may use in one scan (OMP/MKL intra-op; 0: libtorch's default, all cores). Set it to
     * cores / scans running on the host: oversubscribed OpenMP threads spin against each other and two scans on
     * two cores with the default ran ten times slower each, not two (bench-out/scaling).
     */
    @WithDefault("0")
    int torchThreads();

    /**
     * The search of a differential scan (an event with a baseModel): a preset of the CLI's {@code --search}. fast: the
     * search the reference ratio was fitted with (docs/detector.md); the model and its base are both scanned with it.
     */
    String differentialSearch();

    /**
     * The settings that change a verdict, in a fixed order: hashed into the scan key. A differential scan adds its base
     * and search; without one the string is what it was before bases existed, so earlier scan ids stay valid.
     */
    default String canonical(String shadowSet, Map<String, Object> inputSpec, String baseModel) {
        return canonical(shadowSet, inputSpec) + (baseModel == null ? "" : ";base=" + baseModel + ";search=" + differentialSearch());
    }

    /** {@link #canonical(String, Map, String)} without a base. */
    default String canonical(String shadowSet, Map<String, Object> inputSpec) {
        return detector() + ";shadow=" + shadowSet + ";spec=" + (inputSpec == null ? "sidecar" : new TreeMap<>(inputSpec));
    }

    /** The detector's own settings, whatever the request: the start of every scan's canonical string. */
    default String detector() {
        return "threshold=" + threshold() + ";steps=" + steps() + ";batch=" + batch() + ";maxImages=" + maxImages()
                + ";seed=" + seed() + ";maskGrid=" + maskGrid() + ";windowGrid=" + windowGrid()
                // Only when on, so that the scan ids of earlier scans (made without a holdout) stay valid.
                + (holdout() > 0 ? ";holdout=" + holdout() : "")
                // Always, unlike holdout: keys without it were centred scans, which a plain-cosine scan must not reuse.
                + ";center=" + center();
    }

    /**
     * What a worker announces (WorkerStarted) and stamps on each result: the detector settings and the differential
     * search. A worker whose string (or version) differs from an encoder's latest verdict's rescans it.
     */
    default String announced() {
        return detector() + ";differentialSearch=" + differentialSearch();
    }
}
