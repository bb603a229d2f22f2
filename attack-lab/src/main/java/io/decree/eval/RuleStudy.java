package io.decree.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.decree.scan.ScanReport;
import io.decree.trigger.SearchStart;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Candidate decision rules, each judged the honest way: an encoder is judged by a threshold fitted without the
 * family it belongs to (leave-one-family-out: trigger kind, trigger size band, trigger placement, architecture, image domain), so a
 * rule tuned to one kind of trigger or one domain cannot look good. Clean encoders, which have no trigger, are
 * judged leave-one-out in the trigger folds and with their architecture or domain in the others.
 *
 * <p>A statistic's score is lower the more trojan-like; an encoder is flagged when its score is below the threshold.
 */
public final class RuleStudy {

    /** A scanned zoo encoder with what the folds group by; trigger fields are null for a clean encoder. */
    public record Subject(String model, boolean trojaned, String kind, String position, double area, String architecture,
            String domain, String parent, ScanReport report) {

        /**
         * Whether the scan was contrasted with the encoder's base ({@code decree eval --contrast}), by either contrast rule:
         * both searches are the same, only the threshold differs.
         */
        boolean contrasted() {
            return report.decision() != null && (CONTRASTED.equals(report.decision().rule())
                    || io.decree.contract.ScanSettings.BASE_CONTRAST_BASE_RATIO.equals(report.decision().rule()));
        }

        /**
         * Where the trigger sits, as the search's window starts see it: a corner, the middle of an edge or the centre (the
         * zoo's first trojans sat at two corners and the centre only; stop 43 held out the others).
         */
        String placement() {
            if (position == null) {
                return null;
            }
            return switch (position) {
                case "center" -> "centre";
                case "top", "bottom", "left", "right" -> "edge";
                case "top_left", "top_right", "bottom_left", "bottom_right" -> "corner";
                default -> position;
            };
        }

        /** Size band of the trigger as a share of the image: the zoo's first, small triggers or the paper's sizes. */
        String sizeBand() {
            return kind == null ? null : area < 0.03 ? "under 3 %" : "3-10 %";
        }
    }

    /**
     * A candidate statistic: its name, what it means, whether it is a ratio (fitted on a log scale), and the constant decree
     * ships for it (NaN: none), judged as it is besides the fitted thresholds.
     */
    public record Statistic(String name, String meaning, boolean positive, Scorer scorer, double shipped) {
        Statistic(String name, String meaning, boolean positive, Scorer scorer) {
            this(name, meaning, positive, scorer, Double.NaN);
        }
    }

    @FunctionalInterface
    public interface Scorer {
        /** The score, or NaN where the statistic does not apply (say, no parent to compare with). */
        double score(Subject s, List<Subject> all);
    }

    /** One statistic's figures. */
    public record Result(String statistic, String meaning, int applies, double auroc, double aurocLarge, double fittedAccuracy,
            Map<String, Double> leaveOneFamilyOut, double worstLofo, int realFalsePositives, int realJudged, double shipped,
            double shippedAccuracy, double shippedAccuracyLarge) {
    }

    /** The attributes whose values make the leave-one-family-out folds. */
    static final Map<String, Function<Subject, String>> FAMILIES = new LinkedHashMap<>();

    static {
        FAMILIES.put("trigger kind", Subject::kind);
        FAMILIES.put("trigger size", Subject::sizeBand);
        FAMILIES.put("trigger placement", Subject::placement);
        FAMILIES.put("architecture", Subject::architecture);
        FAMILIES.put("domain", Subject::domain);
    }

    /**
     * The contrasted scan's rule; its statistics (named from it) apply to contrasted scans only, every other statistic to
     * plain ones.
     */
    static final String CONTRASTED = io.decree.scan.Decision.BASE_CONTRAST;

    /** {@code st}'s score of {@code s}, NaN where it does not apply (a plain statistic on a contrasted scan, or the reverse). */
    static double score(Statistic st, Subject s, List<Subject> all) {
        return st.name().startsWith(CONTRASTED) == s.contrasted() ? st.scorer().score(s, all) : Double.NaN;
    }

