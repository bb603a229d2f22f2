package io.decree.trigger;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.decree.encoder.Encoder;
import io.decree.optim.Adam;
import io.decree.images.ShadowImages;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * DECREE's trigger inversion (Feng et al., CVPR 2023, Sec. 4): find the smallest mask m and a
 * pattern p such that stamping x' = (1-m)x + m*p makes the encoder map a batch of clean images to
 * nearly one point.
 *
 * <pre>
 *   loss = -meanCos(f(x')) + lambda * |m|_1
 * </pre>
 *
 * minimised with Adam, lambda adapted around the similarity target, stopping once the smallest
 * successful mask has stopped shrinking. Every array of a step lives in that step's
 * {@link NDScope}; only the trigger, its Adam moments, the images and constants live for the run.
 */
public final class TriggerInversion {

    private final InversionConfig cfg;

    public TriggerInversion(InversionConfig cfg) {
        this.cfg = cfg;
    }

    public InversionConfig config() {
        return cfg;
    }

    public InversionResult run(Encoder encoder, ShadowImages images, Consumer<StepRecord> progress) {
        int h = images.height();
        int w = images.width();
        int n = images.size();
        if (n < 2) {
            throw new IllegalArgumentException("trigger inversion needs at least 2 images");
        }
        Random init = new Random(cfg.seed());
        Random order = new Random(cfg.seed() * 31 + 7);
        try (NDManager run = encoder.manager().newSubManager()) {
            NDArray all = run.create(images.flat(), new Shape(n, 3, h, w));
            Squash squash = new Squash(run);
            NDArray center = cfg.centerEmbeddings() ? meanEmbedding(encoder, all, run, cfg.batchSize()) : null;
            TriggerLoss loss = new TriggerLoss(encoder, run, center);
            Mask mask = Mask.random(run, squash, h, w, Mask.cellFor(h, w, cfg.maskGrid()), init);
            Pattern pattern = Pattern.random(run, squash, h, w, init);
            Adam adam = new Adam(run, cfg.learningRate(), cfg.beta1(), cfg.beta2(), 1e-8,
                    List.of(mask.theta(), pattern.theta()));
            LambdaController lambda = LambdaController.forImage(cfg, h, w);
            BatchOrder batches = new BatchOrder(n, Math.min(cfg.batchSize(), n), order);

            List<StepRecord> history = new ArrayList<>();
            float[] bestMask = null;
            float[] bestPattern = null;
            double bestL1 = Double.POSITIVE_INFINITY;
            double bestSimilarity = Double.NaN;
            double earlyStopBest = Double.POSITIVE_INFINITY;
            int sinceImprovement = 0;
            double epochSimilaritySum = 0;
            int epochSteps = 0;
            double lastSimilarity = Double.NaN;
            boolean earlyStopped = false;
            int step = 0;
            while (step < cfg.maxSteps()) {
                int[] batch = batches.next();
                step++;
                double cos;
                double l1;
                float[] m2d = null;
                float[] p3d = null;
                try (NDScope scope = new NDScope()) {
                    NDArray x = all.get(new NDIndex("{}", run.create(toLongs(batch))));
                    NDArray lambdaNow = run.create((float) lambda.lambda());
                    TriggerLoss.Terms t;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        t = loss.evaluate(x, mask, pattern, lambdaNow);
                        gc.backward(t.loss());
                    }
                    cos = t.similarity().getFloat();
                    l1 = t.l1().getFloat();
                    boolean success = cos > cfg.similarityTarget();
                    if (success && l1 < bestL1) {
                        // The trigger that was evaluated in this step, before Adam moves it.
                        m2d = t.mask().toFloatArray();
                        p3d = t.pattern().toFloatArray();
                    }
                    adam.step();
                    lambda.update(success);
                }
                lastSimilarity = cos;
                if (m2d != null) {
                    bestMask = m2d;
                    bestPattern = p3d;
                    bestL1 = l1;
                    bestSimilarity = cos;
                }
                if (bestMask != null) {
                    sinceImprovement = bestL1 >= earlyStopBest ? sinceImprovement + 1 : 0;
                    earlyStopBest = Math.min(earlyStopBest, bestL1);
                }
                double pl1Now = l1 / (3.0 * h * w);
                double bestPl1 = bestMask == null ? 1.0 : bestL1 / (3.0 * h * w);
                StepRecord rec = new StepRecord(step, cos, pl1Now, lambda.lambda(), bestPl1);
                history.add(rec);
                if (progress != null) {
                    progress.accept(rec);
                }
                epochSimilaritySum += cos;
                epochSteps++;
                if (batches.epochEnded()) {
                    // As the reference: stop at an epoch's end once the epoch met the target on average
                    // and the best mask has not shrunk for earlyStopPatience steps.
                    double epochMean = epochSimilaritySum / epochSteps;
                    epochSimilaritySum = 0;
                    epochSteps = 0;
                    if (epochMean > cfg.similarityTarget() && sinceImprovement > cfg.earlyStopPatience()) {
                        earlyStopped = true;
                        break;
                    }
                }
            }
            if (bestMask == null) {
                return new InversionResult(null, null, h, w, false, 1.0, lastSimilarity, step, false, history);
            }
            return new InversionResult(bestMask, bestPattern, h, w, true, Pl1Norm.of(bestMask, h, w), bestSimilarity,
                    step, earlyStopped, history);
        }
    }

    /** The clean images' mean embedding [1,D], in batches, without a tape; owned by {@code run}. */
    static NDArray meanEmbedding(Encoder encoder, NDArray images, NDManager run, int batch) {
        long n = images.getShape().get(0);
        float[] sum = null;
        for (long start = 0; start < n; start += batch) {
            try (NDScope scope = new NDScope()) {
                float[] part = encoder.embed(images.get(start + ":" + Math.min(n, start + batch))).sum(new int[] {0}).toFloatArray();
                if (sum == null) {
                    sum = new float[part.length];
                }
                for (int i = 0; i < part.length; i++) {
                    sum[i] += part[i];
                }
            }
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] /= n;
        }
        return run.create(sum, new Shape(1, sum.length));
    }

    private static long[] toLongs(int[] idx) {
        long[] out = new long[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    /**
     * Shuffled passes over the shadow set, cut into batches of one fixed size: a batch that runs past
     * the end of a pass is completed from the next pass. Equal shapes let libtorch reuse its buffers
     * (alternating 32/18-image batches on 50 photos grew the RSS by ~800 MB before it levelled off).
     */
    static final class BatchOrder {
        private final int n;
        private final int batch;
        private final Random rnd;
        private int[] perm;
        private int pos;
        private boolean wrapped;

        BatchOrder(int n, int batch, Random rnd) {
            this.n = n;
            this.batch = batch;
            this.rnd = rnd;
            reshuffle();
        }

        private void reshuffle() {
            perm = new int[n];
            for (int i = 0; i < n; i++) {
                perm[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            pos = 0;
        }

        int[] next() {
            wrapped = false;
            int[] out = new int[batch];
            boolean[] taken = new boolean[n];
            for (int k = 0; k < batch; k++) {
                if (pos >= n) {
                    reshuffle();
                    wrapped = true;
                }
                // After a wrap, an image of this batch may come up again: swap in a later one instead.
                for (int j = pos + 1; taken[perm[pos]] && j < n; j++) {
                    int t = perm[pos];
                    perm[pos] = perm[j];
                    perm[j] = t;
                }
                out[k] = perm[pos++];
                taken[out[k]] = true;
            }
            if (pos >= n) {
                reshuffle();
                wrapped = true;
            }
            return out;
        }

        /** Whether the last batch completed a pass over the shadow set. */
        boolean epochEnded() {
            return wrapped;
        }
    }
}
