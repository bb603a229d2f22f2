package io.decree.cli;

import io.decree.BadInputException;
import io.decree.contract.ScanSettings;
import io.decree.trigger.InversionConfig;
import java.util.Stack;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * How the trigger search runs, shared by scan and eval (eval judges a candidate config on a zoo). Every default is
 * {@link InversionConfig#defaults()}'s: an option left out keeps it.
 */
final class SearchOptions {
    private static final InversionConfig DEFAULTS = InversionConfig.defaults();

    @Option(names = "--search", paramLabel = "default|fast|quick|lean",
            description = "The search's settings as a whole: default (the paper's uniform start and 5x5 windows, batch 32, "
                    + "up to 47,680 image-passes), quick (the same starts, shorter probes and uniform start, one carried window: "
                    + "up to 15,808), fast (batch 16, shorter starts, one carried window: up to 8,960) or lean (fast with 30-step "
                    + "window probes on 4 images each in three rounds, the best third going on after each, and a 200-step "
                    + "carried window: up to 7,400); a setting given on its "
                    + "own wins (default: lean; --steps or --batch alone: default; "
                    + "with --baseline: the search its rule was measured with, lean for the base ratio, whose base is scanned "
                    + "with the default search).")
    String preset;

    @Option(names = "--steps", paramLabel = "N", description = "Steps at most of the paper's uniform start (default: " + InversionConfig.DEFAULT_STEPS
            + "; quick: " + InversionConfig.QUICK_STEPS + "; fast: " + InversionConfig.FAST_STEPS + ").")
    Integer steps;

    @Option(names = "--batch", paramLabel = "N", description = "Images per step (default and quick: " + InversionConfig.DEFAULT_BATCH + "; fast: "
            + InversionConfig.FAST_BATCH + ").")
    Integer batch;

    @Option(names = "--seed", paramLabel = "N", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed = DEFAULTS.seed();

    @Option(names = "--lr", paramLabel = "X", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr = DEFAULTS.learningRate();

    @Option(names = "--mask-grid", paramLabel = "N", description = "Optimise the mask on about N x N cells (0: per pixel; default: ${DEFAULT-VALUE}).")
    int maskGrid = DEFAULTS.maskGrid();

    @Option(names = "--center", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "Measure similarity on embeddings centred on the clean images' mean (default: off, the paper's plain cosine).")
    boolean center;

    @Option(names = "--window-grid", paramLabel = "N",
            description = "Also start the search from N x N windows (0: only the paper's uniform start; default: ${DEFAULT-VALUE}).")
    int windowGrid = DEFAULTS.windowGrid();

    @Option(names = "--probe-steps", paramLabel = "N", description = "Steps every window start is probed for before they are ranked "
            + "(default: " + InversionConfig.DEFAULT_PROBE_STEPS + "; quick: " + InversionConfig.QUICK_PROBE_STEPS + "; fast: "
            + InversionConfig.FAST_PROBE_STEPS + ").")
    Integer probeSteps;

    @Option(names = "--probe-batch", paramLabel = "N", description = "Images per step of a window probe; below --batch the probes "
            + "are ranked on one common batch (default and fast: the search's batch; lean: " + InversionConfig.LEAN_PROBE_BATCH + ").")
    Integer probeBatch;

    @Option(names = "--probe-rounds", paramLabel = "N", description = "Window probes ranked on a common batch run in N rounds "
            + "of their steps, the best third going on after each round but the last (default and fast: 1; lean: "
            + InversionConfig.LEAN_PROBE_ROUNDS + ").")
    Integer probeRounds;

    @Option(names = "--probes-together", paramLabel = "IMAGES", arity = "0..1", parameterConsumer = OptionalCount.class,
            description = "Step the window probes in lockstep, a step of several probes in one forward and backward pass "
                    + "through the encoder of at most IMAGES images (bare: " + InversionConfig.GPU_PROBES_TOGETHER_IMAGES
                    + "; 0: one probe after the other): the same arithmetic in fewer, larger passes (default: by device, "
                    + InversionConfig.GPU_PROBES_TOGETHER_IMAGES + " on a GPU, where it was 1.4x faster, apart on a CPU, "
                    + "where it was not).")
    Integer probesTogether;

    @Option(names = "--windows-kept", paramLabel = "N", description = "How many of the ranked window starts are carried on (default: "
            + InversionConfig.DEFAULT_WINDOWS_KEPT + "; quick: " + InversionConfig.QUICK_WINDOWS_KEPT + "; fast: " + InversionConfig.FAST_WINDOWS_KEPT + ").")
    Integer windowsKept;

    @Option(names = "--window-steps", paramLabel = "N", description = "Steps at most of a carried window start, its probe included "
            + "(default and quick: " + InversionConfig.DEFAULT_WINDOW_STEPS + "; fast: " + InversionConfig.FAST_WINDOW_STEPS + ").")
    Integer windowSteps;

    @Option(names = "--target", paramLabel = "X",
            description = "Mean cosine the stamped images must reach for a trigger to count (the paper's 0.99; default: ${DEFAULT-VALUE}).")
    double target = DEFAULTS.similarityTarget();

    @Option(names = "--holdout", paramLabel = "N",
            description = "Keep N shadow images (at most a fifth) out of the search; a trigger counts only if it collapses them too (0: off, the paper's; default: ${DEFAULT-VALUE}).")
    int holdout = DEFAULTS.holdout();

    @Option(names = "--accept-on-shadow-set", negatable = true,
            description = "Decide with the smallest trigger that also collapses the whole shadow set instead of the paper's smallest "
                    + "batch success (both are measured and reported either way; default: ${DEFAULT-VALUE}).")
    boolean acceptOnShadowSet = DEFAULTS.acceptOnShadowSet();

    @Option(names = "--stop-at-verdict", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "End the search once the figure that decides is below the threshold: later starts could only "
                    + "lower it, so the verdict is final (the report says so; default: ${DEFAULT-VALUE}). --no-stop-at-verdict runs every "
                    + "start to its end, still testing triggers below the threshold as they come.")
    boolean stopAtVerdict = true;

    @Option(names = "--base-collapse-limit", paramLabel = "X",
            description = "With --contrast: a trigger counts only if the base's stamped images keep a centred mean pairwise "
                    + "cosine below X (clean images near 0, one point 1; default: ${DEFAULT-VALUE}).")
    double baseCollapseLimit = DEFAULTS.baseCollapseLimit();

    /**
     * {@code --probes-together[=IMAGES]}: takes the next argument only when it is a count, so a bare flag before the
     * model's path (picocli's optional parameter would take the path and fail) means the GPU's default.
     */
    static final class OptionalCount implements IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> args, ArgSpec arg, CommandSpec spec) {
            boolean count = !args.isEmpty() && args.peek().matches("-?\\d+");
            if (!count) {
                arg.setValue(InversionConfig.GPU_PROBES_TOGETHER_IMAGES);
                return;
            }
            String value = args.pop();
            try {
                arg.setValue(Integer.parseInt(value));
            } catch (NumberFormatException e) {
                throw new ParameterException(spec.commandLine(), "--probes-together takes images per pass, got " + value);
            }
        }
    }

    /** @param threshold the decision threshold, where the search may stop once its figure is below it */
    InversionConfig config(double threshold) {
        return config(threshold, unnamedSearch());
    }

    /** The search of a scan judged alone when --search is not given: the contract's rule for settings that name none. */
    String unnamedSearch() {
        return ScanSettings.searchWhenUnnamed(steps != null || batch != null, ScanSettings.DEFAULTS.search());
    }

    /** @param unnamed the preset when --search is not given */
    InversionConfig config(double threshold, String unnamed) {
        InversionConfig base;
        try {
            base = InversionConfig.preset(preset != null ? preset : unnamed);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("--search: " + e.getMessage());
        }
        int st = steps != null ? steps : base.maxSteps();
        int b = batch != null ? batch : base.batchSize();
        int probe = probeSteps != null ? probeSteps : base.windowProbeSteps();
        int kept = windowsKept != null ? windowsKept : base.windowsKept();
        int wSteps = windowSteps != null ? windowSteps : base.windowSteps();
        if (st < 1 || b < 2 || !(lr > 0)) {
            throw new BadInputException("--steps must be >= 1, --batch >= 2 and --lr > 0");
        }
        if (windowGrid < 0 || holdout < 0 || !(target > 0 && target < 1)) {
            throw new BadInputException("--window-grid and --holdout must be >= 0 and --target in (0,1)");
        }
        if (!(baseCollapseLimit > 0 && baseCollapseLimit < 1)) {
            throw new BadInputException("--base-collapse-limit must lie in (0,1), got " + baseCollapseLimit);
        }
        int pb = probeBatch != null ? probeBatch : base.probeBatch();
        if (pb < 0 || pb == 1) {
            throw new BadInputException("--probe-batch must be at least 2");
        }
        int rounds = probeRounds != null ? probeRounds : base.probeRounds();
        if (rounds < 1) {
            throw new BadInputException("--probe-rounds must be at least 1, got " + rounds);
        }
        if (probesTogether != null && probesTogether < 0) {
            throw new BadInputException("--probes-together takes images per pass, 0 or more, got " + probesTogether);
        }
        if (probe < 1 || kept < 0 || wSteps < probe) {
            throw new BadInputException("--probe-steps must be >= 1, --windows-kept >= 0 and --window-steps >= --probe-steps");
        }
        return base.toBuilder().steps(st).batchSize(b).seed(seed).learningRate(lr).maskGrid(maskGrid)
                .centerEmbeddings(center).windowGrid(windowGrid).windowProbeSteps(probe).windowsKept(kept)
                .windowSteps(wSteps).holdout(holdout).similarityTarget(target).acceptOnShadowSet(acceptOnShadowSet)
                .stopBelow(threshold).wholeSearch(!stopAtVerdict).baseCollapseLimit(baseCollapseLimit).probeBatch(pb)
                .probeRounds(rounds).probesTogether(probesTogether != null ? probesTogether : base.probesTogetherImages()).build();
    }
}
