package io.decree.contract;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of a scan that can change its verdict, and their defaults: the one place both are written. The detector
 * builds its search from them ({@code decree scan --config}); the worker sends them unchanged, overriding only what its
 * configuration names ({@link #with(Map)}), and hashes {@link #canonical()} into the scan key.
 *
 * @param threshold          PL1 below which the encoder is trojaned (fixed before the evaluation zoo, docs/detector.md)
 * @param steps              steps at most of the paper's uniform start
 * @param batch              shadow images per optimisation step
 * @param maxImages          shadow images used at most
 * @param seed               the search's random seed
 * @param maskGrid           the mask is optimised on about N x N cells (0: per pixel)
 * @param windowGrid         the search also starts from N x N windows of the image (0: the paper's single uniform start);
 *                           the main cost knob
 * @param holdout            shadow images kept out of the search to confirm each trigger (0: off, the paper's)
 * @param center             similarity on embeddings centred on the clean images' mean (false: the paper's plain cosine)
 * @param search             the search preset ({@link #SEARCH_PRESETS}) of a scan judged alone (no base, or a base that
 *                           embeds the shadow images unlike the model): lean since stop 41, its window probes ranked by
 *                           similarity gained per unit of mask (a fifth of the default's image-passes and every trojan
 *                           the default search catches on the zoo, docs/eval/plain-lean-gain.md); default, the search the
 *                           no-base threshold was set with before any zoo. {@code steps} and {@code batch} are the
 *                           default search's own knobs: named alone they bring it; another preset keeps its own
 * @param differentialSearch the search preset ({@link #SEARCH_PRESETS}) of a scan against a base model: lean, the base
 *                           ratio's (a fifth of the default's image-passes; the base itself is scanned with the default
 *                           search, once, docs/eval/base-ratio-lean.md); default, which the contrast threshold was
 *                           fitted with; quick (the default's starts, shorter: a fifth of the
 *                           image-passes, but it flagged the face control, docs/eval/contrast.md); fast (it missed
 *                           BadEncoder's own 10x10 trigger contrasted), the search the reference ratio was fitted with
 * @param differentialRule   how a scan against a base model decides: {@value #BASE_CONTRAST_BASE_RATIO}, the default
 *                           (the contrasted search's trigger against the base's own smallest trigger, {@link #BASE_RATIO});
 *                           {@value #BASE_CONTRAST} (one search through both for a trigger that collapses the model and
 *                           leaves the base apart, against a fixed share of the image, {@link #CONTRAST_THRESHOLD}: its
 *                           gap read off stopped searches vanished on whole ones, docs/eval/whole-rules.md) or
 *                           {@value #REFERENCE_RATIO} (the model's and the base's searches compared; it missed BadEncoder's
 *                           own 10x10 trigger)
 */
public record ScanSettings(double threshold, int steps, int batch, int maxImages, long seed, int maskGrid, int windowGrid,
        int holdout, boolean center, String search, String differentialSearch, String differentialRule) {

    /** Constants, for the CLI's help text (annotations take constants only). */
    public static final int DEFAULT_STEPS = 400;
    public static final int DEFAULT_BATCH = 32;

    /** The rules of a differential scan, as reports name them ({@code decision.rule}). */
    public static final String REFERENCE_RATIO = "reference-ratio";
    public static final String BASE_CONTRAST = "base-contrast";
    public static final String BASE_CONTRAST_BASE_RATIO = "base-contrast-base-ratio";
    public static final List<String> DIFFERENTIAL_RULES = List.of(BASE_CONTRAST_BASE_RATIO, BASE_CONTRAST, REFERENCE_RATIO);
    /** The search presets a scan may name (decree-core's {@code InversionConfig.preset}). */
    public static final List<String> SEARCH_PRESETS = List.of("default", "fast", "quick", "lean");

    /**
     * The contrasted scan's threshold: trojaned when a trigger smaller than this share of the image collapses the model
     * but not its base. Fitted (stop 26, docs/eval/contrast.md): the geometric middle of the gap, over the zoo's 30
     * fine-tuned encoders scanned with the default search, between the largest such trigger of a trojan (0.087,
     * BadEncoder's 10x10 on an MNIST encoder) and the smallest of a clean fine-tune (0.1998, the face control), 1.5x from
     * each; every leave-one-family-out fold's own threshold (kind, size, architecture, domain) judged the family it left
     * out right. It replaces 0.2, set before measuring (twice the largest patch trigger of the literature), which flagged
     * that control and sat 1.2x under another (0.241).
     */
    public static final double CONTRAST_THRESHOLD = 0.13;

    /**
     * The default differential rule's constant: trojaned when the smallest trigger that collapses every shadow image on the
     * model while leaving the base apart (the contrasted search, acceptance deciding) is smaller than this many times the
     * base's own smallest trigger (a plain scan of the base on the same images, whole search, acceptance deciding). The
     * ratio needs no pixel scale and no domain constant: the base's own trigger is the yardstick of its architecture,
     * input size and shadow images. Set at stop 35 (docs/eval/whole-rules.md), read off the 34 fine-tuned encoders of the
     * zoo with a plain scan of their base, every search run to its end: trojans at most 0.75 (BadEncoder's 10x10 on a
     * 32-wide Fashion-MNIST ResNet), clean fine-tunes at least 2.86; the gap's geometric middle 1.47, rounded to 1.5, 2x
     * from the trojans and 1.9x from the controls. Every leave-one-family-out fold (trigger kind, size, architecture,
     * domain) fitted its own threshold without the family and judged it right. Not fitted on: the MobileNetV2 trojan,
     * whose base's plain scan came after this constant.
     */
    public static final double BASE_RATIO = 1.5;

    /**
     * The base is the yardstick of a scan against it only while the model still embeds the shadow images as the base
     * does: the mean, over the clean shadow images, of the cosine between the model's embedding of an image and the
     * base's is at least this. Below it (or with embeddings of another size) the model is judged alone, by the rule of a
     * scan without a base. Set at stop 36 (docs/eval/base-ratio.md, "A clean fine-tune that moved"), after two clean
     * fine-tunes of another kind than the zoo's controls, SimCLR continued from a base with nothing holding it there,
     * were flagged by the base ratio (1.26x and 1.10x): they agree with their base at 0.79 (its own Fashion-MNIST images)
     * and 0.48 (moved to MNIST), while all 45 fine-tunes whose training keeps the base's embeddings, as BadEncoder's
     * utility term does (the zoo's 28 trojans and 16 controls, MobileNetV2's trojan), agree at 0.957-1.000 on their own
     * images (docs/eval/base-agreement.md). 0.9, about the middle of that gap, nearer the side that was measured 45 times. An attack that moves the
     * whole encoder as far as a fresh fine-tune gets the no-base rule, as if no base were named.
     */
    public static final double BASE_AGREEMENT = 0.9;

    public static final ScanSettings DEFAULTS = new ScanSettings(0.015, DEFAULT_STEPS, DEFAULT_BATCH, 1000, 100, 32, 5, 0, false,
            "lean", "lean", BASE_CONTRAST_BASE_RATIO);

    /** The settings every scan key has held since keys existed, in their order; a setting added later follows them. */
    private static final List<String> KEYED_FROM_THE_START =
            List.of("threshold", "steps", "batch", "maxImages", "seed", "maskGrid", "windowGrid", "holdout", "center");
    /**
     * A later setting is keyed when it differs from what every scan did before it existed: its default then, or, for a
     * setting whose default may move (the search), the value that reproduces those scans.
     */
    private static final Map<String, Object> BEFORE_IT_EXISTED = Map.of("search", "default");

    public ScanSettings {
        // maxImages may be below the batch: the shadow images are then augmented up to it (ShadowImages).
        if (!(threshold > 0 && threshold <= 1) || steps < 1 || batch < 2 || maxImages < 1 || maskGrid < 0 || windowGrid < 0
                || holdout < 0) {
            throw new IllegalArgumentException("scan settings out of range: threshold in (0,1], steps >= 1, batch >= 2, "
                    + "maxImages >= 1, maskGrid, windowGrid and holdout >= 0; got " + this);
        }
        if (!SEARCH_PRESETS.contains(search)) {
            throw new IllegalArgumentException("search must be one of " + SEARCH_PRESETS + ", got " + search);
        }
        if (!search.equals("default") && (steps != DEFAULT_STEPS || batch != DEFAULT_BATCH)) {
            throw new IllegalArgumentException("steps and batch shape the default search; the " + search
                    + " search has its own: name search=default with them, got " + this);
        }
        if (!SEARCH_PRESETS.contains(differentialSearch)) {
            throw new IllegalArgumentException("differentialSearch must be one of " + SEARCH_PRESETS + ", got " + differentialSearch);
        }
        if (!DIFFERENTIAL_RULES.contains(differentialRule)) {
            throw new IllegalArgumentException("differentialRule must be one of " + DIFFERENTIAL_RULES + ", got " + differentialRule);
        }
    }

    /**
     * The search preset each differential rule was measured with: the fixed contrast threshold needs the default search
     * (fast missed BadEncoder's 10x10 trigger, quick flagged the face control), the reference ratio was fitted on fast
     * searches, the base ratio is judged with the lean search against a base scanned with the default one (stop 38). What a rule gets unless the search is
     * named too (the CLI's {@code --search}, or {@code differentialSearch} beside the rule in {@link #with(Map)}).
     */
    public static String searchFittedWith(String differentialRule) {
        return switch (differentialRule) {
            case REFERENCE_RATIO -> "fast";
            case BASE_CONTRAST_BASE_RATIO -> "lean";
            default -> "default";
        };
    }

    /** Whether a scan against a base searches through both encoders at once. */
    public boolean contrasted() {
        return BASE_CONTRAST.equals(differentialRule) || BASE_CONTRAST_BASE_RATIO.equals(differentialRule);
    }

    /** Whether a scan against a base also scans the base alone first (its report is what a worker caches per base). */
    public boolean scansBaseAlone() {
        return REFERENCE_RATIO.equals(differentialRule) || BASE_CONTRAST_BASE_RATIO.equals(differentialRule);
    }

    /**
     * These settings with some replaced, by name: {@code windowGrid}, {@code window-grid} and {@code window.grid} (as an
     * environment variable reaches a Quarkus map) all name the same one. An unknown name or a value that does not parse
     * is refused, naming it: a misspelt setting must not scan with the default silently. A differential rule named
     * without a differential search brings the search it was measured with ({@link #searchFittedWith}): the reference
     * ratio alone must not judge default-search figures against a ratio fitted on fast ones.
     */
    public ScanSettings with(Map<String, String> overrides) {
        RecordComponent[] parts = ScanSettings.class.getRecordComponents();
        Object[] values = new Object[parts.length];
        Map<String, Integer> byName = new LinkedHashMap<>();
        for (int i = 0; i < parts.length; i++) {
            values[i] = get(parts[i]);
            byName.put(normal(parts[i].getName()), i);
        }
        overrides.forEach((name, text) -> {
            Integer i = byName.get(normal(name));
            if (i == null) {
                throw new IllegalArgumentException("unknown scan setting '" + name + "'; known: " + names());
            }
            values[i] = parse(parts[i], name, text.strip());
        });
        if (named(overrides, "differentialRule") && !named(overrides, "differentialSearch")) {
            values[byName.get(normal("differentialSearch"))] = searchFittedWith((String) values[byName.get(normal("differentialRule"))]);
        }
        if (!named(overrides, "search")) {
            int search = byName.get(normal("search"));
            values[search] = searchWhenUnnamed(named(overrides, "steps") || named(overrides, "batch"), (String) values[search]);
        }
        try {
            return (ScanSettings) ScanSettings.class.getDeclaredConstructors()[0].newInstance(values);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The search of settings that do not name one: the default search when steps or batch are named, since they are its
     * knobs (the other presets refuse them), else {@code otherwise}. The one rule for a job's settings ({@link #with})
     * and the CLI's flags.
     */
    public static String searchWhenUnnamed(boolean stepsOrBatchNamed, String otherwise) {
        return stepsOrBatchNamed ? "default" : otherwise;
    }

    private static boolean named(Map<String, String> overrides, String setting) {
        return overrides.keySet().stream().anyMatch(n -> normal(n).equals(normal(setting)));
    }

    /** The names of the settings, as {@link #with(Map)} and the JSON know them. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        for (RecordComponent c : ScanSettings.class.getRecordComponents()) {
            names.add(c.getName());
        }
        return names;
    }

    /**
     * The detector's settings as the scan key hashes them: those keyed from the start always (holdout only when on, as
     * before it existed), in their order, then any setting added since, only when it differs from what scans did before
     * it existed ({@link #BEFORE_IT_EXISTED}), so that a new setting left as it was keeps every earlier scan id. The differential search and rule are not here: they
     * are part of a differential scan's key ({@link #canonical(String, Map, String)}) and of what a worker announces.
     */
    public String canonical() {
        StringBuilder s = new StringBuilder();
        for (RecordComponent c : ScanSettings.class.getRecordComponents()) {
            String name = c.getName();
            Object value = get(c);
            boolean keyed = KEYED_FROM_THE_START.contains(name)
                    ? !(name.equals("holdout") && holdout == 0)
                    : !name.startsWith("differential") && !value.equals(BEFORE_IT_EXISTED.getOrDefault(name, DEFAULTS.get(c)));
            if (keyed) {
                s.append(s.isEmpty() ? "" : ";").append(name).append('=').append(value);
            }
        }
        return s.toString();
    }

    /**
     * What a scan key hashes: these settings, the shadow-image set, the input spec that takes effect (null: the model's
     * sidecar) and, for a differential scan, the base, its search and (when not the reference ratio, the rule keys had
     * before it was a setting) its rule; without a base, the string scans had before bases.
     */
    public String canonical(String shadowSet, Map<String, Object> inputSpec, String baseModel) {
        return canonical() + ";shadow=" + shadowSet + ";spec=" + (inputSpec == null ? "sidecar" : new java.util.TreeMap<>(inputSpec))
                + (baseModel == null ? "" : ";base=" + baseModel + ";search=" + differentialSearch + ruleKey());
    }

    /** What a worker announces and stamps on its results: a worker whose string (or version) differs rescans. */
    public String announced() {
        return canonical() + ";differentialSearch=" + differentialSearch + ruleKey();
    }

    private String ruleKey() {
        return contrasted() ? ";rule=" + differentialRule : "";
    }

    private Object get(RecordComponent c) {
        try {
            return c.getAccessor().invoke(this);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String normal(String name) {
        return name.replaceAll("[^A-Za-z0-9]", "").toLowerCase(Locale.ROOT);
    }

    private static Object parse(RecordComponent c, String name, String text) {
        Class<?> t = c.getType();
        try {
            if (t == double.class) {
                return Double.parseDouble(text);
            } else if (t == int.class) {
                return Integer.parseInt(text);
            } else if (t == long.class) {
                return Long.parseLong(text);
            } else if (t == boolean.class) {
                if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
                    throw new NumberFormatException();
                }
                return Boolean.parseBoolean(text);
            }
            return text;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("scan setting '" + name + "' must be a " + t.getSimpleName() + ", got '" + text + "'");
        }
    }
}
