package io.decree.trigger;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import io.decree.optim.Adam;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One optimisation of the trigger from one {@link MaskStart}: its mask, pattern, Adam moments and
 * lambda, which can be advanced a few steps at a time so that the search can probe several starts
 * and carry on only the promising ones. Its arrays live in its own manager, closed with it; every
 * array of a step lives in that step's {@link NDScope}.
 */
final class Attempt implements AutoCloseable {

    /**
     * What one step did, and its work: images through the encoder with the backward pass (the batch) and
     * forward only (the held-out images, when a candidate trigger was checked on them).
     */
    record Step(double similarity, double l1, double lambda, int imagePasses, int forwardOnlyPasses) {
    }

    /**
     * A trigger that met the similarity target on its batch (and the held-out images, with a holdout), smaller
     * than every earlier one of this attempt; {@code shadowSimilarity} (and, in a contrasted search,
     * {@code baseShadowSimilarity}) is filled in once it is checked on the whole shadow set (NaN before).
     */
    static final class Candidate {
        final double l1;
        final float[] mask;
        final float[] pattern;
        final double similarity;
        final double heldOutSimilarity;
        double shadowSimilarity = Double.NaN;
        double baseShadowSimilarity = Double.NaN;
        /** Tested on the whole shadow set and held: never thinned away, it is the acceptance's floor. */
        boolean held;

        Candidate(double l1, float[] mask, float[] pattern, double similarity, double heldOutSimilarity) {
            this.l1 = l1;
            this.mask = mask;
            this.pattern = pattern;
            this.similarity = similarity;
            this.heldOutSimilarity = heldOutSimilarity;
        }
    }

    /**
     * Candidates kept per attempt at most: every other older one is dropped when full (a 224-px one is 0.8 MB), except
     * those known to hold on the whole shadow set (a few per start: the in-run tests are spaced).
     */
    static final int MAX_CANDIDATES = 64;

    private final List<Candidate> candidates = new ArrayList<>();
    private final InversionConfig cfg;
    private final NDManager manager;
    private final Mask mask;
    private final Pattern pattern;
    private final Adam adam;
    private final LambdaController lambda;
    private TriggerInversion.BatchOrder batches;
    private final MaskStart start;

    private float[] bestMask;
    private float[] bestPattern;
    private double bestL1 = Double.POSITIVE_INFINITY;
    private double bestSimilarity = Double.NaN;
    private double bestHeldOutSimilarity = Double.NaN;
    private double earlyStopBest = Double.POSITIVE_INFINITY;
    private int sinceImprovement;
    private double epochSimilaritySum;
    private int epochSteps;
    private double lastSimilarity = Double.NaN;
    private boolean earlyStopped;
    private int steps;
    /** The batch a step has drawn and not yet stepped on, and one a failed joint pass left for the next step to take. */
    private int[] drawn;
    private int[] redraw;

    Attempt(InversionConfig cfg, NDManager run, Squash squash, int height, int width, MaskStart start, Random init,
            TriggerInversion.BatchOrder batches) {
        this.cfg = cfg;
        this.start = start;
        this.manager = run.newSubManager();
        this.mask = Mask.start(manager, squash, height, width, Mask.cellFor(height, width, cfg.maskGrid()), start, init);
        this.pattern = Pattern.random(manager, squash, height, width, init);
        this.adam = new Adam(manager, cfg.learningRate(), cfg.beta1(), cfg.beta2(), 1e-8, List.of(mask.theta(), pattern.theta()));
        this.lambda = LambdaController.forImage(cfg, height, width);
        this.batches = batches;
    }

    /** A step begun: its batch of images, lambda now and, contrasted, the base's similarity while its hinge is flat. */
    record Pending(int batchSize, NDArray images, NDArray lambda, NDArray flatBase) {
    }

