package io.decree.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.decree.SharedData;
import io.decree.encoder.Encoder;
import io.decree.encoder.InputSpec;
import io.decree.encoder.TorchScriptFixtures;
import io.decree.images.ShadowImages;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several triggers' losses evaluated in one pass through the encoder ({@code --probes-together}) give each trigger the
 * terms and gradient its own evaluation gives, plain and contrasted with a base (whose hinge is active for some triggers
 * and flat for others).
 */
class TriggerLossTogetherTest {
    private static final int SIDE = 32;
    private static final int K = 3;
    private static final int BATCH = 4;

    @TempDir
    Path tmp;

    @Test
    void plain() throws IOException {
        compare(false);
    }

    @Test
    void contrastedWithABase() throws IOException {
        compare(true);
    }

    private void compare(boolean contrasted) throws IOException {
        InputSpec spec = new InputSpec(new int[] {SIDE, SIDE}, null, null, null);
        ShadowImages images = ShadowImages.load(SharedData.images("photos"), SIDE, SIDE, 8, K * BATCH, 1);
        try (Encoder encoder = Encoder.load(TorchScriptFixtures.smoothEncoder(tmp.resolve("smooth.pt")), spec, null);
                // A base unlike the model (coarser, another squashing), so that the hinge's gradient does not cancel the
                // model's and leave only round-off to compare.
                Encoder base = Encoder.load(TorchScriptFixtures.withForward(tmp.resolve("base.pt"), """
                            return torch.flatten(torch.sigmoid(torch.avg_pool2d(torch.mul(x, 4.0), [8, 8])), 1)
                        """), spec, null);
                NDManager run = encoder.manager().newSubManager()) {
            NDArray all = run.create(images.flat(), new Shape(K * BATCH, 3, SIDE, SIDE));
            Squash squash = new Squash(run);
            TriggerLoss.Contrast contrast = contrasted
                    ? new TriggerLoss.Contrast(base, base.embed(all).mean(new int[] {0}, true), 0.5) : null;
            TriggerLoss loss = new TriggerLoss(encoder, run, null, contrast);
            Random rnd = new Random(11);
            List<float[]> maskThetas = new ArrayList<>();
            List<float[]> patternThetas = new ArrayList<>();
            for (int i = 0; i < K; i++) {
                // The first covers most of the image, so the base collapses too (its hinge active); the last barely marks it (flat).
                maskThetas.add(theta(rnd, SIDE * SIDE, i == 0 ? 1.5f : i == K - 1 ? -5f : -1f));
                patternThetas.add(theta(rnd, 3 * SIDE * SIDE, 0f));
            }
            List<NDArray> batches = new ArrayList<>();
            for (int i = 0; i < K; i++) {
                batches.add(all.get(new NDIndex(i * BATCH + ":" + (i + 1) * BATCH)));
            }
            NDArray lambda = run.create(1e-3f);

            // One at a time, as Attempt.step evaluates a trigger.
            List<float[]> alone = new ArrayList<>();
            List<double[]> aloneTerms = new ArrayList<>();
            int flat = 0;
            for (int i = 0; i < K; i++) {
                Mask m = Mask.of(run, squash, SIDE, SIDE, maskThetas.get(i));
                Pattern p = Pattern.of(run, squash, SIDE, SIDE, patternThetas.get(i));
                NDArray flatBase = loss.flatBaseSimilarity(batches.get(i), m, p);
                flat += flatBase != null ? 1 : 0;
                TriggerLoss.Terms t;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    t = loss.evaluate(batches.get(i), m, p, lambda, flatBase);
                    gc.backward(t.loss());
                }
                alone.add(concat(m.theta().getGradient().toFloatArray(), p.theta().getGradient().toFloatArray()));
                aloneTerms.add(new double[] {t.loss().getFloat(), t.similarity().getFloat(), t.l1().getFloat(),
                    t.baseSimilarity() == null ? Double.NaN : t.baseSimilarity().getFloat()});
            }
            if (contrasted) {
                assertTrue(flat > 0 && flat < K, "some hinges flat, some active: " + flat + " of " + K);
            }

            // Together, as Attempt.stepTogether evaluates them.
            List<Mask> masks = new ArrayList<>();
            List<Pattern> patterns = new ArrayList<>();
            List<Attempt.Pending> pending = new ArrayList<>();
            for (int i = 0; i < K; i++) {
                masks.add(Mask.of(run, squash, SIDE, SIDE, maskThetas.get(i)));
                patterns.add(Pattern.of(run, squash, SIDE, SIDE, patternThetas.get(i)));
                pending.add(new Attempt.Pending(BATCH, batches.get(i), lambda,
                        loss.flatBaseSimilarity(batches.get(i), masks.get(i), patterns.get(i))));
            }
            List<TriggerLoss.Terms> together;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                together = loss.evaluateTogether(pending, masks, patterns);
                NDArray total = together.get(0).loss();
                for (int i = 1; i < K; i++) {
                    total = total.add(together.get(i).loss());
                }
                gc.backward(total);
            }
            for (int i = 0; i < K; i++) {
                TriggerLoss.Terms t = together.get(i);
                double[] a = aloneTerms.get(i);
                assertEquals(a[0], t.loss().getFloat(), 1e-5, "loss of trigger " + i);
                assertEquals(a[1], t.similarity().getFloat(), 1e-5, "similarity of trigger " + i);
                assertEquals(a[2], t.l1().getFloat(), 1e-3, "l1 of trigger " + i);
                if (contrasted) {
                    assertEquals(a[3], t.baseSimilarity().getFloat(), 1e-5, "base similarity of trigger " + i);
                }
                float[] g = concat(masks.get(i).theta().getGradient().toFloatArray(),
                        patterns.get(i).theta().getGradient().toFloatArray());
                float[] ga = alone.get(i);
                double diff = 0;
                double norm = 0;
                for (int j = 0; j < g.length; j++) {
                    diff += (g[j] - ga[j]) * (double) (g[j] - ga[j]);
                    norm += ga[j] * (double) ga[j];
                }
                assertTrue(norm > 0, "trigger " + i + " has a gradient");
                assertTrue(Math.sqrt(diff / norm) < 1e-4, "trigger " + i + "'s gradient, relative difference "
                        + Math.sqrt(diff / norm));
            }
        }
    }

    private static float[] theta(Random rnd, int n, float offset) {
        float[] t = new float[n];
        for (int i = 0; i < n; i++) {
            t[i] = offset + (float) rnd.nextGaussian();
        }
        return t;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = new float[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
