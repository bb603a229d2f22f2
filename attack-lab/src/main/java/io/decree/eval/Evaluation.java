package io.decree.eval;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * How well PL1 separates a zoo's trojaned encoders from its clean ones: at the threshold fixed
 * before the run, and held out: the threshold fitted on one half of the zoo and reported on the
 * other (both ways), so that no figure comes from a threshold fitted on the encoders it judges.
 *
 * @param auroc probability that a random trojaned encoder has a smaller PL1 than a random clean
 *              one (ties count half): the threshold-free separation
 * @param crossValidated every encoder of the two halves judged at the threshold fitted on the other
 *              half (two-fold cross-validation): held-out figures over the whole zoo; null without folds
 */
public record Evaluation(List<Row> rows, double threshold, double accuracy, double tpr, double fpr, double auroc,
        double meanSeconds, double medianSeconds, long medianImagePasses, long maxImagePasses, List<Fold> heldOut,
        Pooled crossValidated, String score) {

    /** What the rows' score and the threshold are: the PL1 (a share of the image), or the trigger's area in pixels. */
    public static final String PL1 = "PL1";
    public static final String AREA_PX = "trigger area (px)";
    public static final String BASE_RATIO = "contrasted PL1 / base's own";

    /** Rates over encoders each judged by a threshold fitted without it. */
    public record Pooled(int encoders, int correct, double accuracy, double tpr, double fpr) {
    }

    /** Seed of the split into halves; fixed, so the halves are known before any scan. */
    static final long SPLIT_SEED = 1;

    /**
     * One scanned encoder; a scan whose search never reached the similarity target counts as clean at any threshold.
     * {@code imagePasses}: images through the encoder's forward and backward in its scan (the work per verdict).
     */
    public record Row(String model, boolean trojaned, double pl1, boolean targetReached, String verdict, double seconds,
            long imagePasses) {
        boolean flaggedAt(double threshold) {
            return targetReached && pl1 < threshold;
        }

        double score() {
            return targetReached ? pl1 : Double.POSITIVE_INFINITY;
        }
    }

    /** A threshold fitted on {@code fitOn} and judged on {@code reportOn}. */
    public record Fold(List<String> fitOn, List<String> reportOn, double threshold, double accuracy, double tpr, double fpr,
            double auroc) {
    }

    private record Rates(double accuracy, double tpr, double fpr) {
    }

    public static Evaluation of(List<Row> rows, double threshold) {
        return of(rows, threshold, PL1);
    }

    /** @param score {@link #PL1}, {@link #AREA_PX} or {@link #BASE_RATIO}: what the rows' {@code pl1} and {@code threshold} hold */
    public static Evaluation of(List<Row> rows, double threshold, String score) {
        Rates r = rates(rows, threshold);
        List<Double> secs = new ArrayList<>(rows.stream().map(Row::seconds).sorted(Comparator.naturalOrder()).toList());
        double mean = secs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        int k = secs.size();
        double median = k == 0 ? Double.NaN : k % 2 == 1 ? secs.get(k / 2) : (secs.get(k / 2 - 1) + secs.get(k / 2)) / 2;
        List<Long> passes = rows.stream().map(Row::imagePasses).sorted().toList();
        long medianPasses = k == 0 ? 0 : k % 2 == 1 ? passes.get(k / 2) : (passes.get(k / 2 - 1) + passes.get(k / 2)) / 2;
        List<Fold> folds = heldOut(rows);
        return new Evaluation(rows, threshold, r.accuracy(), r.tpr(), r.fpr(), auroc(rows), mean, median, medianPasses,
                k == 0 ? 0 : passes.get(k - 1), folds, pooled(rows, folds), score);
    }

    static Pooled pooled(List<Row> rows, List<Fold> folds) {
        if (folds.isEmpty()) {
            return null;
        }
        Tally t = new Tally(0, 0, 0, 0);
        for (Fold f : folds) {
            t = t.plus(Tally.of(rows.stream().filter(r -> f.reportOn().contains(r.model())).toList(), f.threshold()));
        }
        Rates r = t.rates();
        return new Pooled(t.total(), t.tp() + t.tn(), r.accuracy(), r.tpr(), r.fpr());
    }

    private static Rates rates(List<Row> rows, double threshold) {
        return Tally.of(rows, threshold).rates();
    }

    /** Confusion counts of rows judged at a threshold. */
    private record Tally(int tp, int fp, int tn, int fn) {
        static Tally of(List<Row> rows, double threshold) {
            int tp = 0;
            int fp = 0;
            int tn = 0;
            int fn = 0;
            for (Row r : rows) {
                boolean flagged = r.flaggedAt(threshold);
                if (r.trojaned()) {
                    tp += flagged ? 1 : 0;
                    fn += flagged ? 0 : 1;
                } else {
                    fp += flagged ? 1 : 0;
                    tn += flagged ? 0 : 1;
                }
            }
            return new Tally(tp, fp, tn, fn);
        }

        Tally plus(Tally o) {
            return new Tally(tp + o.tp, fp + o.fp, tn + o.tn, fn + o.fn);
        }

        int total() {
            return tp + fp + tn + fn;
        }

        Rates rates() {
            return new Rates((tp + tn) / (double) total(), tp + fn == 0 ? Double.NaN : tp / (double) (tp + fn),
                    fp + tn == 0 ? Double.NaN : fp / (double) (fp + tn));
        }
    }

    static double auroc(List<Row> rows) {
        double pairs = 0;
        double wins = 0;
        for (Row t : rows) {
            if (!t.trojaned()) {
                continue;
            }
            for (Row c : rows) {
                if (c.trojaned()) {
                    continue;
                }
                pairs++;
                wins += t.score() < c.score() ? 1 : t.score() == c.score() ? 0.5 : 0;
            }
        }
        return pairs == 0 ? Double.NaN : wins / pairs;
    }

    /**
     * The threshold with the best accuracy on {@code rows}: candidates lie halfway (geometrically, PL1
     * being a ratio) between neighbouring PL1 values; among equally accurate ones the widest gap wins.
     */
    static double fitThreshold(List<Row> rows) {
        List<Double> s = rows.stream().filter(Row::targetReached).map(Row::pl1).distinct().sorted().toList();
        if (s.isEmpty()) {
            return Double.NaN;
        }
        List<Double> candidates = new ArrayList<>();
        List<Double> gaps = new ArrayList<>();
        candidates.add(s.get(0) / 1.5);
        gaps.add(Math.log(1.5));
        for (int i = 0; i + 1 < s.size(); i++) {
            candidates.add(Math.sqrt(s.get(i) * s.get(i + 1)));
            gaps.add(Math.log(s.get(i + 1) / s.get(i)));
        }
        candidates.add(s.get(s.size() - 1) * 1.5);
        gaps.add(Math.log(1.5));
        int best = 0;
        for (int i = 1; i < candidates.size(); i++) {
            double acc = rates(rows, candidates.get(i)).accuracy();
            double bestAcc = rates(rows, candidates.get(best)).accuracy();
            if (acc > bestAcc + 1e-12 || (Math.abs(acc - bestAcc) <= 1e-12 && gaps.get(i) > gaps.get(best))) {
                best = i;
            }
        }
        return candidates.get(best);
    }

    /** Two halves, each label split evenly by a seeded shuffle; a fold is fitted on one half and reported on the other. */
    static List<Fold> heldOut(List<Row> rows) {
        List<Row> a = new ArrayList<>();
        List<Row> b = new ArrayList<>();
        for (boolean label : new boolean[] {true, false}) {
            List<Row> same = new ArrayList<>(rows.stream().filter(r -> r.trojaned() == label)
                    .sorted(Comparator.comparing(Row::model)).toList());
            Collections.shuffle(same, new Random(SPLIT_SEED));
            for (int i = 0; i < same.size(); i++) {
                (i % 2 == 0 ? a : b).add(same.get(i));
            }
        }
        List<Fold> folds = new ArrayList<>();
        // A fold needs both labels on both sides: to fit a threshold, and to judge it.
        if (!bothLabels(a) || !bothLabels(b)) {
            return folds;
        }
        folds.add(fold(a, b));
        folds.add(fold(b, a));
        return folds;
    }

    private static boolean bothLabels(List<Row> half) {
        return half.stream().anyMatch(Row::trojaned) && half.stream().anyMatch(r -> !r.trojaned());
    }

    private static Fold fold(List<Row> fit, List<Row> report) {
        double t = fitThreshold(fit);
        Rates r = rates(report, t);
        return new Fold(fit.stream().map(Row::model).toList(), report.stream().map(Row::model).toList(), t, r.accuracy(),
                r.tpr(), r.fpr(), auroc(report));
    }

    /**
     * The evaluation as eval.json. A rate with nothing to count (TPR of a run without trojaned
     * encoders, AUROC without both labels) is null: Jackson would write the string "NaN", which a
     * reader expecting a number chokes on.
     */
    public String json() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("eval.json could not be written", e);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .registerModule(new SimpleModule().addSerializer(Double.class, new NanAsNull())
                    .addSerializer(double.class, new NanAsNull()));

    private static final class NanAsNull extends StdSerializer<Double> {
        NanAsNull() {
            super(Double.class);
        }

        @Override
        public void serialize(Double v, JsonGenerator gen, SerializerProvider p) throws IOException {
            if (v.isNaN()) {
                gen.writeNull();
            } else {
                gen.writeNumber(v);
            }
        }
    }

    /** A rate for eval.md and the plot's title, or n/a when there was nothing to count. */
    static String rate(double v, int decimals) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** A score or threshold as eval.md and the plot write it: a PL1 to four decimals, pixels to one, a ratio to three. */
    String figure(double v) {
        return String.format(Locale.ROOT, PL1.equals(score) ? "%.4f" : BASE_RATIO.equals(score) ? "%.3fx" : "%.1f px", v);
    }

    /** The evaluation as a Markdown table and summary, for eval.md. */
    public String markdown() {
        StringBuilder sb = new StringBuilder("| model | label | " + score + " | verdict | seconds | image-passes |\n|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s%s | %s | %.1f | %d |%n", r.model(),
                    r.trojaned() ? "trojaned" : "clean", figure(r.pl1()), r.targetReached() ? "" : " (target not reached)",
                    r.flaggedAt(threshold) ? "trojaned" : "clean", r.seconds(), r.imagePasses()));
        }
        sb.append(String.format(Locale.ROOT,
                "%nAll %d encoders at the fixed threshold %s: accuracy %s, TPR %s, FPR %s, AUROC of " + score + " %s; "
                        + "seconds per encoder: mean %.1f, median %.1f; image-passes per encoder: median %d, max %d%n",
                rows.size(), figure(threshold), rate(accuracy, 3), rate(tpr, 3), rate(fpr, 3), rate(auroc, 3), meanSeconds, medianSeconds,
                medianImagePasses, maxImagePasses));
        for (int i = 0; i < heldOut.size(); i++) {
            Fold f = heldOut.get(i);
            sb.append(String.format(Locale.ROOT,
                    "%nThreshold fitted on half %s (%d encoders: %s): %s; on the other %d: accuracy %s, TPR %s, FPR %s, AUROC %s%n",
                    i == 0 ? "A" : "B", f.fitOn().size(), String.join(", ", f.fitOn()), figure(f.threshold()), f.reportOn().size(),
                    rate(f.accuracy(), 3), rate(f.tpr(), 3), rate(f.fpr(), 3), rate(f.auroc(), 3)));
        }
        if (crossValidated != null) {
            sb.append(String.format(Locale.ROOT,
                    "%nBoth halves, each encoder judged at the threshold fitted on the other half (two-fold cross-validation): "
                            + "%d of %d right, accuracy %s, TPR %s, FPR %s%n",
                    crossValidated.correct(), crossValidated.encoders(), rate(crossValidated.accuracy(), 3),
                    rate(crossValidated.tpr(), 3), rate(crossValidated.fpr(), 3)));
        }
        return sb.toString();
    }
}
