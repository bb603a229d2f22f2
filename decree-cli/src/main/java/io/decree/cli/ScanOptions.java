package io.decree.cli;

import ai.djl.Device;
import io.decree.BadInputException;
import io.decree.encoder.InputSpec;
import io.decree.scan.Scanner;
import io.decree.trigger.InversionConfig;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What a scan needs besides the model: shadow images, input spec and optimisation settings. */
final class ScanOptions {
    @Option(names = "--images", paramLabel = "DIR", description = "Folder of clean PNG/JPEG shadow images (required without --config).")
    Path images;

    @Mixin
    SpecOptions spec = new SpecOptions();

    @Option(names = "--threshold", paramLabel = "X", description = "PL1 below which the encoder is trojaned (default: ${DEFAULT-VALUE}).")
    double threshold = Scanner.DEFAULT_THRESHOLD;

    @Option(names = "--max-images", paramLabel = "N", description = "Use at most N shadow images (default: ${DEFAULT-VALUE}).")
    int maxImages = Scanner.DEFAULT_MAX_IMAGES;

    @Mixin
    SearchOptions search = new SearchOptions();

    @Option(names = "--reference", paramLabel = "REPORT.json",
            description = "report.json of a clean encoder of the same kind scanned with the same images (repeatable; the upstream "
                    + "checkpoint makes a differential scan): the verdict becomes relative to their median accepted PL1, "
                    + "replacing --threshold.")
    java.util.List<Path> references = new java.util.ArrayList<>();

    @Option(names = "--baseline", paramLabel = "BASE.pt",
            description = "The upstream checkpoint MODEL.pt was fine-tuned from (a differential scan), judged by "
                    + "--differential-rule. By default base-contrast-base-ratio: BASE.pt is scanned alone first on the same "
                    + "images (its report goes to --out's baseline/ and is reused there), then one search through both "
                    + "encoders looks for a trigger that collapses MODEL.pt's embeddings while leaving BASE.pt's apart; "
                    + "trojaned when that trigger is smaller than --base-ratio times BASE.pt's own smallest trigger. "
                    + "base-contrast: the same search against --contrast-threshold (see --contrast). reference-ratio: the "
                    + "two encoders' separate searches compared, as with --reference (searches fast unless --search says "
                    + "otherwise).")
    Path baseline;

    @Option(names = "--differential-rule", paramLabel = "RULE",
            description = "With --baseline: base-contrast-base-ratio, base-contrast or reference-ratio (default: ${DEFAULT-VALUE}, "
                    + "the scan contract's).")
    String differentialRule = io.decree.contract.ScanSettings.DEFAULTS.differentialRule();

    @Option(names = "--contrast",
            description = "With --baseline, short for --differential-rule base-contrast: search for a trigger that collapses "
                    + "MODEL.pt's embeddings while leaving BASE.pt's apart (one search through both encoders), without "
                    + "scanning BASE.pt alone; trojaned when that trigger's PL1 is below --contrast-threshold. "
                    + "Searches as a default scan unless --search says otherwise.")
    boolean contrast;

    @Option(names = "--base-ratio", paramLabel = "X",
            description = "With --baseline and the default rule: trojaned when the contrasted trigger is smaller than X times "
                    + "BASE.pt's own smallest trigger (default: ${DEFAULT-VALUE}, the scan contract's).")
    double baseRatio = io.decree.contract.ScanSettings.BASE_RATIO;

    @Option(names = "--base-agreement", paramLabel = "X",
            description = "With --baseline and the default rule: BASE.pt judges MODEL.pt only while the two embed the shadow "
                    + "images alike, the mean cosine between their embeddings of the same image at least X (default: "
                    + "${DEFAULT-VALUE}, the scan contract's); below it MODEL.pt is judged alone, as without --baseline.")
    double baseAgreement = io.decree.contract.ScanSettings.BASE_AGREEMENT;

    @Option(names = "--contrast-threshold", paramLabel = "X",
            description = "With --contrast: PL1 below which the model is trojaned (default: ${DEFAULT-VALUE}).")
    double contrastThreshold = Scanner.DEFAULT_CONTRAST_THRESHOLD;

    @Option(names = "--reference-ratio", paramLabel = "X",
            description = "With --reference or --baseline: trojaned when the accepted PL1 is below X times the references' median (default: ${DEFAULT-VALUE}).")
    double referenceRatio = io.decree.scan.Reference.DEFAULT_MAX_RATIO;

    @Option(names = "--device", paramLabel = "auto|cpu|gpu", description = "Where to run (default: ${DEFAULT-VALUE}: the GPU when one is present).")
    String device = "auto";

    /** The search of a worker's job ({@code --config}), which replaces every search option; null: the options'. */
    InversionConfig jobSearch;

    /** A worker's job's settings ({@code --config}); null: the options'. */
    io.decree.contract.ScanSettings jobSettings;

    /** A worker's job's probes together ({@code --config}); null: by device. */
    Integer jobProbesTogether;

    /** Whether this is a contrasted differential scan: a base, and a contrast rule (by --contrast or the default). */
    boolean contrasted() {
        return baseline != null && (contrast || io.decree.contract.ScanSettings.BASE_CONTRAST.equals(differentialRule) || byBaseRatio());
    }

