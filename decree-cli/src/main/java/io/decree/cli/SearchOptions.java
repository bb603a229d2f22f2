package io.decree.cli;

import io.decree.BadInputException;
import io.decree.trigger.InversionConfig;
import picocli.CommandLine.Option;

/** How the trigger search runs, shared by scan and eval (eval judges a candidate config on a zoo). */
final class SearchOptions {
    @Option(names = "--center", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "Measure similarity on embeddings centred on the clean images' mean (default: off, the paper's plain cosine).")
    boolean center;

    @Option(names = "--window-grid", paramLabel = "N",
            description = "Also start the search from N x N windows (0: only the paper's uniform start; default: ${DEFAULT-VALUE}).")
    int windowGrid = InversionConfig.DEFAULT_WINDOW_GRID;

    @Option(names = "--target", paramLabel = "X",
            description = "Mean cosine the stamped images must reach for a trigger to count (the paper's 0.99; default: ${DEFAULT-VALUE}).")
    double target = InversionConfig.defaults().similarityTarget();

    @Option(names = "--holdout", paramLabel = "N",
            description = "Keep N shadow images (at most a fifth) out of the search; a trigger counts only if it collapses them too (0: off, the paper's; default: ${DEFAULT-VALUE}).")
    int holdout = InversionConfig.DEFAULT_HOLDOUT;

    @Option(names = "--accept-on-shadow-set", negatable = true,
            description = "Decide with the smallest trigger that also collapses the whole shadow set instead of the paper's smallest "
                    + "batch success (both are measured and reported either way; default: ${DEFAULT-VALUE}).")
    boolean acceptOnShadowSet = InversionConfig.defaults().acceptOnShadowSet();

    InversionConfig.Builder applyTo(InversionConfig.Builder b) {
        if (windowGrid < 0 || holdout < 0 || !(target > 0 && target < 1)) {
            throw new BadInputException("--window-grid and --holdout must be >= 0 and --target in (0,1)");
        }
        return b.centerEmbeddings(center).windowGrid(windowGrid).holdout(holdout).similarityTarget(target)
                .acceptOnShadowSet(acceptOnShadowSet);
    }
}