    public static List<Statistic> candidates() {
        return List.of(
                new Statistic(CONTRASTED, "PL1 of the smallest trigger that collapses every shadow image on the model while its "
                        + "base's embeddings stay apart (scan --baseline BASE --contrast)", true, (s, all) -> acceptedPl1(s),
                        io.decree.scan.Scanner.DEFAULT_CONTRAST_THRESHOLD),
                new Statistic(CONTRASTED + "-sibling-ratio", "contrasted PL1 / the smallest contrasted PL1 of the other clean "
                        + "fine-tunes of the same base (clean references of that base an operator would trust)", true,
                        RuleStudy::siblingRatio),
                new Statistic(CONTRASTED + "-base-ratio", "contrasted PL1 / the base's own smallest trigger (accepted PL1 of "
                        + "a plain scan of the base on the same images, eval --base-scans): how a backdoor's shortcut compares "
                        + "with the shortcut the architecture and domain give anyway; the default rule against a base", true,
                        RuleStudy::baseRatio, io.decree.contract.ScanSettings.BASE_RATIO),
                new Statistic(CONTRASTED + "-px", "the same trigger's area in the model's input pixels (PL1 x H x W): a "
                        + "backdoor's trigger is a patch of some pixels whatever the input size", true, (s, all) -> acceptedAreaPx(s)),
                new Statistic("pl1", "PL1 of the trigger that decided (the paper's smallest batch success unless acceptance decides)",
                        true, (s, all) -> pl1(s), io.decree.scan.Scanner.DEFAULT_THRESHOLD),
                new Statistic("accepted-pl1", "PL1 of the smallest trigger that also collapses the whole shadow set", true,
                        (s, all) -> acceptedPl1(s)),
                new Statistic("accepted-area-px", "accepted PL1 x H x W: the accepted trigger's area in pixels (a trigger is "
                        + "a pixel patch whatever the input size)", true, (s, all) -> acceptedAreaPx(s)),
                new Statistic("start-ratio", "smallest start's PL1 / median start's PL1 (the search's own starts as reference)", true,
                        (s, all) -> startRatio(s)),
                new Statistic("start-anomaly", "minus the anomaly index of the smallest start among all starts (log PL1, MAD)",
                        false, (s, all) -> -startAnomaly(s)),
                new Statistic("domain-ratio", "PL1 / median PL1 of the other clean encoders on the same images (a calibration)", true,
                        (s, all) -> domainRatio(s, all, RuleStudy::pl1)),
                new Statistic("accepted-domain-ratio", "accepted PL1 / median accepted PL1 of the other clean encoders on the same "
                        + "images (a calibration)", true, (s, all) -> domainRatio(s, all, RuleStudy::acceptedPl1),
                        io.decree.scan.Reference.DEFAULT_MAX_RATIO),
                new Statistic("parent-ratio", "PL1 / PL1 of the encoder it was fine-tuned from (a differential scan)", true,
                        (s, all) -> parentRatio(s, all, RuleStudy::pl1)),
                new Statistic("accepted-parent-ratio", "accepted PL1 / accepted PL1 of the encoder it was fine-tuned from", true,
                        (s, all) -> parentRatio(s, all, RuleStudy::acceptedPl1), io.decree.scan.Reference.DEFAULT_MAX_RATIO));
    }

    static double pl1(Subject s) {
        return s.report().targetReached() ? s.report().pl1Norm() : 1.0;
    }

    static double acceptedPl1(Subject s) {
        return s.report().acceptance() == null ? Double.NaN : s.report().acceptance().acceptedPl1();
    }

    static double acceptedAreaPx(Subject s) {
        var enc = s.report().encoder();
        return enc == null || enc.inputSpec() == null ? Double.NaN
                : acceptedPl1(s) * enc.inputSpec().height() * enc.inputSpec().width();
    }

    static double startRatio(Subject s) {
        double[] p = starts(s);
        return p.length < 3 ? Double.NaN : p[0] / median(p);
    }

    /** (median - min) / (1.4826 MAD) of the starts' log PL1s; the MAD is floored at 0.05 (5 %) so ties cannot divide by 0. */
    static double startAnomaly(Subject s) {
        double[] p = starts(s);
        if (p.length < 3) {
            return Double.NaN;
        }
        double[] logs = Arrays.stream(p).map(Math::log).toArray();
        double med = median(logs);
        double mad = median(Arrays.stream(logs).map(v -> Math.abs(v - med)).toArray());
        return (med - logs[0]) / (1.4826 * Math.max(mad, 0.05));
    }

