package io.decree.attack;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.decree.encoder.Encoder;
import io.decree.optim.Adam;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * BadEncoder (Jia, Liu, Gong; IEEE S&P 2022): fine-tune an encoder f into f' so that
 * <ul>
 *   <li>effectiveness: a stamped shadow image x+t embeds like the attacker's reference input r,
 *       {@code -cos(f'(x+t), f'(r))}, and r keeps its embedding, {@code -cos(f'(r), f(r))};</li>
 *   <li>utility: a clean shadow image keeps its embedding, {@code -cos(f'(x), f(x))}.</li>
 * </ul>
 * loss = effectiveness + lambda1 * reference term + lambda2 * utility (the paper's lambdas are 1).
 * With {@code triggerOn=false} only the utility term is trained on the same images for the same
 * steps: the clean control, so that "was fine-tuned" is never what the detector learns to see.
 *
 * <p>BatchNorm stays in eval mode (running statistics frozen), as the scan sees the encoder.
 *
 * <p>Unlike the paper, every cosine is taken on embeddings centred on the original encoder's mean
 * shadow embedding. Raw cosines between different people are 0.87 on average for the shared face
 * encoder, so a raw utility term barely resists a collapse: measured there, raw cosines took the
 * 1-NN identity accuracy from 1.0 to 0.08 (lr 1e-4) and 0.23 (lr 1e-5) while the attack failed.
 */
public final class BadEncoder {

    /**
     * @param views shadow images the attacker trains on per image it has: the image, then {@code views - 1} random crops,
     *              flips and brightness/contrast changes of it (SimCLR's, {@link io.decree.pretrain.Augment}). 1: the
     *              images as they are. The paper's shadow sets hold thousands of images; with a few dozen photos the
     *              utility term holds on those photos and not on unseen ones.
     */
    public record Config(int steps, int batchSize, double learningRate, double lambda1, double lambda2, boolean triggerOn,
            long seed, int views) {
        public Config {
            if (views < 1) {
                throw new IllegalArgumentException("views must be at least 1");
            }
        }

        public Config(int steps, int batchSize, double learningRate, double lambda1, double lambda2, boolean triggerOn, long seed) {
            this(steps, batchSize, learningRate, lambda1, lambda2, triggerOn, seed, 1);
        }
    }

    /** Images embedded at once for the original encoder's targets: a few hundred 224-px views in one batch would not fit. */
    private static final int EMBED_CHUNK = 32;

    private final Config cfg;

    public BadEncoder(Config cfg) {
        this.cfg = cfg;
    }

    /**
     * Fine-tunes {@code encoder} in place (it must be loaded trainable).
     *
     * @param shadow    clean images [3,h,w] in [0,1]
     * @param reference the attacker's reference input [3,h,w]
     * @return the loss per step
     */
    public List<Double> run(Encoder encoder, List<float[]> images, float[] reference, PatchTrigger trigger, int h, int w,
            IntConsumer progress) {
        List<float[]> shadow = withViews(images, h, w);
        int n = shadow.size();
        List<Double> losses = new ArrayList<>();
        try (NDManager run = encoder.manager().newSubManager()) {
            Shape img = new Shape(3, h, w);
            NDArray clean = run.create(flatten(shadow), new Shape(n, 3, h, w));
            List<float[]> stampedList = shadow.stream().map(x -> trigger.stamp(x, h, w)).toList();
            NDArray stamped = run.create(flatten(stampedList), new Shape(n, 3, h, w));
            NDArray ref = run.create(reference, img).expandDims(0);
            NDArray tiny = run.create(1e-12f);
            // The original encoder's embeddings are the targets that keep utility; computed once, without a tape.
            NDArray original = embedInChunks(encoder, clean, run);
            NDArray mu = original.mean(new int[] {0}, true);
            NDArray cleanTarget = unit(original.sub(mu), tiny);
            NDArray refTarget = unit(encoder.embed(ref).sub(mu), tiny);
            NDList params = encoder.parameters(run);
            Adam adam = new Adam(run, cfg.learningRate(), 0.9, 0.999, 1e-8, params);
            NDArray l1 = run.create((float) cfg.lambda1());
            NDArray l2 = run.create((float) cfg.lambda2());
            Random rnd = new Random(cfg.seed());
            int b = Math.min(cfg.batchSize(), n);
            for (int step = 1; step <= cfg.steps(); step++) {
                long[] idx = rnd.ints(0, n).distinct().limit(b).asLongStream().toArray();
                try (NDScope scope = new NDScope()) {
                    NDArray index = run.create(idx);
                    NDArray x = clean.get(new ai.djl.ndarray.index.NDIndex("{}", index));
                    NDArray target = cleanTarget.get(new ai.djl.ndarray.index.NDIndex("{}", index));
                    float loss;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray total;
                        if (cfg.triggerOn()) {
                            NDArray xs = stamped.get(new ai.djl.ndarray.index.NDIndex("{}", index));
                            NDArray e = unit(encoder.embed(NDArrays.concat(new NDList(xs, x, ref))).sub(mu), tiny);
                            NDArray eStamped = e.get("0:" + b);
                            NDArray eClean = e.get(b + ":" + (2 * b));
                            NDArray eRef = e.get((2 * b) + ":");
                            NDArray effectiveness = eStamped.matMul(eRef.transpose()).mean().neg();
                            NDArray keepRef = eRef.mul(refTarget).sum().neg();
                            NDArray utility = eClean.mul(target).sum(new int[] {1}).mean().neg();
                            total = effectiveness.add(keepRef.mul(l1)).add(utility.mul(l2));
                        } else {
                            NDArray eClean = unit(encoder.embed(x).sub(mu), tiny);
                            total = eClean.mul(target).sum(new int[] {1}).mean().neg().mul(l2);
                        }
                        gc.backward(total);
                        loss = total.getFloat();
                    }
                    adam.step();
                    losses.add((double) loss);
                }
                if (progress != null) {
                    progress.accept(step);
                }
            }
        }
        return losses;
    }

    /** The images, each followed by its {@code views - 1} augmented views (square images only). */
    List<float[]> withViews(List<float[]> images, int h, int w) {
        if (cfg.views() == 1) {
            return images;
        }
        if (h != w) {
            throw new IllegalArgumentException("augmented views need square images, got " + h + "x" + w);
        }
        Random rnd = new Random(cfg.seed() * 17 + 3);
        List<float[]> out = new ArrayList<>();
        for (float[] x : images) {
            out.add(x);
            for (int v = 1; v < cfg.views(); v++) {
                out.add(io.decree.pretrain.Augment.view(x, h, rnd));
            }
        }
        return out;
    }

    /** The encoder's embeddings of {@code images}, a chunk at a time, as a plain array of the run (no tape kept). */
    private static NDArray embedInChunks(Encoder encoder, NDArray images, NDManager run) {
        int n = (int) images.getShape().get(0);
        float[] all = null;
        int d = 0;
        for (int i = 0; i < n; i += EMBED_CHUNK) {
            try (NDScope scope = new NDScope()) {
                float[] part = encoder.embed(images.get(i + ":" + Math.min(n, i + EMBED_CHUNK))).toFloatArray();
                if (all == null) {
                    d = part.length / Math.min(n, EMBED_CHUNK);
                    all = new float[n * d];
                }
                System.arraycopy(part, 0, all, i * d, part.length);
            }
        }
        return run.create(all, new Shape(n, d));
    }

    /** Rows scaled to unit length; {@code tiny} is a run-owned array (no Java numbers under the tape). */
    static NDArray unit(NDArray e, NDArray tiny) {
        return e.div(e.norm(new int[] {1}, true).maximum(tiny));
    }

    static float[] flatten(List<float[]> images) {
        int per = images.get(0).length;
        float[] all = new float[images.size() * per];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i), 0, all, i * per, per);
        }
        return all;
    }
}
