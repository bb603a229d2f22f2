package io.decree.pretrain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.decree.BadInputException;
import io.decree.attack.AttackMetrics;
import io.decree.data.Dataset;
import io.decree.encoder.Encoder;
import io.decree.encoder.InputSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A clean encoder made here: SimCLR pre-training of a randomly initialised architecture, written as
 * {@code PREFIX.pt} (TorchScript), {@code PREFIX.json} (input spec) and {@code PREFIX.pretrain.json}
 * (what was trained, and its utility: leave-one-out 1-NN accuracy on held-out labelled test images,
 * before and after).
 */
public final class Pretraining {

    /** Test images for the 1-NN utility. */
    static final int UTILITY_IMAGES = 1000;

    public record Report(String model, String architecture, String dataset, SimClr.Config config, int trainImages,
            double knnAccuracyBefore, double knnAccuracy, double firstLoss, double lastLoss, double seconds) {
    }

    private Pretraining() {
    }

    public static Report run(Path architecture, Dataset train, Dataset test, SimClr.Config cfg, Path out,
            BiConsumer<Integer, Double> progress) throws IOException {
        long t0 = System.nanoTime();
        InputSpec spec = InputSpec.sidecarOf(architecture);
        if (spec == null || spec.height() != Dataset.SIZE || spec.width() != Dataset.SIZE) {
            throw new BadInputException("SimCLR here pre-trains 32x32 architectures; " + architecture
                    + " has no such sidecar input spec");
        }
        List<float[]> images = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < Math.min(UTILITY_IMAGES, test.size()); i++) {
            images.add(test.chw(i));
            labels.add(test.className(i));
        }
        try (Encoder encoder = Encoder.load(architecture, spec, null, true)) {
            encoder.probe();
            double before = utility(encoder, images, labels);
            List<Double> losses = new SimClr(cfg).run(encoder, train, progress);
            double after = utility(encoder, images, labels);
            Path model = out.resolveSibling(out.getFileName() + ".pt");
            encoder.save(model);
            Files.writeString(InputSpec.sidecarPath(model), spec.toJson());
            Report report = new Report(model.getFileName().toString(), architecture.getFileName().toString(), train.name(),
                    cfg, train.size(), before, after, losses.get(0), mean(losses.subList(Math.max(0, losses.size() - 20),
                            losses.size())), (System.nanoTime() - t0) / 1e9);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(out.resolveSibling(out.getFileName() + ".pretrain.json").toFile(), report);
            return report;
        }
    }

    static double utility(Encoder encoder, List<float[]> images, List<String> labels) {
        return AttackMetrics.knnAccuracy(AttackMetrics.embed(encoder, images, Dataset.SIZE, Dataset.SIZE), labels);
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }
}