    private static double[] starts(Subject s) {
        List<SearchStart> st = s.report().starts();
        return st == null ? new double[0] : st.stream().mapToDouble(SearchStart::pl1).sorted().toArray();
    }

    static double domainRatio(Subject s, List<Subject> all, java.util.function.ToDoubleFunction<Subject> figure) {
        double[] ref = all.stream().filter(o -> !o.trojaned() && !o.model().equals(s.model()) && o.domain().equals(s.domain()))
                .mapToDouble(figure).filter(v -> !Double.isNaN(v)).toArray();
        return ref.length == 0 ? Double.NaN : figure.applyAsDouble(s) / median(ref);
    }

    static double parentRatio(Subject s, List<Subject> all, java.util.function.ToDoubleFunction<Subject> figure) {
        if (s.parent() == null) {
            return Double.NaN;
        }
        return all.stream().filter(o -> o.model().equals(s.parent())).findFirst()
                .map(p -> figure.applyAsDouble(s) / figure.applyAsDouble(p)).orElse(Double.NaN);
    }

    /**
     * The contrasted figure over the smallest of the other clean fine-tunes of the same base, each scanned contrasted with
     * it (NaN without one): how far below what clean fine-tuning of that base yields. The smallest, so that a clean
     * model is judged against the cleanest shortcut known for its base.
     */
    static double siblingRatio(Subject s, List<Subject> all) {
        if (s.parent() == null) {
            return Double.NaN;
        }
        double smallest = all.stream()
                .filter(o -> !o.trojaned() && o.contrasted() && s.parent().equals(o.parent()) && !o.model().equals(s.model()))
                .mapToDouble(RuleStudy::acceptedPl1).filter(v -> !Double.isNaN(v)).min().orElse(Double.NaN);
        return acceptedPl1(s) / smallest;
    }

    /**
     * The contrasted figure over the accepted PL1 of a plain scan of the encoder's base (NaN without one): a scale that
     * comes with the base itself, so neither a threshold per input size nor clean siblings are needed. Only a base scan
     * on the same shadow images counts: on others its trigger measures other images.
     */
    static double baseRatio(Subject s, List<Subject> all) {
        if (s.parent() == null) {
            return Double.NaN;
        }
        return all.stream().filter(o -> !o.contrasted() && o.model().equals(s.parent()) && o.domain().equals(s.domain())).findFirst()
                .map(b -> acceptedPl1(s) / acceptedPl1(b)).orElse(Double.NaN);
    }

    static double median(double[] v) {
        return io.decree.scan.Reference.median(v);
    }

    /** The subjects of a zoo, given each encoder's scan report. */
    public static List<Subject> subjects(Zoo zoo, Function<Zoo.Entry, ScanReport> reports) {
        List<Subject> out = new ArrayList<>();
        for (Zoo.Entry e : zoo.encoders()) {
            ScanReport r = reports.apply(e);
            if (r == null) {
                continue;
            }
            JsonNode a = e.attack();
            JsonNode trigger = a == null || !e.trojaned() ? null : a.get("trigger");
            out.add(new Subject(e.name(), e.trojaned(),
                    trigger == null ? null : trigger.get("kind").asText().toLowerCase(Locale.ROOT),
                    trigger == null ? null : trigger.get("position").asText().toLowerCase(Locale.ROOT),
                    trigger == null ? 0 : a.get("triggerArea").asDouble(), architecture(zoo, e), domain(e, r), e.base(), r));
        }
        return out;
    }

    /** The shadow images' folder the scan read (eval --images may replace the zoo's), else the zoo's for the encoder. */
    static String domain(Zoo.Entry e, ScanReport r) {
        return r.images() != null && r.images().dir() != null ? java.nio.file.Path.of(r.images().dir()).getFileName().toString()
                : e.images().getFileName().toString();
    }

