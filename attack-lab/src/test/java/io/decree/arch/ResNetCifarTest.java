package io.decree.arch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.decree.attack.AttackMetrics;
import io.decree.encoder.Encoder;
import io.decree.encoder.InputSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ResNet-18 written without PyTorch loads in libtorch, embeds, trains and is written back. */
class ResNetCifarTest {
    @TempDir
    Path tmp;

    private static List<float[]> images(int n, long seed) {
        Random r = new Random(seed);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] x = new float[3 * 32 * 32];
            for (int j = 0; j < x.length; j++) {
                x[j] = r.nextFloat();
            }
            out.add(x);
        }
        return out;
    }

    @Test
    void loadsAsTorchScriptAndEmbedsIntoTheWidthTimesEightFeatures() throws IOException {
        Path model = ResNetCifar.write(tmp.resolve("r16"), 16, 1);
        InputSpec spec = InputSpec.sidecarOf(model);
        assertArrayEquals(new int[] {32, 32}, spec.inputSize());
        try (Encoder e = Encoder.load(model, spec, null); NDManager m = e.manager().newSubManager()) {
            e.probe();
            assertEquals(128, e.embeddingSize(), "8 x width 16");
            long params = 0;
            for (NDArray p : e.parameters(m)) {
                params += p.getShape().size();
            }
            // ResNet-18 (CIFAR) at width 16: 0.70 M parameters, as ../shared/architectures/resnet18_w16_32.pt.
            assertTrue(params > 690_000 && params < 710_000, "parameters: " + params);
            float[][] emb = AttackMetrics.embed(e, images(4, 7), 32, 32);
            assertTrue(AttackMetrics.meanCosine(new float[][] {emb[0]}, new float[][] {emb[1]}) < 0.9999,
                    "different images, different embeddings");
        }
        byte[] again = Files.readAllBytes(ResNetCifar.write(Files.createDirectories(tmp.resolve("again")).resolve("r16"), 16, 1));
        byte[] other = Files.readAllBytes(ResNetCifar.write(Files.createDirectories(tmp.resolve("other")).resolve("r16"), 16, 2));
        assertArrayEquals(Files.readAllBytes(model), again, "same seed, the same file");
        assertTrue(!java.util.Arrays.equals(again, other), "another seed, other weights");
    }

    @Test
    void batchNormFollowsTrainModeAndTheModuleIsWrittenBackWithItsStatistics() throws IOException {
        Path model = ResNetCifar.write(tmp.resolve("r16"), 16, 3);
        InputSpec spec = InputSpec.sidecarOf(model);
        List<float[]> batch = images(8, 11);
        float[][] before;
        try (Encoder e = Encoder.load(model, spec, null, true); NDManager m = e.manager().newSubManager()) {
            before = AttackMetrics.embed(e, batch, 32, 32);
            e.trainMode(true);
            float[] flat = new float[8 * 3 * 32 * 32];
            for (int i = 0; i < 8; i++) {
                System.arraycopy(batch.get(i), 0, flat, i * 3 * 32 * 32, 3 * 32 * 32);
            }
            e.embed(m.create(flat, new Shape(8, 3, 32, 32))); // train mode: running statistics move towards the batch's
            e.trainMode(false);
            e.save(tmp.resolve("trained.pt"));
        }
        Files.copy(tmp.resolve("r16.json"), tmp.resolve("trained.json"));
        try (Encoder reloaded = Encoder.load(tmp.resolve("trained.pt"), spec, null)) {
            float[][] after = AttackMetrics.embed(reloaded, batch, 32, 32);
            double same = AttackMetrics.meanCosine(before, after);
            assertTrue(same < 0.99999, "the written-back module carries the updated BatchNorm statistics: " + same);
        }
    }
}
