package io.decree.scan;

import io.decree.trigger.InversionResult;
import java.util.Locale;

/**
 * How the evidence became the verdict: which rule decided, the score it compared, the threshold, and what the score
 * means in words a security reviewer can act on.
 *
 * @param rule      {@code pl1}: the paper's figure, the smallest trigger that collapses a batch of shadow images, as a
 *                  share of the image, against a fixed threshold; {@code accepted-pl1}: the smallest trigger that also
 *                  collapses the whole shadow set; against a base: {@code base-contrast-base-ratio} (the default),
 *                  {@code base-contrast} or {@code reference-ratio}
 * @param score     the compared value (1 when no trigger collapsed the shadow set)
 * @param threshold trojaned when {@code score < threshold}
 * @param agreement with a base: how alike the model and the base embed the shadow images; below its minimum the model
 *                  was judged alone, by {@code rule}, and {@code meaning} says why; null without a base
 */
public record Decision(String rule, double score, double threshold, Verdict verdict, String meaning, BaseAgreement agreement) {

    public Decision(String rule, double score, double threshold, Verdict verdict, String meaning) {
        this(rule, score, threshold, verdict, meaning, null);
    }

    /** This decision with the model's agreement with its base recorded; a model judged alone because of it says why. */
    public Decision with(BaseAgreement a) {
        return new Decision(rule, score, threshold, verdict, a.yardstick() ? meaning : a.whyAlone() + meaning, a);
    }

    /** The rule of a scan contrasted with its base ({@link #contrasted}). */
    public static final String BASE_CONTRAST = io.decree.contract.ScanSettings.BASE_CONTRAST;

    /** @param accepted whether the answer is the accepted trigger (holds on every shadow image) or the batch figure */
    public static Decision pl1(InversionResult r, double threshold, boolean accepted) {
        Verdict v = Verdict.of(r.targetReached(), r.pl1(), threshold);
        String collapses = accepted ? "collapses every shadow image's embedding" : "collapses a batch of shadow images' embeddings";
        String meaning;
        if (!r.targetReached()) {
            meaning = "no trigger smaller than the whole image collapsed the shadow images' embeddings";
        } else if (v == Verdict.TROJANED) {
            meaning = String.format(Locale.ROOT, "a trigger covering %.2f%% of the image %s (%.1fx below the threshold): "
                    + "a backdoor's shortcut", 100 * r.pl1(), collapses, threshold / r.pl1());
        } else {
            meaning = String.format(Locale.ROOT, "the smallest trigger that %s covers %.2f%% of the image, %.1fx the threshold: "
                    + "no shortcut as small as a backdoor's was found", collapses, 100 * r.pl1(), r.pl1() / threshold);
        }
        return new Decision(accepted ? "accepted-pl1" : "pl1", r.targetReached() ? r.pl1() : 1.0, threshold, v, meaning);
    }

    /**
     * The contrasted differential rule: the smallest trigger that collapses every shadow image on the model while the
     * base's embeddings of the same stamped images stay apart, against a fixed share of the image. {@code r} must come
     * from a search contrasted with {@code base} where acceptance decides.
     */
    public static Decision contrasted(InversionResult r, double threshold, String base) {
        Verdict v = Verdict.of(r.targetReached(), r.pl1(), threshold);
        String meaning;
        if (!r.targetReached()) {
            meaning = noContrastedTrigger(base);
        } else if (v == Verdict.TROJANED) {
            meaning = String.format(Locale.ROOT, "a trigger covering %.2f%% of the image collapses every shadow image's embedding "
                    + "on this model but not on %s (trojaned below %.2f%%): a shortcut fine-tuning added, a backdoor's",
                    100 * r.pl1(), base, 100 * threshold);
        } else {
            meaning = String.format(Locale.ROOT, "the smallest trigger that collapses every shadow image's embedding on this model "
                    + "but not on %s covers %.2f%% of the image (trojaned below %.2f%%): no shortcut as small as a backdoor's "
                    + "was added by fine-tuning", base, 100 * r.pl1(), 100 * threshold);
        }
        return new Decision(BASE_CONTRAST, r.targetReached() ? r.pl1() : 1.0, threshold, v, meaning);
    }

