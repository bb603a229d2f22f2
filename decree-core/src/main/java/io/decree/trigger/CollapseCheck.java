package io.decree.trigger;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.decree.encoder.Encoder;
import java.util.Arrays;

/**
 * Whether a candidate trigger collapses a fixed set of images, forward only. A batch of 32 images
 * says little about the encoder: replayed on the whole shadow set, none of the 20 triggers recovered on
 * the zoo's 32x32 encoders reached the 0.99 they had on their batch (0.976-0.989), and the clean
 * MobileNetV2's fell to 0.877 on unseen photos (docs/eval/replay.md). Two uses:
 * <ul>
 * <li>acceptance (default): the whole shadow set, checked once per candidate the search would report
 *     ({@link TriggerInversion}), so that the reported PL1 is that of a trigger that holds on every image;</li>
 * <li>holdout ({@code --holdout N}): images the optimisation never sees, checked at every new batch best.
 *     Off by default: lambda still follows the batch, so the smallest batch successes fail the check and the
 *     kept trigger is an earlier, larger one; on the zoo's boundary encoders this raised trojans' PL1 more than
 *     clean ones' (docs/eval/variants.md).</li>
 * </ul>
 */
final class CollapseCheck {
    private final Encoder encoder;
    private final NDArray images;
    private final NDArray center;
    private final int batch;
    private final int size;

    /** @param images [K,3,H,W] owned by the run; @param center the clean mean embedding, or null */
    CollapseCheck(Encoder encoder, NDArray images, NDArray center, int batch) {
        this.encoder = encoder;
        this.images = images;
        this.center = center;
        this.batch = batch;
        this.size = (int) images.getShape().get(0);
    }

    int size() {
        return size;
    }

    /** {@link #similarity(NDArray, NDArray)} of a trigger held as arrays: mask [H*W], pattern [3*H*W]. */
    double similarity(float[] mask, float[] pattern, int height, int width) {
        try (NDManager m = images.getManager().newSubManager()) {
            return similarity(m.create(mask, new Shape(1, 1, height, width)), m.create(pattern, new Shape(1, 3, height, width)));
        }
    }

    /** Mean pairwise (centred) cosine of the images stamped with {@code mask} and {@code pattern}. */
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
