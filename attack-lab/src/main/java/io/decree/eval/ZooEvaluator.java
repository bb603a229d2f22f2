package io.decree.eval;

import io.decree.BadInputException;
import io.decree.contract.ScanSettings;
import io.decree.encoder.InputSpec;
import io.decree.scan.BaseAgreement;
import io.decree.scan.ScanReport;
import io.decree.scan.Scanner;
import io.decree.trigger.InversionConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Scans every encoder of a zoo with one detector config and a fixed threshold; writes eval.json, eval.md, pl1.png, acceptance.png and
 * rules.md (the candidate decision rules judged leave-one-family-out, {@link RuleStudy}).
 */
public final class ZooEvaluator {
    private ZooEvaluator() {
    }

    /**
     * @param only       scan only the encoders whose manifest path matches (null: all)
     * @param images     shadow images for every encoder instead of each entry's own (the out-of-distribution study)
     * @param maxImages  at most this many shadow images per scan (the shadow-set-size study)
     * @param config     the detector's search settings (a candidate config is judged on the zoo with them)
     * @param reuse      take an encoder's scan from a report.json already in the output folder (an interrupted or
     *                   earlier run with the same settings) instead of scanning it again
     * @param contrast   scan each fine-tuned encoder contrasted with the zoo encoder it was fine-tuned from (the contrasted
     *                   differential scan, {@code threshold} its PL1 threshold); encoders without a base in the zoo are
     *                   left out
     * @param contrastPixels with {@code contrast}, a candidate rule (0: off): the contrasted trigger judged by its area in
     *                   the model's input pixels, trojaned below this many, whatever the input size (each scan's threshold
     *                   and stop are {@code contrastPixels / (H*W)}); the evaluation's scores and {@code threshold} are then
     *                   pixels
     * @param baseScans  with {@code contrast}, a plain evaluation's {@code scans} folder (null: none) whose scans of the
     *                   bases join rules.md, for the statistics that compare a contrasted trigger with the base's own
     *                   smallest trigger, and serve the base ratio; a base not in it is scanned for the base ratio only
     * @param baseRatio  with {@code contrast}, the default rule (0: off, the fixed {@code threshold} or pixels decide):
     *                   each encoder is trojaned when its contrasted trigger is below this many times its base's own
     *                   smallest trigger (the base's plain scan, from {@code baseScans} or scanned into {@code bases/}); the
     *                   evaluation's scores and threshold are then those ratios
     */
    public record Options(double threshold, Pattern only, Path images, int maxImages, InversionConfig config, boolean reuse,
            boolean contrast, double contrastPixels, Path baseScans, double baseRatio) {
        public static Options defaults(double threshold) {
            return new Options(threshold, null, null, Scanner.DEFAULT_MAX_IMAGES, InversionConfig.defaults(), false, false, 0, null, 0);
        }

        boolean inPixels() {
            return contrast && contrastPixels > 0;
        }

        boolean byBaseRatio() {
            return contrast && !inPixels() && baseRatio > 0;
        }

        /**
         * The share of {@code spec}'s image below which a scan is trojaned: the fixed threshold, or the pixels' share — at
         * most the whole image, so that a count larger than a small input flags any trigger instead of failing the scan.
         */
        double thresholdFor(InputSpec spec) {
            return inPixels() ? Math.min(1, contrastPixels / ((double) spec.height() * spec.width())) : threshold;
        }
    }