    /** Whether the base ratio decides: a base, the rule base-contrast-base-ratio (the default), and no --contrast. */
    boolean byBaseRatio() {
        return baseline != null && !contrast && io.decree.contract.ScanSettings.BASE_CONTRAST_BASE_RATIO.equals(differentialRule);
    }

    InversionConfig config() {
        // A differential rule searches as it was measured (the contract's searchFittedWith) unless --search says otherwise.
        return jobSearch != null ? jobSearch : search.config(contrasted() ? contrastThreshold : threshold,
                baseline == null ? search.unnamedSearch() : io.decree.contract.ScanSettings.searchFittedWith(
                        contrast ? io.decree.contract.ScanSettings.BASE_CONTRAST : differentialRule));
    }

    /**
     * Takes a worker's job as these options: its images, base, device and settings (ScanSettings, all given); a job
     * against a base with a contrast rule is a contrasted scan at the contract's constant (base ratio or contrast
     * threshold).
     */
    void from(io.decree.contract.ScanJob job) {
        io.decree.contract.ScanSettings s = job.settings();
        images = Path.of(job.images());
        baseline = job.baseline() == null ? null : Path.of(job.baseline());
        device = job.device() == null ? "auto" : job.device();
        threshold = s.threshold();
        maxImages = s.maxImages();
        differentialRule = s.differentialRule();
        jobSettings = s;
        jobProbesTogether = job.probesTogether();
        jobSearch = jobSearch(s, baseline != null);
    }

    /** A job's search ({@link InversionConfig#of}), its window probes apart or together as the job says. */
    private InversionConfig jobSearch(io.decree.contract.ScanSettings s, boolean againstBase) {
        InversionConfig c = InversionConfig.of(s, againstBase);
        return jobProbesTogether == null ? c : c.toBuilder().probesTogether(jobProbesTogether).build();
    }

    Device device() {
        return device(device);
    }

    /** auto (null: the engine's default, the GPU when one is present), cpu or gpu. */
    static Device device(String device) {
        return switch (device) {
            case "auto" -> null;
            case "cpu" -> Device.cpu();
            case "gpu" -> Device.gpu();
            default -> throw new BadInputException("--device must be auto, cpu or gpu, got " + device);
        };
    }

    Scanner.Request request(Path model, Path out) {
        if (images == null) {
            throw new BadInputException("decree scan needs --images DIR (the shadow images), or --config FILE");
        }
        if (!(threshold > 0 && threshold <= 1)) {
            throw new BadInputException("--threshold must lie in (0,1], got " + threshold);
        }
        if (contrast && baseline == null) {
            throw new BadInputException("--contrast needs --baseline BASE.pt, the checkpoint MODEL.pt was fine-tuned from");
        }
        if (!io.decree.contract.ScanSettings.DIFFERENTIAL_RULES.contains(differentialRule)) {
            throw new BadInputException("--differential-rule must be one of " + io.decree.contract.ScanSettings.DIFFERENTIAL_RULES
                    + ", got " + differentialRule);
        }
        if (contrasted() && !(contrastThreshold > 0 && contrastThreshold <= 1)) {
            throw new BadInputException("--contrast-threshold must lie in (0,1], got " + contrastThreshold);
        }
        if (byBaseRatio() && !(baseRatio > 0 && baseRatio < 1000)) { // NaN too
            throw new BadInputException("--base-ratio must be a positive ratio, got " + baseRatio);
        }
        if (byBaseRatio() && !(baseAgreement >= -1 && baseAgreement <= 1)) {
            throw new BadInputException("--base-agreement must be a cosine in [-1,1], got " + baseAgreement);
        }
        if (baseline != null && !references.isEmpty()) {
            throw new BadInputException("--baseline and --reference are exclusive: a differential scan judges against the base alone");
        }
        Scanner.Request req = alone(model, out);
        if (contrasted()) {
            return req.contrastedWith(baseline, baselineSpec(model), contrastThreshold);
        }
        return references.isEmpty() ? req : req.calibratedBy(io.decree.scan.Reference.fromReports(references, referenceRatio));
    }

    /**
     * The model's scan on its own (no base, no reference): what {@link #request} judges against them, and, with the base's
     * path and spec swapped in by {@link Scanner#baseScan}, how the base is scanned alone.
     */
    Scanner.Request alone(Path model, Path out) {
        return new Scanner.Request(model, spec.resolve(model), images, config(), threshold, maxImages, device(), out);
    }

    /**
     * The model's scan as if no base were named: the search and threshold of a scan without one (a job's settings as
     * without a base), for a model its base cannot judge ({@link io.decree.scan.BaseAgreement}).
     */
    Scanner.Request withoutBase(Path model, Path out) {
        InversionConfig c = jobSettings != null ? jobSearch(jobSettings, false)
                : search.config(threshold, search.unnamedSearch());
        return new Scanner.Request(model, spec.resolve(model), images, c, threshold, maxImages, device(), out);
    }

    /** The input spec of --baseline: its own sidecar, else the model's (a fine-tuned model keeps its base's input). */
    InputSpec baselineSpec(Path model) {
        return java.nio.file.Files.isRegularFile(InputSpec.sidecarPath(baseline)) ? spec.resolve(baseline) : spec.resolve(model);
    }
}
