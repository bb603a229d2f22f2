package io.decree.eval;

import io.decree.BadInputException;
import io.decree.encoder.InputSpec;
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
     *                   smallest trigger; nothing is scanned for them
     */
    public record Options(double threshold, Pattern only, Path images, int maxImages, InversionConfig config, boolean reuse,
            boolean contrast, double contrastPixels, Path baseScans) {
        public static Options defaults(double threshold) {
            return new Options(threshold, null, null, Scanner.DEFAULT_MAX_IMAGES, InversionConfig.defaults(), false, false, 0, null);
        }

        boolean inPixels() {
            return contrast && contrastPixels > 0;
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
        Map<Zoo.Entry, ScanReport> basePlainScans = opts.contrast() && opts.baseScans() != null
                ? basePlainScans(zoo, entries, opts.baseScans()) : Map.of();
        List<Evaluation.Row> rows = new ArrayList<>();
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
            if (r == null) {
                // The search stops at the scan's own threshold, as a scan with that threshold would.
                InversionConfig config = opts.inPixels() ? opts.config().toBuilder().stopBelow(threshold).build() : opts.config();
                Scanner.Request req = new Scanner.Request(e.model(), spec,
                        opts.images() != null ? opts.images() : e.images(), config, threshold,
                        opts.maxImages(), null, out.resolve("scans").resolve(name.replaceFirst("\\.pt$", "")));
                if (opts.contrast()) {
                    req = req.contrastedWith(baseOf(zoo, e), spec, threshold);
                }
                r = Scanner.scan(req, null).report();
            }
            reports.put(e, r);
            double pixels = (double) spec.height() * spec.width();
            rows.add(new Evaluation.Row(name, e.trojaned(), opts.inPixels() ? r.pl1Norm() * pixels : r.pl1Norm(), r.targetReached(),
                    r.verdict().json(), r.seconds(), r.imagePasses()));
        }
        Evaluation eval = Evaluation.of(rows, opts.inPixels() ? opts.contrastPixels() : opts.threshold(),
                opts.inPixels() ? Evaluation.AREA_PX : Evaluation.PL1);
        Files.writeString(out.resolve("eval.json"), eval.json());
        Files.writeString(out.resolve("eval.md"), eval.markdown());
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

    /** The zoo encoder {@code e} was fine-tuned from (its attack's base), or null for a pre-trained or real one. */
    static Path baseOf(Zoo zoo, Zoo.Entry e) {
        Zoo.Entry base = e.base() == null ? null : zoo.entry(e.base());
        return base == null ? null : base.model();
    }
}
