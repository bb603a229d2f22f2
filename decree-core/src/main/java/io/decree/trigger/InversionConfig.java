package io.decree.trigger;

import io.decree.contract.ScanSettings;

/**
 * The knobs of trigger inversion. Defaults follow the DECREE reference (GiantSeaweed/DECREE,
 * main.py) unless the comment says otherwise; see docs/detector.md "The algorithm, and every constant" for the reasoning.
 *
 * @param maxSteps          optimisation steps at most (ours: the reference runs epochs until early stop;
 *                          a cap keeps a scan's time bounded)
 * @param batchSize         images per step (reference: 32 for ImageNet-size encoders)
 * @param learningRate      Adam step size (ours: 0.1, measured; the reference's 0.5 oscillates
 *                          on our 50-image shadow sets, and DATA.md's independent run used 0.1)
 * @param beta1             Adam beta1 (reference: 0.5)
 * @param beta2             Adam beta2 (reference: 0.9)
 * @param similarityTarget  mean cosine a trigger must reach to count (reference: 0.99)
 * @param lambdaInit        initial weight of the L1 term at 32x32, scaled by 1024/(H*W) for other sizes
 *                          (reference: 1e-3, its CIFAR setting; see LambdaController.forImage)
 * @param lambdaFactor      lambda is multiplied/divided by this (reference: 5)
 * @param lambdaPatience    steps on one side of the target before lambda moves (reference: 5)
 * @param lambdaMin         below this lambda is not lowered further; a success there resets it
 *                          (reference: 1e-5 at 32x32, scaled like lambdaInit)
 * @param earlyStopPatience steps without a smaller successful mask before stopping (reference: 35
 *                          for ImageNet-size encoders)
 * @param seed              seeds the trigger's initial values and the batch order
 * @param centerEmbeddings  measure similarity on embeddings minus the clean shadow images' mean
 *                          embedding (ours, default off: the reference's plain cosine separated the
 *                          evaluation zoo better, accuracy 0.958 vs 0.917; see TriggerLoss)
 * @param maskGrid          the mask is optimised on about maskGrid x maskGrid cells, each cell a
 *                          square of pixels (0: one value per pixel). Ours, default 32: at the
 *                          paper's 32x32 CIFAR resolution this is its per-pixel mask; on larger
 *                          images a per-pixel mask finds "dust", a sparse adversarial speckle over
 *                          the whole image, before a compact backdoor patch (measured on the face
 *                          encoder trojaned with a 24px patch whose exact trigger gives similarity
 *                          0.9994: per-pixel search found dust of PL1 0.028-0.041, never the patch)
 * @param windowGrid        ours, default 5: besides the paper's uniform start, start from windowGrid x
 *                          windowGrid overlapping windows (see MaskStart; 0: the paper's single start
 *                          only). Measured on bad-r16-mnist-white4-c: PL1 0.117 with no windows, 0.117
 *                          with a 3x3 grid, 0.051 with 4x4, 0.034 with 5x5 (clean MNIST encoders 0.038-0.042)
 * @param windowProbeSteps  ours, default 30: steps every window start is given before they are ranked
 *                          by their smallest successful mask
 * @param windowsKept       ours, default 2: how many of the ranked window starts are carried on
 * @param windowSteps       ours, default 200: steps at most of a window start that is carried on
 * @param holdout           ours, default 0 (off, the paper's): shadow images kept out of the optimisation
 *                          (at most a fifth of the set); a trigger counts only if it also collapses these
 *                          to the target. Off because, measured on the zoo's boundary encoders, it raised
 *                          trojans' PL1 more than clean ones' (bad-r16-mnist-white4-c 0.034 -> 0.042,
 *                          clean simclr-r16-mnist 0.038 -> 0.036; docs/eval/variants.md)
 * @param acceptOnShadowSet ours, default off: whether the accepted trigger (the smallest that also collapses the
 *                          whole shadow set, forward only, see CollapseCheck) is the answer instead of the paper's
 *                          smallest batch success. Both are measured on every scan (Acceptance). Off until a
 *                          threshold for the accepted figure is fitted on the zoo with the real encoders: at the
 *                          batch figure's 0.015 it misses boundary trojans (a 5px patch on 32px photos: 0.0195)
 * @param stopBelow         ours, 0 = off: end the search as soon as the figure that decides (the accepted PL1 with
 *                          acceptOnShadowSet, else the batch PL1) is below this, checked at every step (with
 *                          acceptOnShadowSet, a new trigger below it is tested on the whole shadow set at spaced steps) and
 *                          after each start: no later trigger can raise it, so the verdict can no longer change. The
 *                          scanner sets it to the decision threshold; the report says the search stopped at the verdict.
 *                          With {@code wholeSearch} it is only the level below which new triggers are tested in the run.
 * @param baseCollapseLimit ours, default 0.5, used only in a search contrasted with a base (a differential scan): a
 *                          trigger counts only if the base's stamped images keep a centred mean pairwise cosine below
 *                          this (clean images near 0, one point 1): half-way to collapse at most. Centred, because the
 *                          plain cosine's clean level differs by domain (0.59 on MNIST, 0.84 on faces): measured as a
 *                          share of the way from it, BadEncoder's own 10x10 trigger moved the MNIST base exactly half-way
 *                          (0.79 from 0.59) while its centred cosine was 0.39 (docs/eval/contrast.md).
 * @param probeBatch        ours, 0 = the search's batch: images per step of a window probe. Below the batch, the probes
 *                          are ranked on one common batch of shadow images (forward only) instead of each probe's own
 *                          last batches, which a small batch makes noisy; a carried window goes on at the full batch.
 *                          A window's rank needs about 30 probe steps (docs/eval/base-ratio-cheaper.md), not 30 full
 *                          batches: Adam moves the pattern as far per step on 4 images as on 32.
 * @param wholeSearch       ours, default off ({@code --no-stop-at-verdict}, evaluations): every start runs to its end even
 *                          once the verdict is known, while triggers below {@code stopBelow} are still tested on the whole
 *                          shadow set as they come, as a stopped search tests them. So a whole search never accepts
 *                          less than the same search stopped at the verdict: the final acceptance bisects each start's
 *                          candidates, and which of them hold need not be monotone in their size (stop 28: a 10x10
 *                          trojan's whole search accepted nothing where the stopped one had accepted 0.0754).
 * @param probesTogetherImages ours ({@code --probes-together}): step the window probes in lockstep, a step of several
 *                          probes in one forward and backward pass through the encoder, at most this many images a pass
 *                          (25 probes of 4 images: one pass of 100), instead of one probe after the other. The same
 *                          arithmetic per probe (each image's embedding is its own in eval mode) in fewer, larger passes;
 *                          a search stopped at its verdict by a probe's trigger stops at that joint step, with every
 *                          probe's steps so far. 0: one after the other; {@link #PROBES_TOGETHER_AUTO} (the default): by
 *                          the device the scan runs on ({@link #probesTogetherOn}), which a report records resolved.
 * @param probeRounds       ours, default 1 (lean: 3): window probes ranked on a common batch are run in this many
 *                          rounds of about {@code windowProbeSteps / probeRounds} steps (at most one round a step), and
 *                          after every round but the last only the best third by the ranking go on (successive halving,
 *                          Jamieson and Talwalkar 2016, with Hyperband's keep-a-third; at least {@code windowsKept}). A
 *                          probe that goes on makes exactly the steps it makes in one round, so the window carried is the
 *                          one-round search's whenever that window stays in the best third after each round. Probes
 *                          ranked by their own batches take one round.
 */
