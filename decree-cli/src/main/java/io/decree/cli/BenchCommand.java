package io.decree.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.decree.encoder.Encoder;
import io.decree.encoder.InputSpec;
import io.decree.images.ShadowImages;
import io.decree.scan.Scanner;
import io.decree.trigger.InversionConfig;
import io.decree.trigger.TriggerInversion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Where a scan's time and memory go: ms per optimisation step, the share of it that is the
 * encoder's own forward+backward (the floor no trigger code can beat), whole-scan seconds, and
 * resident memory early and late in the run (it must not grow: every step's arrays are scoped).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark a scan (default: the shared MobileNetV2 on the shared photos).")
final class BenchCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL.pt", description = "Encoder (default: ../shared/encoders/mobilenet_v2_224.pt).")
    Path model;

    @Option(names = "--images", paramLabel = "DIR", description = "Shadow images (default: ../shared/images/photos).")
    Path images;

    @Option(names = "--batch", description = "Images per step (default: ${DEFAULT-VALUE}).")
    int batch = 32;

    @Option(names = "--steps", description = "Optimisation steps timed (default: ${DEFAULT-VALUE}).")
    int steps = 40;

    @Option(names = "--floor-iterations", description = "Encoder-only forward+backward passes timed (default: ${DEFAULT-VALUE}).")
    int floorIterations = 10;

    @Option(names = "--full-scan", description = "Also run one whole scan with default settings and time it.")
    boolean fullScan;

    @Option(names = "--layout", paramLabel = "LAYOUT", description = "The input's memory layout, CHANNELS_LAST or CONTIGUOUS "
            + "for the timed steps (default: a scan's on this device; --full-scan runs as a scan does).")
    Encoder.Layout layout;

    @Option(names = "--device", paramLabel = "auto|cpu|gpu", description = "Where to run (default: ${DEFAULT-VALUE}: the GPU when one is present).")
    String device = "auto";

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the figures as JSON here.")
    Path out;

    @Override
    public Integer call() throws IOException {
        Path shared = Shared.dir();
        Path modelPath = model != null ? model : shared.resolve("encoders/mobilenet_v2_224.pt");
        Path imageDir = images != null ? images : shared.resolve("images/photos");
        InputSpec spec = new SpecOptions().resolve(modelPath);
        // The paper's single start: --steps timed steps, not the window starts' hundreds more.
        InversionConfig cfg = InversionConfig.defaults().toBuilder().batchSize(batch).steps(steps).windowGrid(0).build();
        ShadowImages shadow = ShadowImages.load(imageDir, spec.height(), spec.width(), batch, Scanner.DEFAULT_MAX_IMAGES, cfg.seed());
        Map<String, Object> fig = new LinkedHashMap<>();
        fig.put("model", modelPath.getFileName().toString());
        fig.put("images", shadow.size());
        fig.put("batch", batch);
        fig.put("threads", Runtime.getRuntime().availableProcessors());
        // The C allocator libtorch's tensors come from: glibc's unless one is preloaded (jemalloc, say).
        String preload = System.getenv("LD_PRELOAD");
        fig.put("allocator", preload == null || preload.isBlank() ? "glibc" : Path.of(preload.split("[: ]")[0]).getFileName().toString());
        // Whether libtorch asks for transparent huge pages (THP_MEM_ALLOC_ENABLE), and whether the kernel grants them.
        fig.put("hugePages", "1".equals(System.getenv("THP_MEM_ALLOC_ENABLE")) ? "requested, kernel " + thpMode() : "off");
        try (Encoder encoder = Encoder.load(modelPath, spec, ScanOptions.device(device))) {
            if (layout != null) {
                encoder.layout(layout);
            }
            encoder.probe();
            fig.put("device", encoder.device().toString());
            fig.put("layout", encoder.layout().toString());
            List<Long> stamps = new ArrayList<>();
            long[] rss = new long[2];
            List<Long> rssTrace = new ArrayList<>();
            new TriggerInversion(cfg).run(encoder, shadow, r -> {
                stamps.add(System.nanoTime());
                if (r.step() == 10) {
                    rss[0] = rssKb();
                }
                rss[1] = rssKb();
                if (r.step() % 10 == 0) {
                    rssTrace.add(rss[1] / 1024);
                }
                System.err.printf(Locale.ROOT, "\rstep %d/%d", r.step(), steps);
            });
            System.err.println();
            double floorMs = floorMs(encoder, shadow);
            // Skip the first 3 steps: libtorch allocates and tunes on its first passes.
            int skip = Math.min(3, stamps.size() - 2);
            double stepMs = (stamps.get(stamps.size() - 1) - stamps.get(skip)) / 1e6 / (stamps.size() - 1 - skip);
            fig.put("msPerStep", round(stepMs));
            // One image through the encoder's forward and backward, trigger code included: what report.json's
            // imagePasses multiply into seconds.
            fig.put("msPerImagePass", round(stepMs / Math.min(batch, shadow.size())));
            fig.put("msEncoderForwardBackward", round(floorMs));
            fig.put("encoderShareOfStep", round(floorMs / stepMs));
            fig.put("rssMbAtStep10", rss[0] / 1024);
            fig.put("rssMbAtLastStep", rss[1] / 1024);
            fig.put("rssMbEvery10Steps", rssTrace);
            fig.put("stepsTimed", stamps.size());
        }
        if (fullScan) {
            Scanner.Request req = new Scanner.Request(modelPath, spec, imageDir, InversionConfig.defaults().toBuilder().batchSize(batch).build(),
                    Scanner.DEFAULT_THRESHOLD, Scanner.DEFAULT_MAX_IMAGES, ScanOptions.device(device), null);
            var report = Scanner.scan(req, r -> System.err.printf(Locale.ROOT, "\rfull scan step %d", r.step())).report();
            System.err.println();
            fig.put("fullScanSeconds", round(report.seconds()));
            fig.put("fullScanSteps", report.steps());
            fig.put("fullScanImagePasses", report.imagePasses());
            fig.put("fullScanMsPerImagePass", round(report.seconds() * 1000 / Math.max(1, report.imagePasses())));
            fig.put("fullScanPl1", report.pl1Norm());
            fig.put("fullScanVerdict", report.verdict().json());
        }
        String json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(fig);
        System.out.println(json);
        if (out != null) {
            Files.writeString(out, json);
        }
        return 0;
    }

    /** The encoder alone: forward a batch, backward to the input, nothing else. */
    private double floorMs(Encoder encoder, ShadowImages shadow) {
        int n = Math.min(batch, shadow.size());
        float[] flat = shadow.flat();
        float[] first = new float[n * 3 * shadow.height() * shadow.width()];
        System.arraycopy(flat, 0, first, 0, first.length);
        try (NDManager m = encoder.manager().newSubManager()) {
            NDArray x = m.create(first, new Shape(n, 3, shadow.height(), shadow.width()));
            x.setRequiresGradient(true);
            long total = 0;
            for (int i = -3; i < floorIterations; i++) {
                long t0 = System.nanoTime();
                try (NDScope scope = new NDScope()) {
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(encoder.embed(x).sum());
                    }
                    x.getGradient().sum().getFloat(); // waits for the backward pass to finish
                }
                if (i >= 0) {
                    total += System.nanoTime() - t0;
                }
            }
            return total / 1e6 / floorIterations;
        }
    }

    /** The kernel's transparent-huge-page mode ("always", "madvise" — what libtorch's request needs — or "never"). */
    static String thpMode() {
        try {
            String modes = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
            int open = modes.indexOf('['), close = modes.indexOf(']');
            return open >= 0 && close > open ? modes.substring(open + 1, close) : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
