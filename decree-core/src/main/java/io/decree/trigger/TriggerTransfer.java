package io.decree.trigger;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.decree.BadInputException;
import io.decree.encoder.Encoder;
import io.decree.images.ShadowImages;

/**
 * How far a recovered trigger collapses the embeddings of a set of images, with no optimisation:
 * the trigger replayed. A backdoor works on any input, while a trigger the search fitted to a few
 * shadow images need not carry over to others; replaying it on images the search never saw tells
 * the two apart where the shadow set is small (measured on the zoo, see docs/detector.md "Replaying the recovered triggers").
 *
 * @param images          how many images the trigger was stamped on
 * @param similarity      mean pairwise cosine of the stamped images' embeddings, centred on the clean
 *                        images' mean embedding, as the scan measures it
 * @param plainSimilarity the same without centring (the paper's measure)
 * @param cleanSimilarity the clean images' own centred similarity: what "no collapse" looks like
 */
public record TriggerTransfer(int images, double similarity, double plainSimilarity, double cleanSimilarity) {

    /** Stamps {@code mask} ([H*W], in [0,1]) and {@code pattern} ([3*H*W], in [0,1]) on every image. */
    public static TriggerTransfer measure(Encoder encoder, ShadowImages images, float[] mask, float[] pattern, int batch) {
        int h = images.height();
        int w = images.width();
        if (mask.length != h * w || pattern.length != 3 * h * w) {
            throw new BadInputException("the trigger is " + side(mask.length) + " but the images are " + h + "x" + w
                    + " (the trigger must come from a scan of an encoder with the same input size)");
        }
        int n = images.size();
        if (n < 2) {
            throw new BadInputException("replaying a trigger needs at least 2 images, got " + n);
        }
        float[][] clean = new float[n][];
        float[][] stamped = new float[n][];
        try (NDManager m = encoder.manager().newSubManager()) {
            NDArray mk = m.create(mask, new Shape(1, 1, h, w));
            NDArray pt = m.create(pattern, new Shape(1, 3, h, w));
            for (int start = 0; start < n; start += batch) {
                int count = Math.min(batch, n - start);
                try (NDScope scope = new NDScope()) {
                    NDArray x = m.create(images.flat(start, count), new Shape(count, 3, h, w));
                    rows(encoder.embed(x), clean, start);
                    rows(encoder.embed(Pattern.stamp(x, mk, pt)), stamped, start);
                }
            }
        }
        double[] center = mean(clean);
        return new TriggerTransfer(n, meanCosine(stamped, center), meanCosine(stamped, null), meanCosine(clean, center));
    }

    private static String side(int pixels) {
        int s = (int) Math.round(Math.sqrt(pixels));
        return s * s == pixels ? s + "x" + s : pixels + " pixels";
    }

    private static void rows(NDArray embeddings, float[][] into, int offset) {
        int d = (int) embeddings.getShape().get(1);
        float[] all = embeddings.toFloatArray();
        for (int i = 0; i < all.length / d; i++) {
            into[offset + i] = java.util.Arrays.copyOfRange(all, i * d, (i + 1) * d);
        }
    }

    private static double[] mean(float[][] rows) {
        double[] c = new double[rows[0].length];
        for (float[] r : rows) {
            for (int j = 0; j < c.length; j++) {
                c[j] += r[j];
            }
        }
        for (int j = 0; j < c.length; j++) {
            c[j] /= rows.length;
        }
        return c;
    }

    /** Mean cosine over ordered pairs i != j, via |sum of unit rows|^2 - N, as {@link SelfSimilarity}. */
    static double meanCosine(float[][] rows, double[] center) {
        int d = rows[0].length;
        double[] sum = new double[d];
        for (float[] r : rows) {
            double[] v = new double[d];
            double norm = 0;
            for (int j = 0; j < d; j++) {
                v[j] = r[j] - (center == null ? 0 : center[j]);
                norm += v[j] * v[j];
            }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            for (int j = 0; j < d; j++) {
                sum[j] += v[j] / norm;
            }
        }
        double total = 0;
        for (double s : sum) {
            total += s * s;
        }
        long n = rows.length;
        return (total - n) / (n * (n - 1.0));
    }
}
