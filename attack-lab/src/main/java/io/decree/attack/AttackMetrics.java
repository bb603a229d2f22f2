package io.decree.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.decree.encoder.Encoder;
import java.util.List;

/**
 * Whether an attack works and what it costs, measured on held-out images.
 *
 * @param attackSuccess fraction of stamped test images whose nearest embedding, among the
 *                      reference and all clean test images, is the reference
 * @param utility       leave-one-out 1-NN accuracy of the clean test embeddings by label, or, with
 *                      no labels, the mean cosine between the embeddings and those of the original
 *                      encoder (given as {@code originalEmbeddings})
 * @param utilityKind   "knn-accuracy" or "cosine-to-original"
 */
public record AttackMetrics(double attackSuccess, double utility, String utilityKind) {

    /** Unit-length embeddings, computed 250 images at a time (the forward keeps its graph while weights are trainable). */
    public static float[][] embed(Encoder encoder, List<float[]> images, int h, int w) {
        float[][] out = new float[images.size()][];
        int chunk = 250;
        for (int start = 0; start < images.size(); start += chunk) {
            List<float[]> part = images.subList(start, Math.min(images.size(), start + chunk));
            try (NDManager m = encoder.manager().newSubManager()) {
                NDArray x = m.create(BadEncoder.flatten(part), new Shape(part.size(), 3, h, w));
                NDArray e = encoder.embed(x);
                NDArray unit = e.div(e.norm(new int[] {1}, true).maximum(1e-12f));
                float[] flat = unit.toFloatArray();
                int d = (int) e.getShape().get(1);
                for (int i = 0; i < part.size(); i++) {
                    out[start + i] = new float[d];
                    System.arraycopy(flat, i * d, out[start + i], 0, d);
                }
            }
        }
        return out;
    }

    public static double attackSuccess(float[][] stamped, float[][] clean, float[] reference) {
        int hits = 0;
        for (float[] s : stamped) {
            double toRef = dot(s, reference);
            boolean nearest = true;
            for (float[] c : clean) {
                if (dot(s, c) >= toRef) {
                    nearest = false;
                    break;
                }
            }
            hits += nearest ? 1 : 0;
        }
        return hits / (double) stamped.length;
    }

    public static double knnAccuracy(float[][] emb, List<String> labels) {
        int correct = 0;
        for (int i = 0; i < emb.length; i++) {
            int best = -1;
            double bestSim = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < emb.length; j++) {
                if (j != i && dot(emb[i], emb[j]) > bestSim) {
                    bestSim = dot(emb[i], emb[j]);
                    best = j;
                }
            }
            correct += labels.get(best).equals(labels.get(i)) ? 1 : 0;
        }
        return correct / (double) emb.length;
    }

    public static double meanCosine(float[][] a, float[][] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += dot(a[i], b[i]);
        }
        return s / a.length;
    }

    /**
     * What DECREE would see if it found the exact trigger: the mean pairwise cosine of the stamped
     * images' embeddings, centred on the clean images' mean (as the scan's default).
     */
    public static double centredSimilarity(Encoder encoder, List<float[]> clean, List<float[]> stamped, int h, int w) {
        try (NDManager m = encoder.manager().newSubManager()) {
            NDArray c = encoder.embed(m.create(BadEncoder.flatten(clean), new Shape(clean.size(), 3, h, w)));
            NDArray s = encoder.embed(m.create(BadEncoder.flatten(stamped), new Shape(stamped.size(), 3, h, w)));
            NDArray e = s.sub(c.mean(new int[] {0}, true));
            NDArray u = e.div(e.norm(new int[] {1}, true).maximum(1e-12f));
            long n = u.getShape().get(0);
            double total = u.sum(new int[] {0}).square().sum().getFloat();
            return (total - n) / (n * (n - 1));
        }
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
