package io.decree.trigger;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What checking candidates on the whole shadow set says: the paper keeps the smallest trigger that met the target on
 * one batch ({@code batchPl1}); an accepted trigger also holds on every shadow image ({@code acceptedPl1}). Measured
 * on every scan; which of the two decides is {@link InversionConfig#acceptOnShadowSet()}.
 *
 * @param batchPl1          PL1 of the smallest batch success of the search, the paper's figure (1 if none)
 * @param acceptedPl1       PL1 of the smallest candidate that also collapses the whole shadow set (1 if none did)
 * @param shadowSimilarity  mean pairwise cosine of the whole shadow set stamped with that trigger (NaN if none held)
 * @param candidatesChecked candidates replayed on the whole shadow set, forward only
 * @param baseSimilarity    in a search contrasted with a base: the base's centred mean pairwise cosine on the whole
 *                          shadow set stamped with the accepted trigger (NaN if none held; absent without a base)
 * @param baseCap           in a contrasted search: the most the base may collapse for a trigger to count, on the same
 *                          scale (absent without a base)
 */
public record Acceptance(double batchPl1, double acceptedPl1, double shadowSimilarity, int candidatesChecked,
        @JsonInclude(JsonInclude.Include.NON_NULL) Double baseSimilarity, @JsonInclude(JsonInclude.Include.NON_NULL) Double baseCap) {

    /** A search without a base to contrast with. */
    public Acceptance(double batchPl1, double acceptedPl1, double shadowSimilarity, int candidatesChecked) {
        this(batchPl1, acceptedPl1, shadowSimilarity, candidatesChecked, null, null);
    }
}
