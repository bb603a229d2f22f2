package io.decree.scan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.decree.encoder.Encoder;
import io.decree.images.ShadowImages;
import java.util.Locale;

/**
 * Whether a base can be the yardstick of a scan against it: how alike the model and its base embed the same clean images,
 * the mean over the shadow images of the cosine between the model's embedding of an image and the base's. A fine-tune
 * that keeps its base's embeddings (BadEncoder's utility term asks exactly that, and the zoo's controls were trained the
 * same way) agrees at 0.96-1.00; a clean encoder trained on from its base with nothing holding it there agreed at 0.79,
 * and at 0.48 once moved to another domain, and its own shortcuts then look to the contrast like added ones
 * (docs/eval/base-ratio.md). Forward passes only.
 *
 * @param base       the base's file name, for the report's words
 * @param meanCosine the agreement; NaN when the two embed into spaces of different sizes (no agreement to measure)
 * @param images     shadow images it was measured on
 * @param minimum    the base is a yardstick at or above this ({@code ScanSettings.BASE_AGREEMENT} unless set)
 */
public record BaseAgreement(String base, double meanCosine, int images, double minimum) {

    /** Whether the base may judge the model (NaN, embeddings of other sizes: no). */
    public boolean yardstick() {
        return meanCosine >= minimum;
    }

    /** Why the model is judged alone, in words for the report. */
    public String whyAlone() {
        return Double.isNaN(meanCosine)
                ? String.format(Locale.ROOT, "judged alone: this model's embeddings and %s's differ in size, so %s is no yardstick for it; ",
                        base, base)
                : String.format(Locale.ROOT, "judged alone: this model embeds the shadow images unlike %s (mean cosine %.3f between the "
                        + "two encoders' embeddings of the same image, below %.2f): it moved too far from %s for its shortcuts to be "
                        + "told from added ones; ", base, meanCosine, minimum, base);
    }

    /** Embeds every image with both encoders, {@code batch} at a time, and averages the per-image cosines. */
    public static BaseAgreement measure(Encoder model, Encoder base, ShadowImages images, int batch, double minimum) {
        String name = base.file().getFileName().toString();
        if (model.embeddingSize() != base.embeddingSize()) {
            return new BaseAgreement(name, Double.NaN, images.size(), minimum);
        }
        int h = images.height();
        int w = images.width();
        int n = images.size();
        double sum = 0;
        try (NDManager m = model.manager().newSubManager()) {
            for (int start = 0; start < n; start += batch) {
                int count = Math.min(batch, n - start);
                try (NDScope scope = new NDScope()) {
                    NDArray x = m.create(images.flat(start, count), new Shape(count, 3, h, w));
                    NDArray a = model.embed(x);
                    NDArray b = base.embed(x.toDevice(base.device(), false));
                    b = b.toDevice(a.getDevice(), false);
                    // Per-image cosine, the norms guarded as F.normalize guards them.
                    NDArray dot = a.mul(b).sum(new int[] {1});
                    NDArray norms = a.norm(new int[] {1}).mul(b.norm(new int[] {1})).maximum(1e-12f);
                    sum += dot.div(norms).sum().getFloat();
                }
            }
        }
        return new BaseAgreement(name, sum / n, n, minimum);
    }
}
