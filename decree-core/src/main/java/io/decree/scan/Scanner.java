package io.decree.scan;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import io.decree.BadInputException;
import io.decree.encoder.Encoder;
import io.decree.encoder.InputSpec;
import io.decree.images.ShadowImages;
import io.decree.trigger.InversionConfig;
import io.decree.trigger.InversionResult;
import io.decree.trigger.StepRecord;
import io.decree.trigger.TriggerInversion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;

/** One DECREE scan end to end: load and probe the encoder, load shadow images, invert, judge, write evidence. */
public final class Scanner {

    /**
     * PL1 below which an encoder is called trojaned. Provisional, see docs/detector.md "The threshold": set
     * below the smallest PL1 measured on a real clean encoder (MobileNetV2, 0.022) and above that of
     * BadEncoder-trojaned encoders (32x32 ResNet 0.010, MobileNetV2 0.011), before any zoo evaluation.
     */
    public static final double DEFAULT_THRESHOLD = io.decree.contract.ScanSettings.DEFAULTS.threshold();

    /** Shadow images used at most; more costs memory (N x 3 x H x W floats) without changing the statistic much. */
    public static final int DEFAULT_MAX_IMAGES = io.decree.contract.ScanSettings.DEFAULTS.maxImages();

    /** The contrasted differential scan's threshold: the scan contract's, where it is explained. */
    public static final double DEFAULT_CONTRAST_THRESHOLD = io.decree.contract.ScanSettings.CONTRAST_THRESHOLD;

    public static final String VERSION = loadVersion();

    /**
     * @param model      the TorchScript file
     * @param spec       its input spec (sidecar merged with flags by the caller)
     * @param imagesDir  clean shadow images
     * @param out        folder for report.json and the evidence PNGs (created), or null for none
     * @param reference  clean encoders to judge against (the calibrated rule), or null for the fixed threshold; with one,
     *                   acceptance decides and {@code threshold} is the reference's
     * @param contrast   the upstream checkpoint to contrast the search with (the contrasted differential scan), or null
     * @param agreement  how alike the model and the base it was scanned against embed the shadow images ({@link #agreement}),
     *                   recorded in the decision; a model judged alone because of it carries it too; null without a base
     */
    public record Request(Path model, InputSpec spec, Path imagesDir, InversionConfig config, double threshold,
            int maxImages, Device device, Path out, Reference reference, Contrast contrast, BaseAgreement agreement) {

        public Request(Path model, InputSpec spec, Path imagesDir, InversionConfig config, double threshold, int maxImages,
                Device device, Path out) {
            this(model, spec, imagesDir, config, threshold, maxImages, device, out, null, null, null);
        }

        public Request(Path model, InputSpec spec, Path imagesDir, InversionConfig config, double threshold, int maxImages,
                Device device, Path out, Reference reference) {
            this(model, spec, imagesDir, config, threshold, maxImages, device, out, reference, null, null);
        }

        /**
         * The same request contrasted with {@code base}: a trigger counts only if it collapses every shadow image on the
         * model and leaves the base's embeddings apart; trojaned when such a trigger is smaller than {@code threshold}.
         */
        public Request contrastedWith(Path base, InputSpec baseSpec, double threshold) {
            return new Request(model, spec, imagesDir, config.toBuilder().acceptOnShadowSet(true)
                    .stopBelow(config.stopBelow() > 0 ? threshold : 0).build(), threshold, maxImages, device, out, null,
                    new Contrast(base, baseSpec), agreement);
        }

        /**
         * The same request contrasted with {@code base} and judged by the base ratio: trojaned when the contrasted trigger
         * is smaller than {@code maxRatio} times {@code ownPl1}, the base's own smallest trigger ({@link #baseScan}). The
         * search stops once a trigger below that holds: the verdict cannot change after.
         */
        public Request contrastedWith(Path base, InputSpec baseSpec, double ownPl1, double maxRatio) {
            if (!(ownPl1 > 0 && ownPl1 <= 1) || !(maxRatio > 0)) {
                throw new BadInputException("the base ratio needs the base's accepted PL1 in (0,1] and a positive ratio, got "
                        + ownPl1 + " and " + maxRatio);
            }
            Request r = contrastedWith(base, baseSpec, Math.min(1, maxRatio * ownPl1));
            return new Request(r.model, r.spec, r.imagesDir, r.config, r.threshold, r.maxImages, r.device, r.out, null,
                    new Contrast(base, baseSpec, ownPl1, maxRatio), agreement);
        }

        /**
         * The same request judged against {@code ref}: searched as the references were (their accepted PL1s depend on the
         * search), acceptance deciding, at the reference's PL1 threshold.
         */
        public Request calibratedBy(Reference ref) {
            InversionConfig search = ref.search() != null ? ref.search() : config;
            return new Request(model, spec, imagesDir, search.toBuilder().acceptOnShadowSet(true)
                    .stopBelow(config.stopBelow() > 0 ? ref.threshold() : 0).build(), ref.threshold(), maxImages, device, out, ref,
                    null, agreement);
        }

        public Request withOut(Path dir) {
            return new Request(model, spec, imagesDir, config, threshold, maxImages, device, dir, reference, contrast, agreement);
        }

        /** The same request with the model's agreement with its base recorded (and, below its minimum, explained). */
        public Request withAgreement(BaseAgreement a) {
            return new Request(model, spec, imagesDir, config, threshold, maxImages, device, out, reference, contrast, a);
        }
    }

