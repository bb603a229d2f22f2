package io.decree.trigger;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.decree.encoder.Encoder;

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
 */
final class TriggerLoss {
    private final Encoder encoder;
    private final SelfSimilarity similarity;
    private final NDArray channels;
    private final NDManager run;

    private final NDArray center;

    /** @param center subtracted from every embedding before the cosine; null for the paper's plain cosine */
    TriggerLoss(Encoder encoder, NDManager run, NDArray center) {
        this.encoder = encoder;
        this.run = run;
        this.similarity = new SelfSimilarity(run);
        this.channels = run.create(3f);
        this.center = center;
    }

    TriggerLoss(Encoder encoder, NDManager run) {
        this(encoder, run, null);
    }

    /** The parts of one evaluation; {@code loss} is what backward is called on. */
    record Terms(NDArray loss, NDArray similarity, NDArray l1, NDArray mask, NDArray pattern) {
    }

    Terms evaluate(NDArray images, Mask mask, Pattern pattern, NDArray lambda) {
        NDArray m = mask.values();
        NDArray p = pattern.values();
        NDArray e = encoder.embed(Pattern.stamp(images, m, p));
        NDArray cos = similarity.mean(center == null ? e : e.sub(center), run);
        NDArray l1 = Mask.l1(m, channels);
        return new Terms(l1.mul(lambda).sub(cos), cos, l1, m, p);
    }
}
