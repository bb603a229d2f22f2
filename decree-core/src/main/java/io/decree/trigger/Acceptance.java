package io.decree.trigger;

/**
 * What checking candidates on the whole shadow set changed: the paper keeps the smallest trigger that met the
 * target on one batch ({@code batchPl1}); an accepted trigger also holds on every shadow image.
 *
 * @param batchPl1          PL1 of the smallest batch success of the search, the paper's figure (1 if none)
 * @param shadowSimilarity  mean pairwise cosine of the whole shadow set stamped with the accepted trigger (NaN
 *                          when acceptance is off or nothing held)
 * @param candidatesChecked candidates replayed on the whole shadow set, forward only
 */
public record Acceptance(double batchPl1, double shadowSimilarity, int candidatesChecked) {
}