    public static Evaluation run(Zoo zoo, Options opts, Path out, Consumer<String> progress) throws IOException {
        Files.createDirectories(out);
        List<Zoo.Entry> entries = zoo.encoders().stream()
                .filter(e -> opts.only() == null || opts.only().matcher(zoo.dir().relativize(e.model()).toString()).find())
                .filter(e -> !opts.contrast() || baseOf(zoo, e) != null)
                .toList();
        if (entries.isEmpty()) {
            throw new BadInputException("no encoder of " + zoo.dir() + " matches " + opts.only());
        }
        // Read before any scan, so that a wrong folder fails in a second, not after hours of scans.
        Map<Zoo.Entry, ScanReport> basePlainScans = new HashMap<>(opts.contrast() && opts.baseScans() != null
                ? basePlainScans(zoo, entries, opts.baseScans()) : Map.of());
        if (opts.byBaseRatio()) {
            scanMissingBases(zoo, entries, opts, out.resolve("bases"), basePlainScans, progress);
        }
        List<Evaluation.Row> rows = new ArrayList<>();
        List<String> judgedAlone = new ArrayList<>();
        Map<Zoo.Entry, ScanReport> reports = new HashMap<>();
        int i = 0;
        for (Zoo.Entry e : entries) {
            String name = e.name();
            ScanReport r = opts.reuse() ? RuleStudy.reportIn(out.resolve("scans"), e) : null;
            if (progress != null) {
                progress.accept(String.format("[%d/%d] %s%s", ++i, entries.size(), name, r != null ? " (earlier scan reused)" : ""));
            }
            InputSpec spec = InputSpec.sidecarOf(e.model());
            double threshold = opts.thresholdFor(spec);
            Path images = opts.images() != null ? opts.images() : e.images();
            // The search stops at the scan's own threshold, as a scan with that threshold would.
            InversionConfig config = opts.inPixels() ? opts.config().toBuilder().stopBelow(threshold).build() : opts.config();
            Scanner.Request req = new Scanner.Request(e.model(), spec, images, config, threshold,
                    opts.maxImages(), null, out.resolve("scans").resolve(name.replaceFirst("\\.pt$", "")));
            BaseAgreement agreement = r != null && r.decision() != null && r.decision().agreement() != null ? r.decision().agreement()
                    : opts.byBaseRatio() ? Scanner.agreement(req, baseOf(zoo, e), spec, ScanSettings.BASE_AGREEMENT) : null;
            boolean alone = agreement != null && !agreement.yardstick();
            // The base's own trigger only where the base judges: a model judged alone may have been scanned on images the
            // base's scan did not use (a fine-tune moved onto another domain).
            double own = opts.byBaseRatio() && !alone ? ownTrigger(basePlainScans.get(zoo.entry(e.base())), e, images) : Double.NaN;
            if (r != null && opts.byBaseRatio() && alone == contrasted(r)) {
                r = null; // an earlier scan of the other kind (before the agreement was checked): scanned again
            }
            if (r == null) {
                if (alone) {
                    // Judged as a scan without a base is: the paper's batch rule at the default threshold.
                    req = new Scanner.Request(e.model(), spec, images, config.toBuilder().acceptOnShadowSet(false)
                            .stopBelow(config.stopBelow() > 0 ? Scanner.DEFAULT_THRESHOLD : 0).build(), Scanner.DEFAULT_THRESHOLD,
                            opts.maxImages(), null, req.out()).withAgreement(agreement);
                } else if (opts.byBaseRatio()) {
                    req = req.contrastedWith(baseOf(zoo, e), spec, own, opts.baseRatio()).withAgreement(agreement);
                } else if (opts.contrast()) {
                    req = req.contrastedWith(baseOf(zoo, e), spec, threshold);
                }
                r = Scanner.scan(req, null).report();
            }
            reports.put(e, r);
            double pixels = (double) spec.height() * spec.width();
            if (alone) {
                // On the ratio's scale: its PL1 in units of the no-base threshold, times the ratio's; flagged exactly when
                // that rule flags it. judgedAlone lists these rows below the table.
                double score = (r.targetReached() ? r.pl1Norm() : 1) / Scanner.DEFAULT_THRESHOLD * opts.baseRatio();
                String verdict = r.targetReached() && r.pl1Norm() < Scanner.DEFAULT_THRESHOLD ? "trojaned" : "clean";
                rows.add(new Evaluation.Row(name, e.trojaned(), score, r.targetReached(), verdict, r.seconds(), r.imagePasses()));
                judgedAlone.add(String.format(java.util.Locale.ROOT, "%s (agreement %.3f with %s, PL1 %.4f against %.4f: %s)", name,
                        agreement.meanCosine(), agreement.base(), r.pl1Norm(), Scanner.DEFAULT_THRESHOLD, verdict));
            } else if (opts.byBaseRatio()) {
                // Judged here, not by the report's verdict: a reused scan may come from a run at another threshold.
                double ratio = (r.targetReached() ? r.pl1Norm() : 1) / own;
                rows.add(new Evaluation.Row(name, e.trojaned(), ratio, r.targetReached(),
                        r.targetReached() && ratio < opts.baseRatio() ? "trojaned" : "clean", r.seconds(), r.imagePasses()));
            } else {
                rows.add(new Evaluation.Row(name, e.trojaned(), opts.inPixels() ? r.pl1Norm() * pixels : r.pl1Norm(), r.targetReached(),
                        r.verdict().json(), r.seconds(), r.imagePasses()));
            }
        }
        Evaluation eval = Evaluation.of(rows, opts.byBaseRatio() ? opts.baseRatio() : opts.inPixels() ? opts.contrastPixels() : opts.threshold(),
                opts.byBaseRatio() ? Evaluation.BASE_RATIO : opts.inPixels() ? Evaluation.AREA_PX : Evaluation.PL1);
        Files.writeString(out.resolve("eval.json"), eval.json());
        Files.writeString(out.resolve("eval.md"), eval.markdown() + (judgedAlone.isEmpty() ? "" : "\nJudged alone (embedding the "
                + "shadow images unlike their base, mean cosine below " + ScanSettings.BASE_AGREEMENT + "; score = PL1 / "
                + Scanner.DEFAULT_THRESHOLD + " x " + opts.baseRatio() + ", flagged exactly when the no-base rule flags): "
                + String.join("; ", judgedAlone) + "\n"));
        Pl1Plot.write(eval, out.resolve("pl1.png"));
        reports.putAll(basePlainScans);
        List<RuleStudy.Subject> subjects = RuleStudy.subjects(zoo, reports::get);
        Pl1Plot.writeAcceptance(subjects, out.resolve("acceptance.png"));
        List<String> realClean = entries.stream().filter(e -> e.attack() == null).map(Zoo.Entry::name).toList();
        Files.writeString(out.resolve("rules.md"), RuleStudy.markdown(subjects, RuleStudy.judge(subjects, realClean)));
        return eval;
    }

