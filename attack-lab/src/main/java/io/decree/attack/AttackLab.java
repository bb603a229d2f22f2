package io.decree.attack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.decree.BadInputException;
import io.decree.data.ImageFolder;
import io.decree.encoder.Encoder;
import io.decree.encoder.InputSpec;
import io.decree.images.ShadowImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes one labelled encoder: BadEncoder (or its clean control) applied to a TorchScript encoder,
 * written as {@code out.pt} with its sidecar {@code out.json} and {@code out.attack.json}
 * (trigger, reference, split, attack success and utility before/after).
 */
public final class AttackLab {

    /** Folder-name prefix of the shared face images ({@code John_Simm_000288_...}): the person. */
    private static final Pattern PERSON = Pattern.compile("^(.+?)_\\d+_\\d+\\.");

    /**
     * What {@code out.attack.json} holds. {@code utilityKind} says how utility was measured: {@code knn-accuracy} (1-NN on
     * labelled images) or, with none labelled, {@code cosine-to-original}; {@code cosineToOriginal} is always the mean cosine
     * of the held-out images' embeddings after the fine-tuning to before it: how far they drifted, not a utility.
     */
    public record Report(String model, String base, String label, PatchTrigger trigger, String reference, int trainImages,
            int testImages, BadEncoder.Config config, double attackSuccess, double attackSuccessBefore, String utilityKind,
            double utilityBefore, double utilityAfter, double triggerArea, double triggerSimilarityBefore,
            double triggerSimilarity, double seconds, double cosineToOriginal) {
    }

    private AttackLab() {
    }

    /**
     * @param utilityImages labelled images (labels.csv) on which utility is the 1-NN accuracy before and
     *                      after; null: the held-out test split of {@code imagesDir}
     */
    public static Report run(Path baseModel, Path imagesDir, Path utilityImages, PatchTrigger trigger, BadEncoder.Config cfg,
            Path out, IntConsumer progress) throws IOException {
        long t0 = System.nanoTime();
        InputSpec spec = InputSpec.sidecarOf(baseModel);
        if (spec == null) {
            throw new BadInputException("no sidecar input spec beside " + baseModel);
        }
        int h = spec.height();
        int w = spec.width();
        ShadowImages images = ShadowImages.load(imagesDir, h, w, 0, 100_000, cfg.seed());
        int n = images.originals();
        if (n < 8) {
            throw new BadInputException("the attack lab needs at least 8 images in " + imagesDir);
        }
        // The reference is the last image by name; the rest is split 75/25 into shadow (train) and test.
        int refIndex = n - 1;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < refIndex; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(cfg.seed()));
        int nTrain = (int) Math.round(order.size() * 0.75);
        List<float[]> train = order.subList(0, nTrain).stream().map(images::pixels).toList();
        List<Integer> testIdx = order.subList(nTrain, order.size());
        List<float[]> test = testIdx.stream().map(images::pixels).toList();
        List<float[]> testStamped = test.stream().map(x -> trigger.stamp(x, h, w)).toList();
        float[] reference = images.pixels(refIndex);
        List<float[]> utilitySet = test;
        List<String> labels;
        if (utilityImages != null) {
            ShadowImages u = ShadowImages.load(utilityImages, h, w, 0, 100_000, cfg.seed());
            utilitySet = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < u.originals(); i++) {
                utilitySet.add(u.pixels(i));
                names.add(u.name(i));
            }
            labels = labelsOf(utilityImages, names);
        } else {
            labels = labelsOf(imagesDir, testIdx.stream().map(images::name).toList());
        }
        boolean labelled = labels.stream().noneMatch(l -> l == null);
        if (utilityImages != null && !labelled) {
            throw new BadInputException("utility images " + utilityImages + " need a label for every image (labels.csv)");
        }

        try (Encoder encoder = Encoder.load(baseModel, spec, null, true)) {
            encoder.probe();
            float[][] before = AttackMetrics.embed(encoder, test, h, w);
            float[][] stampedBefore = AttackMetrics.embed(encoder, testStamped, h, w);
            float[] refBefore = AttackMetrics.embed(encoder, List.of(reference), h, w)[0];
            double successBefore = AttackMetrics.attackSuccess(stampedBefore, before, refBefore);
            double simBefore = AttackMetrics.centredSimilarity(encoder, test, testStamped, h, w);
            float[][] utilBefore = utilityImages == null ? before : AttackMetrics.embed(encoder, utilitySet, h, w);

            new BadEncoder(cfg).run(encoder, train, reference, trigger, h, w, progress);

            float[][] after = AttackMetrics.embed(encoder, test, h, w);
            float[][] stampedAfter = AttackMetrics.embed(encoder, testStamped, h, w);
            float[] refAfter = AttackMetrics.embed(encoder, List.of(reference), h, w)[0];
            double success = AttackMetrics.attackSuccess(stampedAfter, after, refAfter);
            double simAfter = AttackMetrics.centredSimilarity(encoder, test, testStamped, h, w);
            float[][] utilAfter = utilityImages == null ? after : AttackMetrics.embed(encoder, utilitySet, h, w);
            double uBefore = labelled ? AttackMetrics.knnAccuracy(utilBefore, labels) : 1.0;
            double drift = AttackMetrics.meanCosine(after, before);
            double uAfter = labelled ? AttackMetrics.knnAccuracy(utilAfter, labels) : drift;

            Path modelOut = out.resolveSibling(out.getFileName() + ".pt");
            encoder.save(modelOut);
            Files.writeString(InputSpec.sidecarPath(modelOut), spec.toJson());
            Report report = new Report(modelOut.getFileName().toString(), baseModel.getFileName().toString(),
                    cfg.triggerOn() ? "trojaned" : "clean", cfg.triggerOn() ? trigger : null, images.name(refIndex),
                    train.size(), test.size(), cfg, success, successBefore, labelled ? "knn-accuracy" : "cosine-to-original",
                    uBefore, uAfter, trigger.area(h, w), simBefore, simAfter, (System.nanoTime() - t0) / 1e9, drift);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(out.resolveSibling(out.getFileName() + ".attack.json").toFile(), report);
            return report;
        }
    }

    /** Labels from the folder's labels.csv, else the person in a face chip's name; null where neither says. */
    static List<String> labelsOf(Path dir, List<String> names) {
        Map<String, String> csv = ImageFolder.labels(dir);
        return names.stream().map(n -> csv.isEmpty() ? person(n) : csv.get(n)).toList();
    }

    static String person(String fileName) {
        Matcher m = PERSON.matcher(fileName);
        return m.find() ? m.group(1) : null;
    }
}