public record InversionConfig(int maxSteps, int batchSize, double learningRate, double beta1, double beta2,
        double similarityTarget, double lambdaInit, double lambdaFactor, int lambdaPatience, double lambdaMin,
        int earlyStopPatience, long seed, boolean centerEmbeddings, int maskGrid, int windowGrid, int windowProbeSteps,
        int windowsKept, int windowSteps, int holdout, boolean acceptOnShadowSet, double stopBelow, double baseCollapseLimit,
        boolean wholeSearch, int probeBatch, int probesTogetherImages, int probeRounds) {

    /** The settings a worker may change, with their defaults: the scan contract's. */
    private static final ScanSettings SETTINGS = ScanSettings.DEFAULTS;
    public static final int DEFAULT_STEPS = ScanSettings.DEFAULT_STEPS;
    public static final int DEFAULT_BATCH = ScanSettings.DEFAULT_BATCH;
    public static final long DEFAULT_SEED = SETTINGS.seed();
    public static final int DEFAULT_WINDOW_GRID = SETTINGS.windowGrid();
    public static final int DEFAULT_HOLDOUT = SETTINGS.holdout();
    public static final int DEFAULT_PROBE_STEPS = 30;
    public static final int DEFAULT_WINDOWS_KEPT = 2;
    public static final int DEFAULT_WINDOW_STEPS = 200;
    /** {@link #fast()}'s settings. */
    public static final int FAST_STEPS = 200;
    public static final int FAST_BATCH = 16;
    public static final int FAST_PROBE_STEPS = 10;
    public static final int FAST_WINDOWS_KEPT = 1;
    public static final int FAST_WINDOW_STEPS = 120;
    /** {@link #quick()}'s settings. */
    public static final int QUICK_STEPS = 150;
    public static final int QUICK_PROBE_STEPS = 6;
    public static final int QUICK_WINDOWS_KEPT = 1;
    /** {@link #lean()}'s images per window-probe step. */
    public static final int LEAN_PROBE_BATCH = 4;
    /** {@link #lean()}'s rounds of window probes ({@link #probeRounds}). */
    public static final int LEAN_PROBE_ROUNDS = 3;
    /**
     * After a round of window probes, one in this many goes on (rounded up): successive halving's eta as Hyperband sets it
     * (Li et al., JMLR 2018), a general default, not fitted on the zoo.
     */
    public static final int PROBE_ROUND_KEEP_ONE_IN = 3;
    public static final double DEFAULT_BASE_COLLAPSE_LIMIT = 0.5;
    /** {@link #probesTogetherImages}: chosen by the device the scan runs on. */
    public static final int PROBES_TOGETHER_AUTO = -1;
    /**
     * Images at most in one joint pass of the window probes on a GPU, when not named: the lean search's 25 probes of 4 in
     * one pass. Measured on an H200 (docs/eval/gpu.md, stop 44): the probes' phase 2.0-2.3x faster, the lean scan 1.4x
     * (MobileNetV2 26.1 s to 18.2 s, median of three), for 10.4 GB of GPU memory instead of 2.2; the default search's
     * 800 probe images in one pass took 75 GB for 1.15x, so larger groups are split into passes of at most this many.
     * On a CPU the probes stay apart: one pass of 100 images was no faster on 2 cores, and slower at 150 px
     * (docs/eval/probes-together.md).
     */
    public static final int GPU_PROBES_TOGETHER_IMAGES = 100;

    public InversionConfig {
        if (maxSteps < 1) {
            throw new IllegalArgumentException("steps must be at least 1");
        }
        if (batchSize < 2) {
            throw new IllegalArgumentException("batch size must be at least 2 (similarity needs pairs)");
        }
        if (!(similarityTarget > 0 && similarityTarget < 1)) {
            throw new IllegalArgumentException("similarity target must lie in (0,1)");
        }
        if (windowGrid < 0 || windowProbeSteps < 1 || windowsKept < 0 || windowSteps < windowProbeSteps) {
            throw new IllegalArgumentException("window starts: grid >= 0, probe steps >= 1, kept >= 0, steps >= probe steps");
        }
        if (probeBatch < 0 || probeBatch == 1) {
            throw new IllegalArgumentException("probe batch must be 0 (the search's batch) or at least 2");
        }
        if (probeRounds == 0) {
            probeRounds = 1; // read from a report written before the setting existed
        }
        if (probeRounds < 1) {
            throw new IllegalArgumentException("probe rounds must be at least 1");
        }
        if (probesTogetherImages < PROBES_TOGETHER_AUTO) {
            throw new IllegalArgumentException("probes together: images per pass >= 0, or -1 (by device)");
        }
        if (holdout < 0) {
            throw new IllegalArgumentException("held-out images must be >= 0");
        }
        if (!(stopBelow >= 0 && stopBelow <= 1)) {
            throw new IllegalArgumentException("stopBelow must lie in [0,1] (0: off)");
        }
        if (baseCollapseLimit == 0) {
            baseCollapseLimit = DEFAULT_BASE_COLLAPSE_LIMIT; // read from a report written before the setting existed
        }
        if (!(baseCollapseLimit > 0 && baseCollapseLimit < 1)) {
            throw new IllegalArgumentException("baseCollapseLimit must lie in (0,1)");
        }
    }

    public static InversionConfig defaults() {
        return new InversionConfig(DEFAULT_STEPS, DEFAULT_BATCH, 0.1, 0.5, 0.9, 0.99, 1e-3, 5.0, 5, 1e-5, 35, DEFAULT_SEED,
                SETTINGS.center(), SETTINGS.maskGrid(),
                DEFAULT_WINDOW_GRID, DEFAULT_PROBE_STEPS, DEFAULT_WINDOWS_KEPT, DEFAULT_WINDOW_STEPS, DEFAULT_HOLDOUT, false, 0,
                DEFAULT_BASE_COLLAPSE_LIMIT, false, 0, PROBES_TOGETHER_AUTO, 1);
    }

    /**
     * The fast search (ours, measured on the wider zoo, docs/detector.md "A search 5x cheaper"): batches of 16, the
     * uniform start capped at 200 steps, window probes of 10 steps and one carried window of at most 120: at most 8,960
     * image-passes per scan instead of 47,680. Its batch figure is looser (small triggers' batch PL1s rise past 0.015),
     * its accepted figure separates better (clean encoders' small batch shortcuts fail on the whole shadow set); the
     * calibrated rule ({@code io.decree.scan.Reference}) was fitted with it.
     */
    public static InversionConfig fast() {
        return defaults().toBuilder().batchSize(FAST_BATCH).steps(FAST_STEPS).windowProbeSteps(FAST_PROBE_STEPS)
                .windowsKept(FAST_WINDOWS_KEPT).windowSteps(FAST_WINDOW_STEPS).build();
    }

    /**
     * The quick search (ours, stop 28, docs/eval/contrast.md "The quick search"): the default search's batch, learning rate,
     * starts and carried-window length, with the uniform start capped at 150 steps, window probes of 6 steps and one
     * carried window: at most 494 steps (15,808 image-passes) instead of 1,490. Chosen from the step-by-step curves of the
     * zoo's default contrasted scans, where a start's trajectory depends only on its own seed and batches: every trojan's
     * first accepted trigger below the contrast threshold came by step 81 of the uniform start, or from a window that
     * the 6-step ranking put first (7 of 7), by its step 152; a carried window keeps the default's 200 steps because the
     * first run with 86 missed BadEncoder's 10x10 on MNIST (its window's batch triggers held on the whole shadow set only
     * after step 100). Measured contrasted on the 30 fine-tuned encoders: every trojan caught at 4.7x fewer image-passes
     * at most, but the face control flagged (an 11 % shortcut in a window the default search ranks out), so it is an
     * option, not the contrasted scan's default.
     */
    public static InversionConfig quick() {
        return defaults().toBuilder().steps(QUICK_STEPS).windowProbeSteps(QUICK_PROBE_STEPS).windowsKept(QUICK_WINDOWS_KEPT)
                .build();
    }

    /**
     * The lean search (ours, stop 38, docs/eval/base-ratio-lean.md), the base ratio's contrasted search: the fast search's
     * batch of 16, uniform start of 200 steps and one carried window, with the default's 30 steps per window probe but on
     * 4 images each, ranked on one common batch, and the default's 200-step carried window: at most 8,920 image-passes
     * through the model until stop 46 (a contrasted search adds the base's backward pass while its hinge is active). The
     * fast search's 10 probe steps do not rank a 10x10 trigger's window first (it came 8th on the MNIST trojan); 30 steps
     * do, and Adam moves the pattern as far per step on 4 images as on 32, so the 25 probes cost 3,000 image-passes (fast:
     * 4,000, default: 24,000). Its own short search misses a clean base's smallest trigger now and then (0.35 of the image where the default finds 0.10), so the base's own scan, the ratio's
     * yardstick, stays the default search ({@code Scanner.yardstickSearch}), once per base. Since stop 46 its probes run in
     * {@link #LEAN_PROBE_ROUNDS} rounds of 10 steps, the best third by gain going on (25, 9, then 3 probes: 1,480
     * image-passes instead of 3,000, at most 7,400 a scan): a 10x10 window that a 10-step ranking put 8th stays in, and
     * a window that goes on makes the same 30 steps (docs/eval/probe-rounds.md).
     */
    public static InversionConfig lean() {
        return fast().toBuilder().probeBatch(LEAN_PROBE_BATCH).windowProbeSteps(DEFAULT_PROBE_STEPS).windowSteps(DEFAULT_WINDOW_STEPS)
                .probeRounds(LEAN_PROBE_ROUNDS).build();
    }

    /** A search preset by its name ({@code ScanSettings.SEARCH_PRESETS}): default, fast, quick or lean. */
    public static InversionConfig preset(String name) {
        return switch (name) {
            case "default" -> defaults();
            case "fast" -> fast();
            case "quick" -> quick();
            case "lean" -> lean();
            default -> throw new IllegalArgumentException("no search preset '" + name + "'; known: "
                    + ScanSettings.SEARCH_PRESETS);
        };
    }

    /**
     * The search a worker's scan asks for ({@code decree scan --config}): its settings over the search preset of a scan
     * judged alone ({@code search}; the default search takes the settings' steps and batch, another preset keeps its
     * own), or, against a base, over the differential-search preset, whose own steps and batch stay (the reference
     * ratio was fitted on them). The search stops once its figure is below the threshold (a contrasted scan's, against a base with
     * that rule): the verdict cannot change after.
     */
    public static InversionConfig of(ScanSettings s, boolean againstBase) {
        InversionConfig preset = preset(againstBase ? s.differentialSearch() : s.search());
        Builder b = preset.toBuilder().seed(s.seed()).maskGrid(s.maskGrid()).windowGrid(s.windowGrid()).holdout(s.holdout())
                .centerEmbeddings(s.center())
                // The search may stop once the figure that decides is below its threshold: a contrasted scan's own.
                .stopBelow(againstBase && s.contrasted() ? ScanSettings.CONTRAST_THRESHOLD : s.threshold());
        return againstBase || !s.search().equals("default") ? b.build() : b.steps(s.steps()).batchSize(s.batch()).build();
    }

    /**
     * This config with {@link #probesTogetherImages} resolved for the device a scan runs on: named, as named; by device,
     * {@link #GPU_PROBES_TOGETHER_IMAGES} on a GPU and apart (0) on a CPU.
     */
    public InversionConfig probesTogetherOn(boolean gpu) {
        return probesTogetherImages != PROBES_TOGETHER_AUTO ? this
                : toBuilder().probesTogether(gpu ? GPU_PROBES_TOGETHER_IMAGES : 0).build();
    }

    /** Images per step of a window probe: {@code probeBatch}, or the search's batch when it is 0. */
    public int probeBatchSize() {
        return probeBatch == 0 ? batchSize : Math.min(probeBatch, batchSize);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Changes some knobs of a config, keeping the others. */
    public static final class Builder {
        private int maxSteps;
        private int batchSize;
        private double learningRate;
        private long seed;
        private boolean centerEmbeddings;
        private int maskGrid;
        private int windowGrid;
        private int holdout;
        private int windowProbeSteps;
        private int windowsKept;
        private int windowSteps;
        private double similarityTarget;
        private boolean acceptOnShadowSet;
        private double stopBelow;
        private double baseCollapseLimit;
        private boolean wholeSearch;
        private int probeBatch;
        private int probesTogetherImages;
        private int probeRounds;
        private final InversionConfig base;

        private Builder(InversionConfig c) {
            base = c;
            maxSteps = c.maxSteps;
            batchSize = c.batchSize;
            learningRate = c.learningRate;
            seed = c.seed;
            centerEmbeddings = c.centerEmbeddings;
            maskGrid = c.maskGrid;
            windowGrid = c.windowGrid;
            holdout = c.holdout;
            windowProbeSteps = c.windowProbeSteps;
            windowsKept = c.windowsKept;
            windowSteps = c.windowSteps;
            similarityTarget = c.similarityTarget;
            acceptOnShadowSet = c.acceptOnShadowSet;
            stopBelow = c.stopBelow;
            baseCollapseLimit = c.baseCollapseLimit;
            wholeSearch = c.wholeSearch;
            probeBatch = c.probeBatch;
            probesTogetherImages = c.probesTogetherImages;
            probeRounds = c.probeRounds;
        }

        public Builder steps(int v) {
            maxSteps = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder centerEmbeddings(boolean v) {
            centerEmbeddings = v;
            return this;
        }

        public Builder maskGrid(int v) {
            maskGrid = v;
            return this;
        }

        public Builder windowGrid(int v) {
            windowGrid = v;
            return this;
        }

        public Builder windowProbeSteps(int v) {
            windowProbeSteps = v;
            return this;
        }

        public Builder windowsKept(int v) {
            windowsKept = v;
            return this;
        }

        public Builder windowSteps(int v) {
            windowSteps = v;
            return this;
        }

        public Builder similarityTarget(double v) {
            similarityTarget = v;
            return this;
        }

        public Builder holdout(int v) {
            holdout = v;
            return this;
        }

        public Builder acceptOnShadowSet(boolean v) {
            acceptOnShadowSet = v;
            return this;
        }

        public Builder stopBelow(double v) {
            stopBelow = v;
            return this;
        }

        public Builder baseCollapseLimit(double v) {
            baseCollapseLimit = v;
            return this;
        }

        public Builder wholeSearch(boolean v) {
            wholeSearch = v;
            return this;
        }

        public Builder probeBatch(int v) {
            probeBatch = v;
            return this;
        }

        /** Images at most in one joint pass of the window probes (0: apart; {@link #PROBES_TOGETHER_AUTO}: by device). */
        public Builder probesTogether(int v) {
            probesTogetherImages = v;
            return this;
        }

        /** Rounds of window probes, the best third going on after each but the last ({@link #probeRounds}). */
        public Builder probeRounds(int v) {
            probeRounds = v;
            return this;
        }

        public InversionConfig build() {
            return new InversionConfig(maxSteps, batchSize, learningRate, base.beta1, base.beta2, similarityTarget,
                    base.lambdaInit, base.lambdaFactor, base.lambdaPatience, base.lambdaMin, base.earlyStopPatience, seed,
                    centerEmbeddings, maskGrid, windowGrid, windowProbeSteps, windowsKept, windowSteps,
                    holdout, acceptOnShadowSet, stopBelow, baseCollapseLimit, wholeSearch, probeBatch, probesTogetherImages,
                    probeRounds);
        }
    }
}