    /**
     * The upstream checkpoint of a contrasted differential scan and its input spec (the model's, for a fine-tuned model).
     *
     * @param ownPl1   the base's own smallest trigger (accepted PL1 of its plain scan) the contrasted trigger is divided by,
     *                 the base ratio's yardstick; NaN: the fixed contrast threshold decides
     * @param maxRatio with {@code ownPl1}: trojaned below this ratio
     */
    public record Contrast(Path base, InputSpec spec, double ownPl1, double maxRatio) {
        public Contrast(Path base, InputSpec spec) {
            this(base, spec, Double.NaN, Double.NaN);
        }

        /** Whether the base ratio decides (else the fixed contrast threshold). */
        public boolean byBaseRatio() {
            return !Double.isNaN(ownPl1);
        }
    }

    public record Outcome(ScanReport report, InversionResult result) {
    }

    public static Outcome scan(Request req, Consumer<StepRecord> progress) {
        long start = System.nanoTime();
        String sha = EncoderFile.sha256(req.model());
        long size;
        try {
            size = Files.size(req.model());
        } catch (IOException e) {
            throw new BadInputException("cannot read " + req.model() + ": " + e.getMessage(), e);
        }
        InputSpec spec = req.spec();
        ShadowImages images = ShadowImages.load(req.imagesDir(), spec.height(), spec.width(),
                req.config().batchSize(), req.maxImages(), req.config().seed());
        if (req.reference() != null) {
            req.reference().checkImages(images.size());
        }
        if (req.contrast() != null && !req.contrast().spec().equals(spec)) {
            throw new BadInputException("the base " + req.contrast().base().getFileName() + " takes other input than "
                    + req.model().getFileName() + ": a contrasted scan needs the model's upstream checkpoint");
        }
        try (Encoder encoder = Encoder.load(req.model(), spec, req.device());
                Encoder base = req.contrast() == null ? null : Encoder.load(req.contrast().base(), req.contrast().spec(), req.device())) {
            encoder.probe();
            if (base != null) {
                base.probe();
            }
            // As the search will run it, so the report says whether the probes went together on this device.
            InversionConfig config = req.config().probesTogetherOn(encoder.device().isGpu());
            InversionResult result;
            try {
                result = new TriggerInversion(config).run(encoder, base, images, progress);
            } catch (EngineException e) {
                throw failure(req.model() + " failed during the scan", encoder.device(), e);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Decision decision = req.reference() != null ? Decision.relative(result, req.reference())
                    : req.contrast() != null && req.contrast().byBaseRatio()
                            ? Decision.baseRatio(result, req.contrast().ownPl1(), req.contrast().maxRatio(),
                                    req.contrast().base().getFileName().toString())
                    : req.contrast() != null ? Decision.contrasted(result, req.threshold(), req.contrast().base().getFileName().toString())
                    : Decision.pl1(result, req.threshold(), req.config().acceptOnShadowSet());
            if (req.agreement() != null) {
                decision = decision.with(req.agreement());
            }
            ScanReport report = new ScanReport(decision.verdict(), decision, result.pl1(), req.threshold(), result.similarity(),
                    Double.isNaN(result.heldOutSimilarity()) ? null : result.heldOutSimilarity(), result.acceptance(),
                    result.targetReached(), result.steps(), result.earlyStopped(), seconds, result.imagePasses(),
                    result.forwardOnlyPasses(), result.phases(), result.starts(), req.config().seed(),
                    new EncoderFile(req.model().getFileName().toString(), sha, size, spec, encoder.embeddingSize()),
                    new ScanReport.Images(req.imagesDir().toString(), images.size(), images.originals(), result.heldOut()),
                    config, encoder.device().toString(), encoder.layout().label(), VERSION, result.history());
            if (req.out() != null) {
                try {
                    Files.createDirectories(req.out());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                report.write(req.out().resolve("report.json"));
                Evidence.write(result, images, req.out());
            }
            return new Outcome(report, result);
        }
    }

    /**
     * The reference of a differential scan: {@code base}, the upstream checkpoint the model was fine-tuned from, scanned on
     * the request's shadow images with its search, acceptance on and no early stop (its accepted PL1 is the yardstick, so
     * it must be the whole search's). Its report and evidence go to {@code out/baseline/}; a report already there for the
     * same file, input spec, images folder and search is reused, so a batch of models fine-tuned from one base scans it
     * once.
     *
     * @param baseSpec the base's input spec (its sidecar, or the model's)
     */
    public static Reference baseline(Request req, Path base, InputSpec baseSpec, double maxRatio, Consumer<StepRecord> progress) {
        BaseScan b = baseScan(req, base, baseSpec, progress);
        return Reference.of(List.of(b.report()), List.of("baseline " + base.getFileName() + (b.reused() ? " (" + b.from() + ")" : "")),
                maxRatio);
    }

    /**
     * The base's own plain scan as {@link #baseline} runs it (whole search, acceptance on, into {@code out/baseline/},
     * reused when a report there matches), for the base ratio.
     *
     * @param from where a reused report was read (null when scanned now)
     */
    public record BaseScan(ScanReport report, boolean reused, Path from) {
        /**
         * The base's own smallest trigger, its accepted PL1; NaN when no trigger smaller than the image held on the base
         * (acceptance records 1) or its scan predates acceptance.
         */
        public double ownPl1() {
            io.decree.trigger.Acceptance a = report.acceptance();
            return a != null && a.acceptedPl1() > 0 && a.acceptedPl1() < 1 ? a.acceptedPl1() : Double.NaN;
        }
    }

    public static BaseScan baseScan(Request req, Path base, InputSpec baseSpec, Consumer<StepRecord> progress) {
        return baseScan(req, base, baseSpec, searchAlone(req.config()), progress);
    }

    /** As {@link #baseScan(Request, Path, InputSpec, Consumer)}, the base searched with {@code search}. */
    public static BaseScan baseScan(Request req, Path base, InputSpec baseSpec, InversionConfig search, Consumer<StepRecord> progress) {
        Path dir = req.out() == null ? null : req.out().resolve(BASELINE_DIR);
        Path earlier = dir == null ? null : dir.resolve("report.json");
        if (earlier != null && Files.isRegularFile(earlier)) {
            ScanReport r = ScanReport.read(earlier);
            if (r.encoder() != null && EncoderFile.sha256(base).equals(r.encoder().sha256()) && baseSpec.equals(r.encoder().inputSpec())
                    && r.images() != null
                    && req.imagesDir().toString().equals(r.images().dir())
                    && Reference.searchOf(search).equals(Reference.searchOf(r))) {
                return new BaseScan(r, true, earlier);
            }
        }
        Request scan = new Request(base, baseSpec, req.imagesDir(), search, req.threshold(), req.maxImages(), req.device(), dir);
        return new BaseScan(scan(scan, progress).report(), false, null);
    }

    /**
     * How alike the model of {@code req} and {@code base} embed the request's shadow images ({@link BaseAgreement}): measured
     * before a scan against a base, which judges the model alone when the base is no yardstick for it. Forward passes only.
     */
    public static BaseAgreement agreement(Request req, Path base, InputSpec baseSpec, double minimum) {
        InputSpec spec = req.spec();
        if (!baseSpec.equals(spec)) {
            throw new BadInputException("the base " + base.getFileName() + " takes other input than " + req.model().getFileName()
                    + ": a scan against a base needs the model's upstream checkpoint");
        }
        ShadowImages images = ShadowImages.load(req.imagesDir(), spec.height(), spec.width(), req.config().batchSize(),
                req.maxImages(), req.config().seed());
        try (Encoder encoder = Encoder.load(req.model(), spec, req.device());
                Encoder other = Encoder.load(base, baseSpec, req.device())) {
            encoder.probe();
            other.probe();
            return BaseAgreement.measure(encoder, other, images, req.config().batchSize(), minimum);
        } catch (EngineException e) {
            throw failure(req.model() + " or its base failed embedding the shadow images", req.device(), e);
        }
    }

    /**
     * What a libtorch error during a scan is: the device running out of memory (not the model's fault; says what to
     * lower), else the model failing on its input.
     */
    static RuntimeException failure(String what, Device device, EngineException e) {
        if (io.decree.DeviceMemoryException.isOutOfMemory(e)) {
            // Window probes that do not fit together already went on apart (TriggerInversion): this is a pass of one.
            return new io.decree.DeviceMemoryException(what + ": out of memory on " + (device == null ? "its device" : device)
                    + " (libtorch: " + memoryLine(e.getMessage()) + ") even with its window probes apart; scan it on a device "
                    + "with more memory, or with a smaller batch (--batch N)", e);
        }
        return new BadInputException(what + " (libtorch): " + e.getMessage(), e);
    }

    /**
     * The line of libtorch's message that says how much it tried to allocate: inside a TorchScript model the message
     * opens with the interpreter's "The following operation failed ..." and a stack of the model's code before it.
     */
    static String memoryLine(String s) {
        String line = s == null ? "" : s.lines().filter(io.decree.DeviceMemoryException::isOutOfMemoryText).findFirst()
                .orElse(firstLine(s)).strip();
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /**
     * How a base is searched alone, for its own smallest trigger: {@code config}'s search, acceptance deciding and no early
     * stop (the yardstick must be the whole search's).
     */
    public static InversionConfig searchAlone(InversionConfig config) {
        return config.toBuilder().acceptOnShadowSet(true).stopBelow(0).build();
    }

    /**
     * How the base ratio searches a base alone, for its yardstick: the default search (its starts, lengths and batch) with
     * {@code config}'s seed, mask grid, windows, centring and holdout, whatever the contrasted search's preset. A base has
     * no backdoor, so its smallest trigger is one natural shortcut among many windows of about the same quality, and a
     * short search finds it only now and then (the lean search and the quick one at batch 16 put one base's at 0.35 of the
     * image where the default finds 0.10: every fine-tune of it would then look 3x more trojaned). It is scanned once per base and shadow
     * set and cached, so its cost is not the verdict's.
     */
    public static InversionConfig yardstickSearch(InversionConfig config) {
        return searchAlone(InversionConfig.defaults().toBuilder().seed(config.seed()).maskGrid(config.maskGrid())
                .windowGrid(config.windowGrid()).holdout(config.holdout()).centerEmbeddings(config.centerEmbeddings())
                .baseCollapseLimit(config.baseCollapseLimit()).probesTogether(config.probesTogetherImages()).build());
    }

    /** Where {@link #baseline} keeps the upstream checkpoint's report and evidence, under the scan's own folder. */
    public static final String BASELINE_DIR = "baseline";

    private static String loadVersion() {
        try (InputStream in = Scanner.class.getResourceAsStream("/io/decree/detector.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
