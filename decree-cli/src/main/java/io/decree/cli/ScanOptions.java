package io.decree.cli;

import ai.djl.Device;
import io.decree.BadInputException;
import io.decree.scan.Scanner;
import io.decree.trigger.InversionConfig;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What a scan needs besides the model: shadow images, input spec and optimisation settings. */
final class ScanOptions {
    @Option(names = "--images", required = true, paramLabel = "DIR", description = "Folder of clean PNG/JPEG shadow images.")
    Path images;

    @Mixin
    SpecOptions spec = new SpecOptions();

    @Option(names = "--steps", paramLabel = "N", description = "Optimisation steps at most (default: ${DEFAULT-VALUE}).")
    int steps = InversionConfig.DEFAULT_STEPS;

    @Option(names = "--batch", paramLabel = "N", description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batch = InversionConfig.DEFAULT_BATCH;

    @Option(names = "--seed", paramLabel = "N", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed = InversionConfig.DEFAULT_SEED;

    @Option(names = "--lr", paramLabel = "X", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr = InversionConfig.defaults().learningRate();

    @Option(names = "--threshold", paramLabel = "X", description = "PL1 below which the encoder is trojaned (default: ${DEFAULT-VALUE}).")
    double threshold = Scanner.DEFAULT_THRESHOLD;

    @Option(names = "--max-images", paramLabel = "N", description = "Use at most N shadow images (default: ${DEFAULT-VALUE}).")
    int maxImages = Scanner.DEFAULT_MAX_IMAGES;

    @Option(names = "--center", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "Measure similarity on embeddings centred on the clean images' mean (default: off, the paper's plain cosine).")
    boolean center;

    @Option(names = "--mask-grid", paramLabel = "N", description = "Optimise the mask on about N x N cells (0: per pixel; default: ${DEFAULT-VALUE}).")
    int maskGrid = InversionConfig.defaults().maskGrid();

    @Option(names = "--window-grid", paramLabel = "N",
            description = "Also start the search from N x N windows (0: only the paper's uniform start; default: ${DEFAULT-VALUE}).")
    int windowGrid = InversionConfig.DEFAULT_WINDOW_GRID;

    @Option(names = "--target", paramLabel = "X",
            description = "Mean cosine the stamped images must reach for a trigger to count (the paper's 0.99; default: ${DEFAULT-VALUE}).")
    double target = InversionConfig.defaults().similarityTarget();

    @Option(names = "--holdout", paramLabel = "N",
            description = "Keep N shadow images (at most a fifth) out of the search; a trigger counts only if it collapses them too (0: off, the paper's; default: ${DEFAULT-VALUE}).")
    int holdout = InversionConfig.DEFAULT_HOLDOUT;

    @Option(names = "--device", paramLabel = "auto|cpu|gpu", description = "Where to run (default: ${DEFAULT-VALUE}: the GPU when one is present).")
    String device = "auto";

    InversionConfig config() {
        if (steps < 1 || batch < 2 || !(lr > 0) || windowGrid < 0 || holdout < 0 || !(target > 0 && target < 1)) {
            throw new BadInputException("--steps must be >= 1, --batch >= 2, --lr > 0, --window-grid >= 0, --holdout >= 0 and --target in (0,1)");
        }
        return InversionConfig.defaults().toBuilder().steps(steps).batchSize(batch).seed(seed).learningRate(lr)
                .centerEmbeddings(center).maskGrid(maskGrid).windowGrid(windowGrid).holdout(holdout).similarityTarget(target).build();
    }

    Device device() {
        return device(device);
    }

    /** auto (null: the engine's default, the GPU when one is present), cpu or gpu. */
    static Device device(String device) {
        return switch (device) {
            case "auto" -> null;
            case "cpu" -> Device.cpu();
            case "gpu" -> Device.gpu();
            default -> throw new BadInputException("--device must be auto, cpu or gpu, got " + device);
        };
    }

    Scanner.Request request(Path model, Path out) {
        if (!(threshold > 0 && threshold <= 1)) {
            throw new BadInputException("--threshold must lie in (0,1], got " + threshold);
        }
        return new Scanner.Request(model, spec.resolve(model), images, config(), threshold, maxImages, device(), out);
    }
}
