package io.decree.trigger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.decree.SharedData;
import io.decree.encoder.Encoder;
import io.decree.encoder.InputSpec;
import io.decree.encoder.TorchScriptFixtures;
import io.decree.images.ShadowImages;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shadow images kept out of the search, and the check that a candidate trigger collapses a set of images. */
class CollapseCheckTest {

    private static final int SIDE = 32;
    private static final InputSpec SPEC = new InputSpec(new int[] {SIDE, SIDE}, null, null, null);

    @TempDir
    Path tmp;

    @Test
    void holdsOutAtMostAFifthOfTheShadowSetAndNoneBelowAPair() {
        assertEquals(32, TriggerInversion.heldOutCount(32, 1000));
        assertEquals(10, TriggerInversion.heldOutCount(32, 50), "MobileNetV2's 50 photos: 10 held out, 40 searched");
        assertEquals(2, TriggerInversion.heldOutCount(32, 10));
        assertEquals(0, TriggerInversion.heldOutCount(32, 9), "one image cannot measure a collapse");
        assertEquals(0, TriggerInversion.heldOutCount(0, 1000), "0 turns it off");
    }

    @Test
    void splitIsDisjointAndSeededAndLeavesTheImagesAsGivenWhenOff() {
        int n = 20;
        int plane = 3;
        float[] flat = new float[n * plane];
        for (int i = 0; i < n; i++) {
            Arrays.fill(flat, i * plane, (i + 1) * plane, i);
        }
        float[][] split = TriggerInversion.split(flat, n, 4, plane, 7);
        assertEquals(16 * plane, split[0].length);
        assertEquals(4 * plane, split[1].length);
        Set<Float> seen = new HashSet<>();
        for (float[] part : split) {
            for (int i = 0; i < part.length; i += plane) {
                assertTrue(seen.add(part[i]), "image " + part[i] + " is in both parts, or twice");
            }
        }
        assertEquals(n, seen.size(), "every image in one part");
        assertArrayEquals(split[1], TriggerInversion.split(flat, n, 4, plane, 7)[1], "same seed, same held-out images");
        assertTrue(!Arrays.equals(split[1], TriggerInversion.split(flat, n, 4, plane, 8)[1]), "another seed, others");
        assertSame(flat, TriggerInversion.split(flat, n, 0, plane, 7)[0], "no holdout: the images as given");
    }

    @Test
    void plantedTriggerPassesTheCheckWhileTheSamePatchElsewhereFails() throws IOException {
        Path model = TorchScriptFixtures.plantedBackdoorEncoder(tmp.resolve("planted.pt"));
        ShadowImages faces = ShadowImages.load(SharedData.images("faces"), SIDE, SIDE, 2, 24, 0);
        try (Encoder encoder = Encoder.load(model, SPEC, null);
                NDManager run = encoder.manager().newSubManager()) {
            encoder.probe();
            NDArray images = run.create(faces.flat(), new Shape(faces.size(), 3, SIDE, SIDE));
            NDArray center = TriggerInversion.meanEmbedding(encoder, images, run, 8);
            CollapseCheck holdout = new CollapseCheck(encoder, images, center, 7);
            NDArray pattern = run.ones(new Shape(1, 3, SIDE, SIDE));
            double hit = holdout.similarity(corner(run, 0), pattern);
            double miss = holdout.similarity(corner(run, SIDE - 4), pattern);
            assertEquals(24, holdout.size());
            assertTrue(hit > 0.99, "planted trigger on held-out faces: " + hit);
            assertTrue(miss < 0.5, "same patch at the other corner: " + miss);
        }
    }

    @Test
    void everyTriggerAScanKeepsCollapsedTheHeldOutImagesToo() throws IOException {
        Path model = TorchScriptFixtures.smoothEncoder(tmp.resolve("smooth.pt"));
        ShadowImages photos = ShadowImages.load(SharedData.images("photos"), SIDE, SIDE, 8, 50, 0);
        InversionConfig cfg = InversionConfig.defaults().toBuilder().steps(120).batchSize(8).windowGrid(0).holdout(32)
                .acceptOnShadowSet(false).build();
        try (Encoder encoder = Encoder.load(model, SPEC, null)) {
            InversionResult r = new TriggerInversion(cfg).run(encoder, photos, null);
            assertEquals(10, r.heldOut(), "a fifth of 50 photos");
            assertTrue(r.targetReached(), "a trigger is found on the smooth encoder: " + r.pl1());
            assertTrue(r.heldOutSimilarity() > cfg.similarityTarget(), "held-out similarity " + r.heldOutSimilarity());
        }
    }

    /** A 4x4 mask [1,1,H,W] at the top row, from column {@code left}. */
    private static NDArray corner(NDManager m, int left) {
        float[] mask = new float[SIDE * SIDE];
        for (int y = 0; y < 4; y++) {
            for (int x = left; x < left + 4; x++) {
                mask[y * SIDE + x] = 1f;
            }
        }
        return m.create(mask, new Shape(1, 1, SIDE, SIDE));
    }
}
