package io.decree.trigger;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.decree.encoder.Encoder;
import java.util.ArrayList;
import java.util.List;

/**
 * DECREE's objective for one batch: loss = -meanCos(f(stamp(x, m, p)) - c) + lambda * |m|_1.
 * Holds the run-long constants; every array it returns belongs to the caller's step scope.
 *
 * <p>c is 0 in the paper. With centring on, c is the mean embedding of the clean shadow images:
 * DECREE assumes embeddings spread over the sphere, as SimCLR's do, but real encoders can be far
 * from that (the shared face encoder gives 0.87 mean cosine between clean photos of different
 * people), and then a tiny natural patch reaches 0.99 on a clean encoder. Measured on the face
 * encoder without centring: clean PL1 0.0171, BadEncoder-trojaned (24px patch) 0.0158, no
 * separation. A backdoor's collapse onto the reference survives centring: its stamped images
 * still meet at one point, f(r) - c. That was the single start with a per-pixel mask; with window
 * starts and the grid mask the plain cosine separates the face encoders (clean 0.029, trojan 0.0028)
 * and the whole evaluation zoo better than centring, so centring is off by default.
 *
 * <p>With a {@link Contrast} (a differential scan against the upstream checkpoint), a hinge keeps the base from
 * collapsing too: loss += max(0, meanCos(g(x') - c_g) - cap), g the base encoder, c_g its clean mean embedding. A
 * shortcut the base shares (a natural one, inherited through fine-tuning) then stops counting, and what is left is what
 * fine-tuning added.
 */
final class TriggerLoss {
    private final Encoder encoder;
    private final SelfSimilarity similarity;
    private final NDArray channels;
    private final NDManager run;

    private final NDArray center;
    private final Contrast contrast;
    private final NDArray cap;
    private final NDArray zero;

    /**
     * The base a differential search contrasts with, its clean shadow images' mean embedding {@code center} ([1,D], owned
     * by the run) and the most its stamped images may collapse: a trigger counts only while the base's centred mean
     * pairwise cosine stays below {@code cap}. Centred, because the base's plain cosine starts from its domain's clean
     * similarity (0.59 on MNIST, 0.84 on the face encoder) and a patch stamped on every image raises it whatever the
     * network learnt; centred, clean images sit near 0 and one point is 1 in every domain.
     */
    record Contrast(Encoder base, NDArray center, double cap) {
    }

    /**
     * @param center   subtracted from every embedding before the cosine; null for the paper's plain cosine
     * @param contrast the base to contrast with; null for the paper's search
     */
    TriggerLoss(Encoder encoder, NDManager run, NDArray center, Contrast contrast) {
        this.encoder = encoder;
        this.run = run;
        this.similarity = new SelfSimilarity(run);
        this.channels = run.create(3f);
        this.center = center;
        this.contrast = contrast;
        // Run-long arrays, not Java numbers: DJL's temporaries can be freed under the tape (see Encoder).
        this.cap = contrast == null ? null : run.create((float) contrast.cap());
        this.zero = run.create(0f);
    }

    TriggerLoss(Encoder encoder, NDManager run) {
        this(encoder, run, null, null);
    }

    /**
     * The parts of one evaluation; {@code loss} is what backward is called on; {@code baseSimilarity} is the base's
     * centred mean pairwise cosine on the stamped images (null without a contrast).
     */
    record Terms(NDArray loss, NDArray similarity, NDArray baseSimilarity, NDArray l1, NDArray mask, NDArray pattern) {
    }

    Terms evaluate(NDArray images, Mask mask, Pattern pattern, NDArray lambda) {
        return evaluate(images, mask, pattern, lambda, null);
    }

    /**
     * As {@link #evaluate(NDArray, Mask, Pattern, NDArray)}, given the base's similarity on the same stamped images when
     * its hinge is flat ({@link #flatBaseSimilarity}): the hinge's gradient is then zero, so the base stays out of the
     * taped loss and its backward pass is saved. Null: the base is run under the tape, as always before. The gradient is
     * the same either way.
     */
    Terms evaluate(NDArray images, Mask mask, Pattern pattern, NDArray lambda, NDArray flatBase) {
        NDArray m = mask.values();
        NDArray p = pattern.values();
        NDArray stamped = Pattern.stamp(images, m, p);
        NDArray onBase = contrast != null && flatBase == null ? contrast.base().embed(stamped) : null;
        return terms(encoder.embed(stamped), onBase, m, p, lambda, flatBase);
    }

