package io.decree.trigger;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.decree.encoder.Encoder;

/**
 * DECREE's objective for one batch: loss = -meanCos(f(stamp(x, m, p))) + lambda * |m|_1.
 * Holds the run-long constants; every array it returns belongs to the caller's step scope.
 */
final class TriggerLoss {
    private final Encoder encoder;
    private final SelfSimilarity similarity;
    private final NDArray channels;
    private final NDManager run;

    TriggerLoss(Encoder encoder, NDManager run) {
        this.encoder = encoder;
        this.run = run;
        this.similarity = new SelfSimilarity(run);
        this.channels = run.create(3f);
    }

    /** The parts of one evaluation; {@code loss} is what backward is called on. */
    record Terms(NDArray loss, NDArray similarity, NDArray l1, NDArray mask, NDArray pattern) {
    }

    Terms evaluate(NDArray images, Mask mask, Pattern pattern, NDArray lambda) {
        NDArray m = mask.values();
        NDArray p = pattern.values();
        NDArray cos = similarity.mean(encoder.embed(Pattern.stamp(images, m, p)), run);
        NDArray l1 = Mask.l1(m, channels);
        return new Terms(l1.mul(lambda).sub(cos), cos, l1, m, p);
    }
}