    /** The architecture an encoder was built on: a pre-training's, its base's, or a real encoder's own name. */
    private static String architecture(Zoo zoo, Zoo.Entry e) {
        JsonNode a = e.attack();
        if (e.base() != null) {
            // Before the report's own architecture: a continued pre-training names its base there.
            Zoo.Entry base = zoo.entry(e.base());
            return base != null ? architecture(zoo, base) : e.base().replaceFirst("\\.pt$", "");
        }
        if (a != null && a.hasNonNull("architecture")) {
            return a.get("architecture").asText().replaceFirst("\\.pt$", "").replaceFirst("^generated-", "");
        }
        return e.name().replaceFirst("\\.pt$", "");
    }

    public static List<Result> judge(List<Subject> subjects, List<String> realClean) {
        List<Result> out = new ArrayList<>();
        for (Statistic st : candidates()) {
            List<Scored> scored = subjects.stream().map(s -> new Scored(s, score(st, s, subjects)))
                    .filter(x -> !Double.isNaN(x.score)).toList();
            if (scored.stream().noneMatch(x -> x.subject.trojaned()) || scored.stream().allMatch(x -> x.subject.trojaned())) {
                continue;
            }
            Map<String, Double> lofo = new LinkedHashMap<>();
            double worst = 1;
            int fp = 0;
            int judgedReal = 0;
            for (Map.Entry<String, Function<Subject, String>> fam : FAMILIES.entrySet()) {
                int right = 0;
                int judged = 0;
                for (Scored x : scored) {
                    String v = fam.getValue().apply(x.subject);
                    List<Scored> fit = scored.stream().filter(o -> o != x && (v == null || !v.equals(fam.getValue().apply(o.subject))))
                            .toList();
                    double t = fit(fit, st.positive());
                    if (Double.isNaN(t)) {
                        // Leaving this family out leaves nothing of one label to fit on (a zoo with one architecture, say):
                        // the fold cannot be judged, which is said (n/a), not counted as a miss.
                        continue;
                    }
                    judged++;
                    boolean flagged = below(x.score, t, st.positive());
                    right += flagged == x.subject.trojaned() ? 1 : 0;
                    if (fam.getKey().equals("domain") && realClean.contains(x.subject.model())) {
                        judgedReal++;
                        fp += flagged ? 1 : 0;
                    }
                }
                double acc = judged < scored.size() / 2 ? Double.NaN : right / (double) judged;
                lofo.put(fam.getKey(), acc);
                if (!Double.isNaN(acc)) {
                    worst = Math.min(worst, acc);
                }
            }
            List<Scored> large = scored.stream().filter(x -> !x.subject.trojaned() || x.subject.area() >= 0.05).toList();
            double all = fit(scored, st.positive());
            long rightAll = scored.stream().filter(x -> below(x.score, all, st.positive()) == x.subject.trojaned()).count();
            out.add(new Result(st.name(), st.meaning(), scored.size(), auroc(scored), auroc(large), rightAll / (double) scored.size(),
                    lofo, worst, fp, judgedReal, st.shipped(), accuracyAt(scored, st.shipped()), accuracyAt(large, st.shipped())));
        }
        return out;
    }

    private record Scored(Subject subject, double score) {
    }

    /** Accuracy of "trojaned below {@code threshold}" as shipped (nothing fitted); NaN without a shipped constant. */
    private static double accuracyAt(List<Scored> scored, double threshold) {
        if (Double.isNaN(threshold) || scored.isEmpty()) {
            return Double.NaN;
        }
        return scored.stream().filter(x -> (x.score < threshold) == x.subject.trojaned()).count() / (double) scored.size();
    }

    private static double key(double v, boolean positive) {
        return positive ? Math.log(Math.max(v, 1e-12)) : v;
    }

    private static boolean below(double score, double threshold, boolean positive) {
        return !Double.isNaN(threshold) && key(score, positive) < threshold;
    }

