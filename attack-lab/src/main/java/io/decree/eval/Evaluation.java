package io.decree.eval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * How well PL1 separates a zoo's trojaned encoders from its clean ones.
 *
 * @param auroc probability that a random trojaned encoder has a smaller PL1 than a random clean
 *              one (ties count half): the threshold-free separation
 */
public record Evaluation(List<Row> rows, double threshold, double accuracy, double tpr, double fpr, double auroc,
        double meanSeconds, double medianSeconds) {

    /** One scanned encoder. */
    public record Row(String model, boolean trojaned, double pl1, String verdict, double seconds) {
        boolean flagged() {
            return verdict.equals("trojaned");
        }
    }

    public static Evaluation of(List<Row> rows, double threshold) {
        int tp = 0;
        int fp = 0;
        int tn = 0;
        int fn = 0;
        for (Row r : rows) {
            if (r.trojaned()) {
                if (r.flagged()) {
                    tp++;
                } else {
                    fn++;
                }
            } else if (r.flagged()) {
                fp++;
            } else {
                tn++;
            }
        }
        double accuracy = (tp + tn) / (double) rows.size();
        double tpr = tp + fn == 0 ? Double.NaN : tp / (double) (tp + fn);
        double fpr = fp + tn == 0 ? Double.NaN : fp / (double) (fp + tn);
        List<Double> secs = new ArrayList<>(rows.stream().map(Row::seconds).sorted(Comparator.naturalOrder()).toList());
        double mean = secs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        int k = secs.size();
        double median = k == 0 ? Double.NaN : k % 2 == 1 ? secs.get(k / 2) : (secs.get(k / 2 - 1) + secs.get(k / 2)) / 2;
        return new Evaluation(rows, threshold, accuracy, tpr, fpr, auroc(rows), mean, median);
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
                wins += t.pl1() < c.pl1() ? 1 : t.pl1() == c.pl1() ? 0.5 : 0;
            }
        }
        return pairs == 0 ? Double.NaN : wins / pairs;
    }

    /** The evaluation as a Markdown table and summary, for eval.md. */
    public String markdown() {
        StringBuilder sb = new StringBuilder("| model | label | PL1 | verdict | seconds |\n|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append(String.format(java.util.Locale.ROOT, "| %s | %s | %.4f | %s | %.1f |%n", r.model(),
                    r.trojaned() ? "trojaned" : "clean", r.pl1(), r.verdict(), r.seconds()));
        }
        sb.append(String.format(java.util.Locale.ROOT,
                "%nthreshold %.4f: accuracy %.3f, TPR %.3f, FPR %.3f, AUROC of PL1 %.3f; seconds per encoder: mean %.1f, median %.1f%n",
                threshold, accuracy, tpr, fpr, auroc, meanSeconds, medianSeconds));
        return sb.toString();
    }
}
