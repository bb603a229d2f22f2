package io.decree.pretrain;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.decree.data.Dataset;
import io.decree.encoder.Encoder;
import io.decree.optim.Adam;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;

/**
 * SimCLR (Chen et al., ICML 2020): two augmented views of each image, a projection head g (linear,
 * ReLU, linear), and the NT-Xent loss, which pulls the two views of an image together against the
 * other 2B-2 views of the batch. The head is thrown away; the encoder's weights are trained in place,
 * BatchNorm in training mode.
 */
public final class SimClr {

    public record Config(int steps, int batchSize, double learningRate, double temperature, int projectionDim, long seed) {
    }

    private final Config cfg;

    public SimClr(Config cfg) {
        this.cfg = cfg;
    }

    /**
     * Pre-trains {@code encoder} (loaded trainable, 32x32 input) on the images of {@code data}.
     *
     * @param progress called with (step, loss) after every step
     * @return the loss per step
     */
    public List<Double> run(Encoder encoder, Dataset data, BiConsumer<Integer, Double> progress) {
        int b = cfg.batchSize();
        int n2 = 2 * b;
        int s = Dataset.SIZE;
        List<Double> losses = new ArrayList<>();
        Random rnd = new Random(cfg.seed());
        // The projection head is drawn by libtorch's generator: seeded too, so a rebuild gives the same encoder.
        Engine.getInstance().setRandomSeed((int) cfg.seed());
        encoder.trainMode(true);
        try (NDManager run = encoder.manager().newSubManager()) {
            int d = embeddingSize(encoder, run, s);
            NDArray w1 = run.randomNormal(0, (float) Math.sqrt(2.0 / d), new Shape(d, d), ai.djl.ndarray.types.DataType.FLOAT32);
            NDArray w2 = run.randomNormal(0, (float) Math.sqrt(1.0 / d), new Shape(d, cfg.projectionDim()),
                    ai.djl.ndarray.types.DataType.FLOAT32);
            w1.setRequiresGradient(true);
            w2.setRequiresGradient(true);
            NDList params = encoder.parameters(run);
            params.add(w1);
            params.add(w2);
            Adam adam = new Adam(run, cfg.learningRate(), 0.9, 0.999, 1e-8, params);
            // Constants live for the run: a Java number under the tape becomes a temporary array (see Encoder).
            NDArray invTau = run.create((float) (1 / cfg.temperature()));
            NDArray tiny = run.create(1e-12f);
            NDArray selfMask = run.eye(n2).mul(-1e4f);
            float[] pos = new float[n2 * n2];
            for (int i = 0; i < n2; i++) {
                pos[i * n2 + (i + b) % n2] = 1f / n2;
            }
            NDArray positives = run.create(pos, new Shape(n2, n2));
            for (int step = 1; step <= cfg.steps(); step++) {
                float[] batch = new float[n2 * 3 * s * s];
                int per = 3 * s * s;
                for (int i = 0; i < b; i++) {
                    float[] img = data.chw(rnd.nextInt(data.size()));
                    System.arraycopy(Augment.view(img, s, rnd), 0, batch, i * per, per);
                    System.arraycopy(Augment.view(img, s, rnd), 0, batch, (i + b) * per, per);
                }
                float loss;
                try (NDScope scope = new NDScope()) {
                    NDArray x = run.create(batch, new Shape(n2, 3, s, s));
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray h = encoder.embed(x);
                        NDArray z = h.matMul(w1).maximum(tiny).matMul(w2);
                        z = z.div(z.norm(new int[] {1}, true).maximum(tiny));
                        NDArray logits = z.matMul(z.transpose()).mul(invTau).add(selfMask);
                        NDArray total = logits.logSoftmax(1).mul(positives).sum().neg();
                        gc.backward(total);
                        loss = total.getFloat();
                    }
                    adam.step();
                }
                losses.add((double) loss);
                if (progress != null) {
                    progress.accept(step, (double) loss);
                }
            }
        } finally {
            encoder.trainMode(false);
        }
        return losses;
    }

    private static int embeddingSize(Encoder encoder, NDManager run, int s) {
        try (NDManager m = run.newSubManager()) {
            encoder.trainMode(false);
            int d = (int) encoder.embed(m.full(new Shape(2, 3, s, s), 0.5f)).getShape().get(1);
            encoder.trainMode(true);
            return d;
        }
    }
}
