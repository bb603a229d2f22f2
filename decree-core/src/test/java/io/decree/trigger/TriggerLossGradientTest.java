package io.decree.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.decree.SharedData;
import io.decree.encoder.Encoder;
import io.decree.encoder.InputSpec;
import io.decree.encoder.TorchScriptFixtures;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import io.decree.images.ShadowImages;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The gradient DJL computes for the DECREE loss, with respect to the mask and pattern parameters,
 * agrees with central finite differences of the same loss, on a small TorchScript encoder.
 * The encoder is smooth (tanh of pooled pixels): on a ReLU network, float32 finite differences
 * cross activation kinks and disagree with any gradient by tens of percent. Directional derivatives
 * along random directions are compared, which keeps round-off small relative to the signal.
 */
class TriggerLossGradientTest {

    private static final int SIDE = 32;

    @Test
    void djlGradientMatchesFiniteDifferencesForMaskAndPattern(@TempDir Path tmp) throws IOException {
        Path model = TorchScriptFixtures.smoothEncoder(tmp.resolve("smooth.pt"));
        InputSpec spec = new InputSpec(new int[] {SIDE, SIDE}, null, null, null);
        ShadowImages images = ShadowImages.load(SharedData.images("photos"), SIDE, SIDE, 8, 8, 1);
        try (Encoder encoder = Encoder.load(model, spec, null);
                NDManager run = encoder.manager().newSubManager()) {
            encoder.probe();
            NDArray x = run.create(images.flat(), new Shape(images.size(), 3, SIDE, SIDE));
            Squash squash = new Squash(run);
            TriggerLoss loss = new TriggerLoss(encoder, run);
            Random rnd = new Random(7);
            float[] maskTheta = randomTheta(rnd, SIDE * SIDE);
            float[] patternTheta = randomTheta(rnd, 3 * SIDE * SIDE);

            for (double lambda : new double[] {0.0, 1e-3}) {
                NDArray lam = run.create((float) lambda);
                Mask mask = Mask.of(run, squash, SIDE, SIDE, maskTheta);
                Pattern pattern = Pattern.of(run, squash, SIDE, SIDE, patternTheta);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(loss.evaluate(x, mask, pattern, lam).loss());
                }
                float[] gMask = mask.theta().getGradient().toFloatArray();
                float[] gPattern = pattern.theta().getGradient().toFloatArray();

                for (int trial = 0; trial < 2; trial++) {
                    float[] dMask = randomDirection(rnd, maskTheta.length);
                    float[] dPattern = randomDirection(rnd, patternTheta.length);
                    double eps = 1e-2;
                    double fdMask = (value(loss, run, squash, x, lam, axpy(maskTheta, dMask, eps), patternTheta)
                            - value(loss, run, squash, x, lam, axpy(maskTheta, dMask, -eps), patternTheta)) / (2 * eps);
                    double fdPattern = (value(loss, run, squash, x, lam, maskTheta, axpy(patternTheta, dPattern, eps))
                            - value(loss, run, squash, x, lam, maskTheta, axpy(patternTheta, dPattern, -eps))) / (2 * eps);
                    double anMask = dot(gMask, dMask);
                    double anPattern = dot(gPattern, dPattern);
                    // The pattern reaches the loss only through the encoder: a zero here means no gradient flows through it.
                    assertTrue(Math.abs(anPattern) > 1e-5, "pattern gradient through the encoder is zero: " + anPattern);
                    assertEquals(fdMask, anMask, 0.02 * Math.abs(fdMask) + 1e-6, "mask, lambda=" + lambda);
                    assertEquals(fdPattern, anPattern, 0.02 * Math.abs(fdPattern) + 1e-6, "pattern, lambda=" + lambda);
                }
            }
        }
    }

    /**
     * A contrasted step measures the base forward only and leaves it out of the tape while its hinge is flat: the gradient
     * must be the one the whole taped loss gives, below the cap (base skipped) and above it (base taped after all).
     */
    @Test
    void aContrastedStepThatSkipsTheBaseBelowItsCapHasTheWholeLossGradient(@TempDir Path tmp) throws IOException {
        Path model = TorchScriptFixtures.smoothEncoder(tmp.resolve("smooth.pt"));
        Path parent = TorchScriptFixtures.learnableBackdoorEncoder(tmp.resolve("other.pt"));
        InputSpec spec = new InputSpec(new int[] {SIDE, SIDE}, null, null, null);
        ShadowImages images = ShadowImages.load(SharedData.images("photos"), SIDE, SIDE, 8, 8, 1);
        try (Encoder encoder = Encoder.load(model, spec, null); Encoder base = Encoder.load(parent, spec, null);
                NDManager run = encoder.manager().newSubManager()) {
            NDArray x = run.create(images.flat(), new Shape(images.size(), 3, SIDE, SIDE));
            NDArray center = base.embed(x).mean(new int[] {0}, true);
            Squash squash = new Squash(run);
            Random rnd = new Random(11);
            float[] maskTheta = randomTheta(rnd, SIDE * SIDE);
            float[] patternTheta = randomTheta(rnd, 3 * SIDE * SIDE);
            NDArray lam = run.create(1e-3f);
            // Under a cap of 1 every similarity is flat: this measures the base's similarity at the trigger.
            double baseCos = new TriggerLoss(encoder, run, null, new TriggerLoss.Contrast(base, center, 1.0))
                    .flatBaseSimilarity(x, Mask.of(run, squash, SIDE, SIDE, maskTheta), Pattern.of(run, squash, SIDE, SIDE, patternTheta))
                    .getFloat();
            for (double cap : new double[] {baseCos + 0.05, baseCos - 0.05}) {
                TriggerLoss loss = new TriggerLoss(encoder, run, null, new TriggerLoss.Contrast(base, center, cap));
                float[][] whole = gradient(loss, run, squash, x, lam, maskTheta, patternTheta, false);
                float[][] skipping = gradient(loss, run, squash, x, lam, maskTheta, patternTheta, true);
                boolean flat = loss.flatBaseSimilarity(x, Mask.of(run, squash, SIDE, SIDE, maskTheta),
                        Pattern.of(run, squash, SIDE, SIDE, patternTheta)) != null;
                assertEquals(cap > baseCos, flat, "flat at cap " + cap + ", base " + baseCos);
                for (int k = 0; k < 2; k++) {
                    double norm = Math.sqrt(dot(whole[k], whole[k]));
                    double diff = 0;
                    for (int i = 0; i < whole[k].length; i++) {
                        diff += (whole[k][i] - skipping[k][i]) * (double) (whole[k][i] - skipping[k][i]);
                    }
                    assertTrue(norm > 0, "a gradient to compare");
                    assertTrue(Math.sqrt(diff) <= 1e-4 * norm, (k == 0 ? "mask" : "pattern") + " gradient at cap " + cap
                            + " differs by " + Math.sqrt(diff) + " of " + norm);
                }
            }
        }
    }

    private static float[][] gradient(TriggerLoss loss, NDManager run, Squash squash, NDArray x, NDArray lam, float[] mTheta,
            float[] pTheta, boolean baseForwardFirst) {
        try (NDManager step = run.newSubManager()) {
            Mask m = Mask.of(step, squash, SIDE, SIDE, mTheta);
            Pattern p = Pattern.of(step, squash, SIDE, SIDE, pTheta);
            NDArray forward = baseForwardFirst ? loss.flatBaseSimilarity(x, m, p) : null;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(loss.evaluate(x, m, p, lam, forward).loss());
            }
            return new float[][] {m.theta().getGradient().toFloatArray(), p.theta().getGradient().toFloatArray()};
        }
    }

    private static double value(TriggerLoss loss, NDManager run, Squash squash, NDArray x, NDArray lam, float[] mTheta, float[] pTheta) {
        try (NDManager step = run.newSubManager()) {
            Mask m = Mask.of(step, squash, SIDE, SIDE, mTheta);
            Pattern p = Pattern.of(step, squash, SIDE, SIDE, pTheta);
            return loss.evaluate(x, m, p, lam).loss().getFloat();
        }
    }

    private static float[] randomTheta(Random rnd, int n) {
        float[] t = new float[n];
        for (int i = 0; i < n; i++) {
            t[i] = (float) (rnd.nextGaussian() * 0.8);
        }
        return t;
    }

    private static float[] randomDirection(Random rnd, int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = (float) rnd.nextGaussian();
        }
        return d;
    }

    private static float[] axpy(float[] base, float[] dir, double eps) {
        float[] out = new float[base.length];
        for (int i = 0; i < base.length; i++) {
            out[i] = (float) (base[i] + eps * dir[i]);
        }
        return out;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
