package io.decree.trigger;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The mean cosine similarity over all ordered pairs i != j of a batch of embeddings: how far the
 * encoder has collapsed the stamped images onto one point. With unit rows e_i,
 * sum_{i!=j} e_i.e_j = |sum_i e_i|^2 - N, which costs O(N*D) instead of the N x N matrix.
 */
final class SelfSimilarity {
    private final NDArray tiny;

    SelfSimilarity(NDManager runManager) {
        // Guards the division for an all-zero embedding, as F.normalize's eps does.
        this.tiny = runManager.create(1e-12f);
    }

    NDArray mean(NDArray embeddings, NDManager stepManager) {
        long n = embeddings.getShape().get(0);
        NDArray norms = embeddings.square().sum(new int[] {1}, true).sqrt().maximum(tiny);
        NDArray unit = embeddings.div(norms);
        NDArray total = unit.sum(new int[] {0}).square().sum();
        NDArray count = stepManager.create((float) n);
        NDArray pairs = stepManager.create((float) (n * (n - 1)));
        return total.sub(count).div(pairs);
    }
}
