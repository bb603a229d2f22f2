package io.decree.cli;

import io.decree.BadInputException;
import io.decree.contract.ScanSettings;
import io.decree.eval.Evaluation;
import io.decree.eval.Zoo;
import io.decree.eval.ZooEvaluator;
import io.decree.scan.Scanner;
import io.decree.trigger.InversionConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Option(names = "--reuse", description = "Take each encoder's scan from OUT/scans/NAME/report.json when it is there (resume an "
            + "interrupted run, or recompute eval.md and rules.md) instead of scanning again.")
    boolean reuse;

    @Option(names = "--contrast", description = "Scan each fine-tuned encoder contrasted with the zoo encoder it was fine-tuned "
            + "from (scan --baseline BASE), judged by --differential-rule; encoders without a base in the zoo are left out.")
    boolean contrast;

    @Option(names = "--differential-rule", paramLabel = "RULE", description = "With --contrast: base-contrast-base-ratio (each "
            + "base scanned alone too, from --base-scans or into OUT/bases/; trojaned below --base-ratio times the base's own "
            + "smallest trigger) or base-contrast (at --contrast-threshold) (default: ${DEFAULT-VALUE}, the scan contract's).")
    String differentialRule = ScanSettings.DEFAULTS.differentialRule();

    @Option(names = "--base-ratio", paramLabel = "X", description = "With the base ratio: its constant (default: ${DEFAULT-VALUE}).")
    double baseRatio = ScanSettings.BASE_RATIO;

    @Option(names = "--contrast-threshold", paramLabel = "X", description = "With --contrast and the rule base-contrast: the "
            + "contrasted PL1's threshold (default: ${DEFAULT-VALUE}).")
    double contrastThreshold = Scanner.DEFAULT_CONTRAST_THRESHOLD;

    @Option(names = "--contrast-pixels", paramLabel = "N", description = "With --contrast, a candidate rule instead of "
            + "--contrast-threshold: trojaned when the contrasted trigger covers fewer than N of the model's input pixels "
            + "(each scan's threshold and stop become N/(H*W); eval.md's scores are then pixels).")
    double contrastPixels;

    @Option(names = "--base-scans", paramLabel = "DIR", description = "With --contrast: a plain evaluation's scans folder "
            + "(eval --out DIR's DIR/scans) whose scans of the bases join rules.md, for the statistics that compare a "
            + "contrasted trigger with the base's own smallest trigger and from which the base ratio takes them (a base "
            + "not there is scanned into OUT/bases/)")
    Path baseScans;

    @Mixin
    SearchOptions search = new SearchOptions();

    @Override
    public Integer call() throws Exception {
        if (!(contrastPixels >= 0) || (contrastPixels > 0 && !contrast)) { // NaN too
            throw new BadInputException("--contrast-pixels takes a positive pixel count, with --contrast");
        }
        if (baseScans != null && (!contrast || !java.nio.file.Files.isDirectory(baseScans))) {
            throw new BadInputException("--base-scans takes a plain evaluation's scans folder, with --contrast: " + baseScans);
        }
        if (contrast && !List.of(ScanSettings.BASE_CONTRAST_BASE_RATIO, ScanSettings.BASE_CONTRAST).contains(differentialRule)) {
            throw new BadInputException("eval --contrast judges by base-contrast-base-ratio or base-contrast, got " + differentialRule);
        }
        boolean byRatio = contrast && contrastPixels == 0 && ScanSettings.BASE_CONTRAST_BASE_RATIO.equals(differentialRule);
        if (byRatio && !(baseRatio > 0 && baseRatio < 1000)) {
            throw new BadInputException("--base-ratio must be a positive ratio, got " + baseRatio);
        }
        double decides = contrast ? contrastThreshold : threshold;
        // A contrasted eval searches as a contrasted scan does unless --search says otherwise.
        InversionConfig config = search.config(decides, contrast ? ScanSettings.searchFittedWith(differentialRule) : search.unnamedSearch());
        Evaluation eval = ZooEvaluator.run(Zoo.read(zooDir),
                new ZooEvaluator.Options(decides, only == null ? null : Pattern.compile(only), images, maxImages, config, reuse,
                        contrast, contrastPixels, baseScans, byRatio ? baseRatio : 0),
                out != null ? out : zooDir.resolve("eval"), System.err::println);
        System.out.print(eval.markdown());
        return 0;
    }
}
