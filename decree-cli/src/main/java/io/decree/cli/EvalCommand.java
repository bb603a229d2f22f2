package io.decree.cli;

import io.decree.BadInputException;
import io.decree.eval.Evaluation;
import io.decree.eval.Zoo;
import io.decree.eval.ZooEvaluator;
import io.decree.scan.Scanner;
import io.decree.trigger.InversionConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Scan every encoder of a zoo (ZOO_DIR/zoo.json); report PL1, verdicts, accuracy, TPR, FPR, AUROC of PL1 and seconds.")
final class EvalCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "ZOO_DIR")
    Path zooDir;

    @Option(names = "--out", paramLabel = "DIR", description = "Where eval.json, eval.md, pl1.png and the scans go (default: ZOO_DIR/eval).")
    Path out;

    @Option(names = "--threshold", description = "PL1 threshold, fixed before the run (default: ${DEFAULT-VALUE}).")
    double threshold = Scanner.DEFAULT_THRESHOLD;

    @Option(names = "--only", paramLabel = "REGEX", description = "Scan only encoders whose manifest path matches, e.g. 'fmnist'.")
    String only;

    @Option(names = "--images", paramLabel = "DIR", description = "Shadow images for every encoder instead of each entry's own (out-of-distribution study).")
    Path images;

    @Option(names = "--max-images", description = "Shadow images per scan at most (shadow-set-size study; default: ${DEFAULT-VALUE}).")
    int maxImages = Scanner.DEFAULT_MAX_IMAGES;

    @Option(names = "--center", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "Similarity on embeddings centred on the clean images' mean (default: off, the paper's plain cosine).")
    boolean center;

    @Option(names = "--window-grid", paramLabel = "N", description = "Window starts N x N (0: the paper's single start; default: ${DEFAULT-VALUE}).")
    int windowGrid = InversionConfig.DEFAULT_WINDOW_GRID;

    @Option(names = "--holdout", paramLabel = "N", description = "Shadow images kept out of the search to confirm triggers (default: ${DEFAULT-VALUE}).")
    int holdout = InversionConfig.DEFAULT_HOLDOUT;

    @Option(names = "--target", paramLabel = "X", description = "Similarity a trigger must reach (default: ${DEFAULT-VALUE}).")
    double target = InversionConfig.defaults().similarityTarget();

    @Override
    public Integer call() throws Exception {
        if (windowGrid < 0 || holdout < 0 || !(target > 0 && target < 1)) {
            throw new BadInputException("--window-grid and --holdout must be >= 0 and --target in (0,1)");
        }
        InversionConfig config = InversionConfig.defaults().toBuilder().centerEmbeddings(center).windowGrid(windowGrid)
                .holdout(holdout).similarityTarget(target).build();
        Evaluation eval = ZooEvaluator.run(Zoo.read(zooDir),
                new ZooEvaluator.Options(threshold, only == null ? null : Pattern.compile(only), images, maxImages, config),
                out != null ? out : zooDir.resolve("eval"), System.err::println);
        System.out.print(eval.markdown());
        return 0;
    }
}
