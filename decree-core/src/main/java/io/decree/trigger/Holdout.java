package io.decree.trigger;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.decree.encoder.Encoder;
import java.util.Arrays;

/**
 * Shadow images the optimisation never sees. A backdoor collapses any stamped input, while a
 * trigger fitted to the shadow set (or a lucky batch of it) need not carry over: replayed on 11
 * unseen photos, the trigger found on the clean MobileNetV2 fell from 0.99 to 0.81 centred
 * similarity while a BadEncoder trojan's held at 0.95 (README "Replaying the recovered triggers").
 * So a candidate trigger counts only if it also collapses these images to the target.
 *
 * <p>Opt-in ({@code --holdout N}): lambda still follows the batch, so the smallest batch successes
 * fail the check and the kept trigger is an earlier, larger one; on the zoo's boundary encoders
 * this raised trojans' PL1 more than clean ones' (docs/eval/variants.md).
 */
final class Holdout {
    private final Encoder encoder;
    private final NDArray images;
    private final NDArray center;
    private final int batch;
    private final int size;

    /** @param images [K,3,H,W] owned by the run; @param center the clean mean embedding, or null */
    Holdout(Encoder encoder, NDArray images, NDArray center, int batch) {
        this.encoder = encoder;
        this.images = images;
        this.center = center;
        this.batch = batch;
        this.size = (int) images.getShape().get(0);
    }

    int size() {
        return size;
    }

    /** Mean pairwise (centred) cosine of the held-out images stamped with {@code mask} and {@code pattern}. */
    double similarity(NDArray mask, NDArray pattern) {
        float[][] rows = new float[size][];
        for (int start = 0; start < size; start += batch) {
            try (NDScope scope = new NDScope()) {
                NDArray e = encoder.embed(Pattern.stamp(images.get(start + ":" + Math.min(size, start + batch)), mask, pattern));
                float[] flat = (center == null ? e : e.sub(center)).toFloatArray();
                int d = flat.length / (Math.min(size, start + batch) - start);
                for (int i = 0; i * d < flat.length; i++) {
                    rows[start + i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
                }
            }
        }
        return TriggerTransfer.meanCosine(rows, null);
    }
}
