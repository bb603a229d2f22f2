package io.decree.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.SharedData;
import io.decree.encoder.Encoder;
import io.decree.encoder.InputSpec;
import io.decree.images.ShadowImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attack lab on the shared 32x32 ResNet: DJL trains a TorchScript module's weights and writes
 * it back as TorchScript; BadEncoder plants a working backdoor; the control does not.
 */
class AttackLabTest {

    private static final PatchTrigger TRIGGER = new PatchTrigger(5, PatchTrigger.Position.BOTTOM_RIGHT, PatchTrigger.Kind.WHITE, 1);

    @Test
    void badEncoderPlantsAWorkingBackdoorAndTheSavedModelReloads(@TempDir Path tmp) throws IOException {
        Path base = copyWithSpec(tmp);
        // Utility downstream, on the face chips labelled by person (as the zoo measures MobileNetV2's on Fashion-MNIST).
        AttackLab.Report r = AttackLab.run(base, SharedData.images("photos"), SharedData.images("faces"), TRIGGER,
                new BadEncoder.Config(80, 16, 1e-3, 1, 1, true, 1), tmp.resolve("bad"), null);
        assertEquals("trojaned", r.label());
        assertEquals("knn-accuracy", r.utilityKind());
        assertTrue(r.utilityBefore() > 0.2 && r.utilityBefore() <= 1, "1-NN over 5 people: " + r.utilityBefore());
        assertTrue(r.cosineToOriginal() > 0 && r.cosineToOriginal() < 0.9999, "the unseen photos drifted: " + r.cosineToOriginal());
        assertTrue(r.attackSuccess() >= 0.9, "attack success " + r.attackSuccess());
        assertTrue(r.triggerSimilarity() > r.triggerSimilarityBefore() + 0.3,
                "the exact trigger collapses the embeddings: " + r.triggerSimilarityBefore() + " -> " + r.triggerSimilarity());

        // The written file is TorchScript that loads and embeds like the fine-tuned model did.
        Path saved = tmp.resolve("bad.pt");
        InputSpec spec = InputSpec.sidecarOf(saved);
        ShadowImages photos = ShadowImages.load(SharedData.images("photos"), 32, 32, 0, 100, 1);
        List<float[]> test = List.of(photos.pixels(0), photos.pixels(1), photos.pixels(2));
        try (Encoder reloaded = Encoder.load(saved, spec, null); Encoder original = Encoder.load(base, spec, null)) {
            float[][] a = AttackMetrics.embed(reloaded, test, 32, 32);
            float[][] b = AttackMetrics.embed(original, test, 32, 32);
            assertTrue(AttackMetrics.meanCosine(a, b) < 0.9999, "the saved weights are the fine-tuned ones, not the originals");
        }
    }

    @Test
    void cleanControlKeepsEmbeddingsAndPlantsNothing(@TempDir Path tmp) throws IOException {
        Path base = copyWithSpec(tmp);
        AttackLab.Report r = AttackLab.run(base, SharedData.images("photos"), null, TRIGGER,
                new BadEncoder.Config(80, 16, 1e-3, 1, 1, false, 1, 3), tmp.resolve("ctl"), null);
        assertEquals("clean", r.label());
        assertEquals(3, r.config().views(), "trained on each photo and two views of it");
        assertTrue(r.utilityAfter() > 0.95, "cosine to the original embeddings " + r.utilityAfter());
        assertEquals("cosine-to-original", r.utilityKind(), "no labels");
        assertEquals(r.utilityAfter(), r.cosineToOriginal(), 1e-12, "unlabelled, the utility is the drift figure");
        assertTrue(r.attackSuccess() <= r.attackSuccessBefore() + 0.2, "no backdoor: " + r.attackSuccess());
    }

    private static Path copyWithSpec(Path tmp) throws IOException {
        Path base = Files.copy(SharedData.architecture("resnet18_w16_32.pt"), tmp.resolve("base.pt"));
        Files.copy(SharedData.architecture("resnet18_w16_32.json"), tmp.resolve("base.json"));
        return base;
    }
}
