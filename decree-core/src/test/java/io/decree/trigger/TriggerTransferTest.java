package io.decree.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.BadInputException;
import io.decree.SharedData;
import io.decree.encoder.Encoder;
import io.decree.encoder.InputSpec;
import io.decree.encoder.TorchScriptFixtures;
import io.decree.images.ShadowImages;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replaying a trigger on images: the planted trigger collapses any images, a patch elsewhere does not. */
class TriggerTransferTest {

    private static final int SIDE = 32;
    private static final InputSpec SPEC = new InputSpec(new int[] {SIDE, SIDE}, null, null, null);

    @TempDir
    Path tmp;

    /** A white square of side {@code k} at (top, left), as mask and pattern. */
    private static float[][] whiteSquare(int top, int left, int k) {
        float[] mask = new float[SIDE * SIDE];
        for (int y = top; y < top + k; y++) {
            for (int x = left; x < left + k; x++) {
                mask[y * SIDE + x] = 1f;
            }
        }
        float[] pattern = new float[3 * SIDE * SIDE];
        Arrays.fill(pattern, 1f);
        return new float[][] {mask, pattern};
    }

    @Test
    void plantedTriggerCollapsesImagesItWasNeverFittedOnWhileTheSamePatchElsewhereDoesNot() throws IOException {
        Path model = TorchScriptFixtures.plantedBackdoorEncoder(tmp.resolve("planted.pt"));
        ShadowImages faces = ShadowImages.load(SharedData.images("faces"), SIDE, SIDE, 2, 40, 0);
        try (Encoder encoder = Encoder.load(model, SPEC, null)) {
            encoder.probe();
            float[][] planted = whiteSquare(0, 0, 4);
            float[][] elsewhere = whiteSquare(SIDE - 4, SIDE - 4, 4);
            TriggerTransfer hit = TriggerTransfer.measure(encoder, faces, planted[0], planted[1], 16);
            TriggerTransfer miss = TriggerTransfer.measure(encoder, faces, elsewhere[0], elsewhere[1], 16);
            assertEquals(40, hit.images());
            assertTrue(hit.similarity() > 0.99, "planted trigger: " + hit);
            assertTrue(hit.plainSimilarity() > 0.99, "planted trigger: " + hit);
            assertTrue(miss.similarity() < 0.5, "same patch at the other corner: " + miss);
            assertTrue(Math.abs(hit.cleanSimilarity()) < 0.2, "clean faces, centred, do not collapse: " + hit);
        }
    }

    @Test
    void emptyMaskMeasuresTheCleanImagesAndAFullMaskOnePoint() throws IOException {
        Path model = TorchScriptFixtures.smoothEncoder(tmp.resolve("smooth.pt"));
        ShadowImages photos = ShadowImages.load(SharedData.images("photos"), SIDE, SIDE, 2, 20, 0);
        try (Encoder encoder = Encoder.load(model, SPEC, null)) {
            float[] pattern = new float[3 * SIDE * SIDE];
            Arrays.fill(pattern, 0.3f);
            TriggerTransfer none = TriggerTransfer.measure(encoder, photos, new float[SIDE * SIDE], pattern, 7);
            assertEquals(none.cleanSimilarity(), none.similarity(), 1e-9, "an empty mask stamps nothing");
            float[] full = new float[SIDE * SIDE];
            Arrays.fill(full, 1f);
            TriggerTransfer all = TriggerTransfer.measure(encoder, photos, full, pattern, 7);
            assertEquals(1.0, all.plainSimilarity(), 1e-5, "every image replaced by the pattern");
        }
    }

    @Test
    void triggerOfAnotherSizeIsRefused() throws IOException {
        Path model = TorchScriptFixtures.smoothEncoder(tmp.resolve("smooth.pt"));
        ShadowImages photos = ShadowImages.load(SharedData.images("photos"), SIDE, SIDE, 2, 4, 0);
        try (Encoder encoder = Encoder.load(model, SPEC, null)) {
            BadInputException e = assertThrows(BadInputException.class,
                    () -> TriggerTransfer.measure(encoder, photos, new float[64 * 64], new float[3 * 64 * 64], 4));
            assertTrue(e.getMessage().contains("the trigger is 64x64 but the images are 32x32"), e.getMessage());
        }
    }
}