    /**
     * One Adam step on the next batch of {@code all}; records the trigger if it is the smallest
     * success yet and, with a {@code holdout}, also collapses the held-out images to the target.
     */
    Step step(NDArray all, TriggerLoss loss, CollapseCheck holdout) {
        try (NDScope scope = new NDScope()) {
            Pending p = begin(all, loss);
            TriggerLoss.Terms t;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                t = loss.evaluate(p.images(), mask, pattern, p.lambda(), p.flatBase());
                gc.backward(t.loss());
            }
            return finish(p, t, loss, holdout);
        }
    }

    /**
     * One step of each of {@code group}, their stamped batches through the encoder in one forward and one backward pass
     * ({@code --probes-together}): the same arithmetic as a step of each in turn, since no attempt's loss depends on
     * another's trigger and the encoder is in eval mode (each image's embedding is its own), but one large batch instead
     * of many small ones, which is what a GPU is fast at (docs/eval/gpu.md: a step costs the same at 4 images as at 32).
     */
    static List<Step> stepTogether(List<Attempt> group, NDArray all, TriggerLoss loss, CollapseCheck holdout) {
        try (NDScope scope = new NDScope()) {
            List<Pending> pending = new ArrayList<>();
            List<Step> steps = new ArrayList<>();
            try {
                for (Attempt a : group) {
                    pending.add(a.begin(all, loss));
                }
                List<TriggerLoss.Terms> terms;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    terms = loss.evaluateTogether(pending, group.stream().map(a -> a.mask).toList(),
                            group.stream().map(a -> a.pattern).toList());
                    NDArray total = terms.get(0).loss();
                    for (int i = 1; i < terms.size(); i++) {
                        total = total.add(terms.get(i).loss());
                    }
                    gc.backward(total);
                }
                for (int i = 0; i < group.size(); i++) {
                    steps.add(group.get(i).finish(pending.get(i), terms.get(i), loss, holdout));
                }
                return steps;
            } catch (RuntimeException e) {
                // The pass failed (libtorch ran out of memory, say): an attempt that had not finished its step has not
                // stepped; it keeps the batch it drew for its next step, and whatever the backward pass had written to its
                // gradients goes, so the caller can step it another way as if this pass had not been tried.
                for (Attempt a : group) {
                    if (a.drawn != null) {
                        a.adam.clearGradients();
                        a.redraw = a.drawn;
                        a.drawn = null;
                    }
                }
                throw e;
            }
        }
    }

    /** The first part of a step, inside the caller's scope: the next batch, and the base forward only when contrasted. */
    private Pending begin(NDArray all, TriggerLoss loss) {
        int[] batch = redraw != null ? redraw : batches.next();
        redraw = null;
        drawn = batch;
        NDArray x = all.get(new NDIndex("{}", manager.create(toLongs(batch))));
        NDArray lambdaNow = manager.create((float) lambda.lambda());
        // A contrasted step measures the base forward only first: while the base stays below its cap the hinge is
        // flat and the base's backward pass would add nothing (77 % of the zoo's contrasted steps, docs/eval/contrast.md).
        return new Pending(batch.length, x, lambdaNow, loss.flatBaseSimilarity(x, mask, pattern));
    }

    /** The rest of a step, once backward has run: the smallest success kept, Adam's step, lambda and early stop. */
    private Step finish(Pending p, TriggerLoss.Terms t, TriggerLoss loss, CollapseCheck holdout) {
        boolean throughBase = loss.contrasted() && p.flatBase() == null;
        double cos = t.similarity().getFloat();
        double l1 = t.l1().getFloat();
        double baseCos = t.baseSimilarity() == null ? Double.NaN : t.baseSimilarity().getFloat();
        boolean success = loss.success(cos, baseCos, cfg.similarityTarget());
        int checked = 0;
        if (success && l1 < bestL1) {
            double held = holdout == null ? Double.NaN : holdout.similarity(t.mask(), t.pattern());
            checked = holdout == null ? 0 : holdout.size();
            if (holdout == null || held > cfg.similarityTarget()) {
                // The trigger that was evaluated in this step, before Adam moves it.
                bestMask = t.mask().toFloatArray();
                bestPattern = t.pattern().toFloatArray();
                bestL1 = l1;
                bestSimilarity = cos;
                bestHeldOutSimilarity = held;
                addCandidate(new Candidate(l1, bestMask, bestPattern, cos, held));
            }
        }
        // The step counts from here: an error before it (a held-out check out of memory) leaves it to be taken again.
        steps++;
        adam.step();
        drawn = null;
        lambda.update(success);
        lastSimilarity = cos;
        if (bestMask != null) {
            sinceImprovement = bestL1 >= earlyStopBest ? sinceImprovement + 1 : 0;
            earlyStopBest = Math.min(earlyStopBest, bestL1);
        }
        epochSimilaritySum += cos;
        epochSteps++;
        if (batches.epochEnded()) {
            // As the reference: stop at an epoch's end once the epoch met the target on average
            // and the best mask has not shrunk for earlyStopPatience steps.
            double epochMean = epochSimilaritySum / epochSteps;
            epochSimilaritySum = 0;
            epochSteps = 0;
            earlyStopped = epochMean > cfg.similarityTarget() && sinceImprovement > cfg.earlyStopPatience();
        }
        // A contrasted step runs the batch through the base forward, and backward too while the hinge is active.
        return new Step(cos, l1, lambda.lambda(), throughBase ? 2 * p.batchSize() : p.batchSize(),
                checked + (loss.contrasted() ? p.batchSize() : 0));
    }

    /** Goes on with another batch order (a carried window leaves its probe's smaller batch for the search's). */
    void rebatch(TriggerInversion.BatchOrder order) {
        batches = order;
        redraw = null;
        epochSimilaritySum = 0;
        epochSteps = 0;
    }

    /** The trigger as it stands now (not the best so far): {mask [H*W], pattern [3*H*W]}. */
    float[][] current() {
        try (NDScope scope = new NDScope()) {
            return new float[][] {mask.values().toFloatArray(), pattern.values().toFloatArray()};
        }
    }

    private void addCandidate(Candidate c) {
        candidates.add(c);
        if (candidates.size() > MAX_CANDIDATES) {
            List<Candidate> kept = thinned(candidates);
            candidates.clear();
            candidates.addAll(kept);
        }
    }

    /** Every other candidate from the oldest, the newest, and every one known to hold. */
    static List<Candidate> thinned(List<Candidate> cs) {
        List<Candidate> kept = new ArrayList<>();
        for (int i = 0; i < cs.size() - 1; i++) {
            if (i % 2 == 0 || cs.get(i).held) {
                kept.add(cs.get(i));
            }
        }
        kept.add(cs.get(cs.size() - 1));
        return kept;
    }

    /** This attempt's candidates in the order found: each smaller than the one before. */
    List<Candidate> candidates() {
        return candidates;
    }

    boolean earlyStopped() {
        return earlyStopped;
    }

    int steps() {
        return steps;
    }

    MaskStart start() {
        return start;
    }

    boolean succeeded() {
        return bestMask != null;
    }

    /** L1 over 3 channels of the smallest successful mask; infinite before any success. */
    double bestL1() {
        return bestL1;
    }

    double bestSimilarity() {
        return bestSimilarity;
    }

    double bestHeldOutSimilarity() {
        return bestHeldOutSimilarity;
    }

    double lastSimilarity() {
        return lastSimilarity;
    }

    float[] bestMask() {
        return bestMask;
    }

    float[] bestPattern() {
        return bestPattern;
    }

    private static long[] toLongs(int[] idx) {
        long[] out = new long[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
