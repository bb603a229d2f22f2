package io.decree.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.decree.BadInputException;
import io.decree.SharedData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The input's memory layout changes how fast a scan runs, never what the encoder computes. */
class EncoderLayoutTest {

    private static final int SIDE = 32;
    private static final InputSpec SPEC = new InputSpec(new int[] {SIDE, SIDE}, null, null, null);

    @TempDir
    Path tmp;

    @Test
    void aCpuScanTakesTheChosenLayoutAndTrainingAndGpusStayContiguous() {
        assertEquals(Encoder.Layout.CONTIGUOUS, Encoder.Layout.forLoad(null, false, false), "unset: contiguous");
        assertEquals(Encoder.Layout.CHANNELS_LAST, Encoder.Layout.forLoad("channels-last", false, false));
        assertEquals(Encoder.Layout.CONTIGUOUS, Encoder.Layout.forLoad(" Contiguous ", false, false));
        assertEquals(Encoder.Layout.CONTIGUOUS, Encoder.Layout.forLoad("channels-last", true, false), "training: the zoo's");
        assertEquals(Encoder.Layout.CONTIGUOUS, Encoder.Layout.forLoad("channels-last", false, true), "GPU: not measured");
        assertThrows(BadInputException.class, () -> Encoder.Layout.forLoad("nhwc", false, false));
        try (Encoder scan = Encoder.load(SharedData.architecture("resnet18_w16_32.pt"), SPEC, null)) {
            assertEquals(Encoder.Layout.forLoad(System.getenv(Encoder.Layout.ENV), false, false), scan.layout());
        }
    }

    @Test
    void channelsLastGivesTheSameEmbeddingsAndInputGradients() {
        Path resnet = SharedData.architecture("resnet18_w16_32.pt");
        float[] pixels = new float[4 * 3 * SIDE * SIDE];
        Random random = new Random(3);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextFloat();
        }
        float[][] contiguous = embedAndGradient(resnet, Encoder.Layout.CONTIGUOUS, pixels);
        float[][] channelsLast = embedAndGradient(resnet, Encoder.Layout.CHANNELS_LAST, pixels);
        assertClose(contiguous[0], channelsLast[0], "embeddings");
        assertClose(contiguous[1], channelsLast[1], "gradients to the input");
    }

    @Test
    void aModelThatViewsItsInputFallsBackToContiguous() throws IOException {
        // x.view(n, -1) needs contiguous memory: on channels-last strides libtorch refuses it.
        Path flat = TorchScriptFixtures.withForward(tmp.resolve("flat.pt"), """
                    return torch.view(torch.sub(x, s.mean), [-1, 3072])
                """);
        try (Encoder encoder = Encoder.load(flat, SPEC, null).layout(Encoder.Layout.CHANNELS_LAST)) {
            encoder.probe();
            assertEquals(Encoder.Layout.CONTIGUOUS, encoder.layout(), "the probe found the model needs contiguous input");
            assertEquals(3072, encoder.embeddingSize());
        }
    }

    private static float[][] embedAndGradient(Path model, Encoder.Layout layout, float[] pixels) {
        try (Encoder encoder = Encoder.load(model, SPEC, null).layout(layout);
                NDManager m = encoder.manager().newSubManager()) {
            encoder.probe();
            assertEquals(layout, encoder.layout());
            NDArray x = m.create(pixels, new Shape(4, 3, SIDE, SIDE));
            x.setRequiresGradient(true);
            float[] embedding;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = encoder.embed(x);
                embedding = y.toFloatArray();
                // A non-uniform weighting, so that the gradient depends on every embedding dimension's own path.
                gc.backward(y.mul(m.arange(0f, (float) y.getShape().get(1)).div(y.getShape().get(1))).sum());
            }
            return new float[][] {embedding, x.getGradient().toFloatArray()};
        }
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(scale > 0, what + " are all zero: the comparison would prove nothing");
        assertTrue(worst <= 1e-4 * scale, what + " differ by " + worst + " (largest magnitude " + scale + ")");
    }
}