    /** One trigger's terms from its stamped batch's embeddings (and the base's, when its hinge is not flat). */
    private Terms terms(NDArray e, NDArray onBase, NDArray m, NDArray p, NDArray lambda, NDArray flatBase) {
        NDArray cos = similarity.mean(center == null ? e : e.sub(center), run);
        NDArray l1 = Mask.l1(m, channels);
        NDArray loss = l1.mul(lambda).sub(cos);
        NDArray baseCos = flatBase;
        if (onBase != null) {
            baseCos = similarity.mean(onBase.sub(contrast.center()), run);
            loss = loss.add(baseCos.sub(cap).maximum(zero));
        }
        return new Terms(loss, cos, baseCos, l1, m, p);
    }

    /**
     * {@link #evaluate(NDArray, Mask, Pattern, NDArray, NDArray)} for several triggers at once, each on its own batch
     * ({@code pending}): every stamped batch goes through the encoder in one forward pass (and the base, for those whose
     * hinge is not flat, in another), and each batch's terms are taken from its rows. The losses are independent (no
     * trigger touches another's batch), so backward on their sum gives each trigger the gradient its own step would.
     */
    List<Terms> evaluateTogether(List<Attempt.Pending> pending, List<Mask> masks, List<Pattern> patterns) {
        NDList stamped = new NDList();
        NDList throughBase = new NDList();
        List<NDArray> ms = new ArrayList<>();
        List<NDArray> ps = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            ms.add(masks.get(i).values());
            ps.add(patterns.get(i).values());
            NDArray x = Pattern.stamp(pending.get(i).images(), ms.get(i), ps.get(i));
            stamped.add(x);
            if (contrast != null && pending.get(i).flatBase() == null) {
                throughBase.add(x);
            }
        }
        NDArray e = encoder.embed(joined(stamped));
        NDArray eBase = throughBase.isEmpty() ? null : contrast.base().embed(joined(throughBase));
        List<Terms> terms = new ArrayList<>();
        long row = 0;
        long baseRow = 0;
        for (int i = 0; i < pending.size(); i++) {
            Attempt.Pending p = pending.get(i);
            NDArray mine = e.get(new NDIndex(row + ":" + (row + p.batchSize())));
            row += p.batchSize();
            NDArray onBase = null;
            if (contrast != null && p.flatBase() == null) {
                onBase = eBase.get(new NDIndex(baseRow + ":" + (baseRow + p.batchSize())));
                baseRow += p.batchSize();
            }
            terms.add(terms(mine, onBase, ms.get(i), ps.get(i), p.lambda(), p.flatBase()));
        }
        return terms;
    }

    /**
     * The batches as one, along the first axis, on the tape. Not {@code NDArrays.concat}: given one array it returns
     * {@code duplicate()}, which DJL's PyTorch engine clones under a no-grad guard, cutting the gradient to the trigger
     * (a contrasted group with one hinge active got a gradient 16 % off before this).
     */
    private static NDArray joined(NDList batches) {
        return batches.size() == 1 ? batches.head() : batches.head().getNDArrayInternal().concat(batches.subNDList(1), 0);
    }

    /**
     * The base's centred mean pairwise cosine on {@code images} stamped with the current trigger, measured forward only
     * (call it outside a gradient collector), if it is below the cap, where the hinge is flat; null when it is not, or
     * without a contrast.
     */
    NDArray flatBaseSimilarity(NDArray images, Mask mask, Pattern pattern) {
        if (contrast == null) {
            return null;
        }
        NDArray stamped = Pattern.stamp(images, mask.values(), pattern.values());
        NDArray cos = similarity.mean(contrast.base().embed(stamped).sub(contrast.center()), run);
        return cos.getFloat() < contrast.cap() ? cos : null;
    }

    /**
     * Whether a trigger counts, on a batch or the whole shadow set: the model collapsed past the target and, with a
     * contrast, the base did not.
     */
    boolean success(double similarity, double baseSimilarity, double target) {
        return similarity > target && (contrast == null || baseSimilarity < contrast.cap());
    }

    boolean contrasted() {
        return contrast != null;
    }
}