    /**
     * The plain scans in {@code dir} of the bases of {@code entries}, for rules.md only (neither rows nor scanned here);
     * a folder that holds none of them is refused.
     */
    static Map<Zoo.Entry, ScanReport> basePlainScans(Zoo zoo, List<Zoo.Entry> entries, Path dir) {
        Map<Zoo.Entry, ScanReport> found = new HashMap<>();
        for (Zoo.Entry e : entries) {
            Zoo.Entry base = e.base() == null ? null : zoo.entry(e.base());
            ScanReport plain = base == null || found.containsKey(base) ? null : RuleStudy.reportIn(dir, base);
            if (plain != null) {
                found.put(base, plain);
            }
        }
        if (found.isEmpty()) {
            throw new BadInputException("--base-scans " + dir + " holds no plain scan of these encoders' bases (expected "
                    + "BASE-NAME/report.json there, as a plain eval's scans folder has)");
        }
        return found;
    }

    /**
     * The plain scans of the bases of {@code entries} that {@code found} lacks, for the base ratio: read from {@code dir}
     * (an earlier run's, with {@code reuse}) or scanned there with the yardstick's search, whole, acceptance deciding, as
     * a scan against a base runs them ({@link Scanner#yardstickSearch}), whatever search the contrasted scans use.
     */
    static void scanMissingBases(Zoo zoo, List<Zoo.Entry> entries, Options opts, Path dir, Map<Zoo.Entry, ScanReport> found,
            Consumer<String> progress) {
        for (Zoo.Entry e : entries) {
            Zoo.Entry base = zoo.entry(e.base());
            if (found.containsKey(base)) {
                continue;
            }
            ScanReport r = opts.reuse() ? RuleStudy.reportIn(dir, base) : null;
            if (r == null) {
                if (progress != null) {
                    progress.accept("base " + base.name() + ": its own scan, for the base ratio");
                }
                r = Scanner.scan(new Scanner.Request(base.model(), InputSpec.sidecarOf(base.model()),
                        opts.images() != null ? opts.images() : e.images(), Scanner.yardstickSearch(opts.config()), Scanner.DEFAULT_THRESHOLD, opts.maxImages(), null,
                        dir.resolve(base.name().replaceFirst("\\.pt$", ""))), null).report();
            }
            found.put(base, r);
        }
    }

    /**
     * The base's own smallest trigger as the base ratio divides by: refused when its scan used other images than
     * {@code e}'s, or found no trigger smaller than the image (nothing to divide by; a scan falls back to the fixed
     * contrast threshold there, an evaluation says so instead of mixing rules).
     */
    static double ownTrigger(ScanReport base, Zoo.Entry e, Path images) {
        String on = base.images() == null || base.images().dir() == null ? null : Path.of(base.images().dir()).getFileName().toString();
        if (!images.getFileName().toString().equals(on)) {
            throw new BadInputException("the base of " + e.name() + " (" + base.encoder().file() + ") was scanned on " + on
                    + ", not on " + images.getFileName() + ": the base ratio needs its own trigger on the same images");
        }
        double own = new Scanner.BaseScan(base, false, null).ownPl1();
        if (Double.isNaN(own)) {
            throw new BadInputException("the base of " + e.name() + " (" + base.encoder().file() + ") has no trigger of its own "
                    + "smaller than the image: the base ratio cannot judge it");
        }
        return own;
    }

    /** Whether {@code r} is a scan contrasted with a base (by either contrast rule). */
    private static boolean contrasted(ScanReport r) {
        return r.decision() != null && (ScanSettings.BASE_CONTRAST.equals(r.decision().rule())
                || ScanSettings.BASE_CONTRAST_BASE_RATIO.equals(r.decision().rule()));
    }

    /** The zoo encoder {@code e} was fine-tuned from (its attack's base), or null for a pre-trained or real one. */
    static Path baseOf(Zoo zoo, Zoo.Entry e) {
        Zoo.Entry base = e.base() == null ? null : zoo.entry(e.base());
        return base == null ? null : base.model();
    }
}