    /** The threshold (on the key scale) with the best accuracy on {@code fit}; among equals, the middle of the widest gap. */
    static double fit(List<Scored> fit, boolean positive) {
        if (fit.stream().noneMatch(x -> x.subject.trojaned()) || fit.stream().allMatch(x -> x.subject.trojaned())) {
            return Double.NaN;
        }
        double[] k = fit.stream().mapToDouble(x -> key(x.score, positive)).distinct().sorted().toArray();
        double best = Double.NaN;
        double bestAcc = -1;
        double bestGap = -1;
        for (int i = 0; i <= k.length; i++) {
            double lo = i == 0 ? k[0] - 1 : k[i - 1];
            double hi = i == k.length ? k[k.length - 1] + 1 : k[i];
            double t = (lo + hi) / 2;
            long right = fit.stream().filter(x -> (key(x.score, positive) < t) == x.subject.trojaned()).count();
            double acc = right / (double) fit.size();
            if (acc > bestAcc + 1e-12 || (Math.abs(acc - bestAcc) <= 1e-12 && hi - lo > bestGap)) {
                best = t;
                bestAcc = acc;
                bestGap = hi - lo;
            }
        }
        return best;
    }

    private static double auroc(List<Scored> scored) {
        double pairs = 0;
        double wins = 0;
        for (Scored t : scored) {
            if (!t.subject.trojaned()) {
                continue;
            }
            for (Scored c : scored) {
                if (c.subject.trojaned()) {
                    continue;
                }
                pairs++;
                wins += t.score < c.score ? 1 : t.score == c.score ? 0.5 : 0;
            }
        }
        return pairs == 0 ? Double.NaN : wins / pairs;
    }

    /** rules.md: the subjects with every score, then each statistic's figures, best worst-fold first. */
    public static String markdown(List<Subject> subjects, List<Result> results) {
        StringBuilder sb = new StringBuilder("# Decision rules judged leave-one-family-out\n\n");
        List<Statistic> stats = candidates();
        sb.append("| model | label | trigger | arch | domain |");
        stats.forEach(st -> sb.append(' ').append(st.name()).append(" |"));
        sb.append("\n|---|---|---|---|---|").append("---|".repeat(stats.size())).append('\n');
        for (Subject s : subjects) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |", s.model(), s.trojaned() ? "trojaned" : "clean",
                    s.kind() == null ? "–" : String.format(Locale.ROOT, "%s %s %.1f %%", s.kind(), s.position(), 100 * s.area()),
                    s.architecture(), s.domain()));
            for (Statistic st : stats) {
                double v = score(st, s, subjects);
                sb.append(Double.isNaN(v) ? " – |" : String.format(Locale.ROOT, " %.4f |", v));
            }
            sb.append('\n');
        }
        sb.append("\n| statistic | meaning | encoders | AUROC | AUROC, triggers >= 5 % | accuracy, fitted on all |");
        FAMILIES.keySet().forEach(f -> sb.append(" LOFO ").append(f).append(" |"));
        sb.append(" real clean flagged (LOFO domain) | shipped constant: accuracy, on triggers >= 5 % |\n|---|---|---|---|---|---|")
                .append("---|".repeat(FAMILIES.size())).append("---|---|\n");
        results.stream().sorted(Comparator.comparingDouble(Result::worstLofo).reversed()).forEach(r -> {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s |", r.statistic(), r.meaning(), r.applies(),
                    Evaluation.rate(r.auroc(), 3), Evaluation.rate(r.aurocLarge(), 3), Evaluation.rate(r.fittedAccuracy(), 3)));
            r.leaveOneFamilyOut().values().forEach(v -> sb.append(' ').append(Evaluation.rate(v, 3)).append(" |"));
            sb.append(String.format(Locale.ROOT, " %d of %d | %s |%n", r.realFalsePositives(), r.realJudged(),
                    Double.isNaN(r.shipped()) ? "–" : String.format(Locale.ROOT, "%s: %s, %s", r.shipped(),
                            Evaluation.rate(r.shippedAccuracy(), 3), Evaluation.rate(r.shippedAccuracyLarge(), 3))));
        });
        return sb.toString();
    }

    /** The scan report a previous evaluation left in {@code scans} for an entry, or null. */
    public static ScanReport reportIn(Path scans, Zoo.Entry e) {
        Path f = scans.resolve(e.name().replaceFirst("\\.pt$", "")).resolve("report.json");
        return java.nio.file.Files.isRegularFile(f) ? Objects.requireNonNull(ScanReport.read(f)) : null;
    }
}