    /**
     * The default differential rule ({@value io.decree.contract.ScanSettings#BASE_CONTRAST_BASE_RATIO}): the contrasted
     * trigger (as {@link #contrasted}) divided by the base's own smallest trigger, {@code ownPl1} (its plain scan on the
     * same images), trojaned below {@code maxRatio}. The score is that ratio: how many times the base's own shortcut the
     * smallest shortcut fine-tuning added is (1 / {@code ownPl1} when none was found: the whole image).
     */
    public static Decision baseRatio(InversionResult r, double ownPl1, double maxRatio, String base) {
        double ratio = (r.targetReached() ? r.pl1() : 1.0) / ownPl1;
        Verdict v = r.targetReached() && ratio < maxRatio ? Verdict.TROJANED : Verdict.CLEAN;
        String own = String.format(Locale.ROOT, "%s's own smallest trigger (%.2f%% of the image, on the same images)", base, 100 * ownPl1);
        String meaning;
        if (!r.targetReached()) {
            meaning = noContrastedTrigger(base);
        } else if (v == Verdict.TROJANED) {
            meaning = String.format(Locale.ROOT, "a trigger covering %.2f%% of the image collapses every shadow image's embedding "
                    + "on this model but not on %s: %.2fx %s, below %.2fx: a shortcut fine-tuning added, a backdoor's",
                    100 * r.pl1(), base, ratio, own, maxRatio);
        } else {
            meaning = String.format(Locale.ROOT, "the smallest trigger that collapses every shadow image's embedding on this model "
                    + "but not on %s covers %.2f%% of the image, %.2fx %s (trojaned below %.2fx): no shortcut as small as a "
                    + "backdoor's was added by fine-tuning", base, 100 * r.pl1(), ratio, own, maxRatio);
        }
        return new Decision(io.decree.contract.ScanSettings.BASE_CONTRAST_BASE_RATIO, ratio, maxRatio, v, meaning);
    }

    /** What both contrast rules say when the contrasted search found no trigger at all. */
    private static String noContrastedTrigger(String base) {
        return "no trigger smaller than the whole image collapses every shadow image's embedding on this model while leaving "
                + base + "'s apart: fine-tuning added no shortcut";
    }

    /**
     * The calibrated rule: the accepted PL1 against the clean references' median. {@code r} must come from a search
     * where acceptance decides, so that {@code r.pl1()} is the accepted figure.
     */
    public static Decision relative(InversionResult r, Reference ref) {
        double median = ref.median();
        double ratio = r.targetReached() ? r.pl1() / median : 1.0 / median;
        Verdict v = Verdict.of(r.targetReached(), r.pl1(), ref.threshold());
        String of = ref.acceptedPl1s().length == 1
                ? String.format(Locale.ROOT, "that of the clean reference %s on these images (%.2f%%)", ref.encoders().get(0), 100 * median)
                : String.format(Locale.ROOT, "the median of %d clean reference encoders on these images (%.2f%%)", ref.acceptedPl1s().length,
                        100 * median);
        String meaning;
        if (!r.targetReached()) {
            meaning = "no trigger smaller than the whole image collapsed every shadow image's embedding";
        } else if (v == Verdict.TROJANED) {
            meaning = String.format(Locale.ROOT, "a trigger covering %.2f%% of the image collapses every shadow image's embedding: "
                    + "%.2fx %s, below %.2fx: a backdoor's shortcut", 100 * r.pl1(), ratio, of, ref.maxRatio());
        } else {
            meaning = String.format(Locale.ROOT, "the smallest trigger that collapses every shadow image's embedding covers %.2f%% "
                    + "of the image, %.2fx %s (trojaned below %.2fx): no shortcut smaller than clean encoders of this kind have",
                    100 * r.pl1(), ratio, of, ref.maxRatio());
        }
        return new Decision(io.decree.contract.ScanSettings.REFERENCE_RATIO, ratio, ref.maxRatio(), v, meaning);
    }
}
