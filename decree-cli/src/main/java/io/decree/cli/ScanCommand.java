package io.decree.cli;

import io.decree.scan.EncoderFile;
import io.decree.scan.Reference;
import io.decree.scan.Sarif;
import io.decree.scan.ScanReport;
import io.decree.scan.Scanner;
import io.decree.scan.Verdict;
import io.decree.trigger.InversionConfig;
import io.decree.trigger.StepRecord;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "scan", mixinStandardHelpOptions = true,
        description = "Search for the smallest trigger that collapses the encoder's embeddings; report PL1 and a verdict.")
final class ScanCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL.pt",
            description = "TorchScript encoder; its input spec is read from MODEL.json beside it (required without --config).")
    Path model;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Run the scan a JSON job describes (the detector-worker's io.decree.contract.ScanJob: model, images, out, "
                    + "base, every verdict setting); prints report.json. Other scan options are then not used.")
    Path config;

    @Mixin
    ScanOptions options = new ScanOptions();

    @Option(names = "--out", paramLabel = "DIR", description = "Where report.json and the PNGs go (default: ./decree-out/<sha256 prefix>/).")
    Path out;

    @Option(names = "--json", description = "Print only report.json on stdout, no progress.")
    boolean json;

    @Option(names = "--sarif", paramLabel = "FILE",
            description = "Also write the verdict as SARIF 2.1.0 (for GitHub code scanning and other security tools).")
    Path sarif;

    @Option(names = "--sarif-uri", paramLabel = "URI",
            description = "The model's location as the SARIF consumer should see it (default: MODEL.pt as given).")
    String sarifUri;

    @Option(names = "--evidence-uri", paramLabel = "PREFIX",
            description = "Where the evidence images will live, for the SARIF's evidence list: PREFIX + file name (default: the local files).")
    String evidenceUri;

    @Option(names = "--progress-file", paramLabel = "FILE", hidden = true,
            description = "Keep the search's latest step in FILE as JSON (for a worker that reports scan progress).")
    Path progressFile;

    @Option(names = "--exit-with-parent", hidden = true,
            description = "Exit when standard input closes: a worker that runs scans as child processes holds it open, "
                    + "so a scan never outlives a worker that was killed.")
    boolean exitWithParent;

    @Override
    public Integer call() {
        if (config != null) {
            fromJob(io.decree.contract.ScanJob.read(config));
        } else if (model == null) {
            throw new io.decree.BadInputException("decree scan needs MODEL.pt, or --config FILE");
        }
        if (exitWithParent) {
            Thread watch = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // the parent writes nothing; any byte is ignored
                    }
                } catch (java.io.IOException ignored) {
                    // a broken pipe means the same as end of input
                }
                System.err.println("decree scan: parent process gone, stopping");
                Runtime.getRuntime().halt(Decree.ERROR);
            }, "parent-watch");
            watch.setDaemon(true);
            watch.start();
        }
        Path outDir = out != null ? out : Path.of("decree-out", EncoderFile.sha256(model).substring(0, 12));
        Scanner.Request plain = options.request(model, null).withOut(outDir);
        Scanner.Request req = plain;
        ProgressFile progress = progressFile == null ? null : new ProgressFile(progressFile);
        if (options.baseline != null && !options.contrasted()) {
            Reference ref = json ? Scanner.baseline(plain, options.baseline, options.baselineSpec(model), options.referenceRatio,
                            progress == null ? null : progress.phase("baseline", plain.config().maxSteps()))
                    : withProgress("baseline", plain.config().maxSteps(),
                            p -> Scanner.baseline(plain, options.baseline, options.baselineSpec(model), options.referenceRatio, p));
            if (!json) {
                System.out.printf(Locale.ROOT, "baseline %s: accepted PL1 %.4f: %s trojaned below %.4f%n", options.baseline.getFileName(),
                        ref.median(), model.getFileName(), ref.threshold());
            }
            req = plain.calibratedBy(ref);
        } else if (options.byBaseRatio()) {
            req = againstBaseOwnTrigger(model, outDir, progress);
        }
        Scanner.Request scan = req;
        ScanReport report = json ? Scanner.scan(scan, progress == null ? null : progress.phase("scan", scan.config().maxSteps())).report()
                : withProgress("scan", scan.config().maxSteps(), p -> Scanner.scan(scan, p).report());
        if (json) {
            System.out.println(report.toJson());
        } else {
            System.out.printf(Locale.ROOT, "%s: %s  PL1 %.4f (threshold %.4f)  similarity %.3f  %d steps  %d image-passes  %.1f s%n",
                    model.getFileName(), report.verdict().json().toUpperCase(Locale.ROOT), report.pl1Norm(), report.threshold(),
                    report.similarity(), report.steps(), report.imagePasses(), report.seconds());
            if (report.decision() != null) {
                System.out.println("why: " + report.decision().meaning());
            }
            System.out.println("evidence: " + outDir.toAbsolutePath());
        }
        if (sarif != null) {
            java.util.List<String> evidence = io.decree.scan.Evidence.FILES.stream()
                    .filter(f -> java.nio.file.Files.exists(outDir.resolve(f)))
                    .map(f -> evidenceUri != null ? evidenceUri + f : outDir.resolve(f).toString()).toList();
            Sarif.write(Sarif.of(report, sarifUri != null ? sarifUri : model.toString().replace('\\', '/'), evidence), sarif);
        }
        return report.verdict() == Verdict.TROJANED ? Decree.TROJANED : Decree.CLEAN;
    }

    /**
     * The default differential scan: first whether the base can judge the model at all (a model that embeds the shadow
     * images unlike its base is judged alone, as without a base: {@link io.decree.scan.BaseAgreement}); then the base
     * alone (reused from {@code out/baseline/} when it matches), then the
     * contrasted search judged against the base's own smallest trigger. A base with no trigger smaller than the image
     * gives the ratio nothing to divide by: the fixed contrast threshold decides then, and the report names that rule.
     */
    private Scanner.Request againstBaseOwnTrigger(Path model, Path outDir, ProgressFile progress) {
        Scanner.Request alone = options.alone(model, null).withOut(outDir);
        Path base = options.baseline;
        io.decree.scan.BaseAgreement agreement = Scanner.agreement(alone, base, options.baselineSpec(model), options.baseAgreement);
        if (!agreement.yardstick()) {
            System.err.printf(Locale.ROOT, "baseline %s: mean cosine %.3f with %s's embeddings of the shadow images (below %.2f): "
                    + "no yardstick for it; judged alone, as without a base%n", base.getFileName(), agreement.meanCosine(),
                    model.getFileName(), agreement.minimum());
            return options.withoutBase(model, outDir).withAgreement(agreement);
        }
        InversionConfig yardstick = Scanner.yardstickSearch(alone.config());
        Scanner.BaseScan own = json ? Scanner.baseScan(alone, base, options.baselineSpec(model), yardstick,
                        progress == null ? null : progress.phase("baseline", yardstick.maxSteps()))
                : withProgress("baseline", yardstick.maxSteps(), p -> Scanner.baseScan(alone, base, options.baselineSpec(model), yardstick, p));
        double ownPl1 = own.ownPl1();
        if (Double.isNaN(ownPl1)) {
            System.err.printf(Locale.ROOT, "baseline %s: no trigger smaller than the image holds on it alone; the fixed contrast "
                    + "threshold %.4f decides instead of the base ratio%n", base.getFileName(), options.contrastThreshold);
            return options.request(model, null).withOut(outDir).withAgreement(agreement);
        }
        Scanner.Request req = alone.contrastedWith(base, options.baselineSpec(model), ownPl1, options.baseRatio).withAgreement(agreement);
        if (!json) {
            System.out.printf(Locale.ROOT, "baseline %s%s: its own smallest trigger %.4f: %s trojaned below %.4f (%.2fx)%n",
                    base.getFileName(), own.reused() ? " (earlier scan reused)" : "", ownPl1, model.getFileName(), req.threshold(),
                    options.baseRatio);
        }
        return req;
    }

    /** A worker's job as this command's options: report.json on stdout, SARIF beside the evidence. */
    private void fromJob(io.decree.contract.ScanJob job) {
        model = Path.of(job.model());
        out = Path.of(job.out());
        json = true;
        sarif = out.resolve(io.decree.contract.EvidenceFiles.SARIF);
        sarifUri = job.sarifUri();
        evidenceUri = job.evidenceUri();
        progressFile = job.progressFile() == null ? null : Path.of(job.progressFile());
        options.from(job);
    }

    /** Runs a search with a progress bar on stderr (the steps of its uniform start; later starts go past it). */
    private static <T> T withProgress(String task, int steps, Function<Consumer<StepRecord>, T> search) {
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(steps)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).build()) {
            return search.apply(r -> {
                bar.stepTo(r.step());
                bar.setExtraMessage(String.format(Locale.ROOT, "cos %.3f  PL1 %.4f  best %.4f", r.similarity(), r.pl1(), r.bestPl1()));
            });
        }
    }
}
