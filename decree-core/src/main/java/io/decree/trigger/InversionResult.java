package io.decree.trigger;

import java.util.List;

/**
 * The smallest trigger found: mask [H,W] and pattern [3,H,W] in [0,1].
 *
 * @param targetReached whether any step met the similarity target; if none did, the encoder has no
 *                      trigger smaller than the whole image and {@code pl1} is 1
 * @param pl1           PL1 of the best mask (1 when no target was reached)
 * @param similarity    mean cosine of the stamped batch at the best step (at the last step if none)
 * @param heldOutSimilarity the same on the held-out images (NaN without a holdout or a trigger)
 * @param heldOut       shadow images kept out of the optimisation to confirm triggers (0: none)
 * @param steps         steps run (fewer than configured after an early stop)
 * @param phases        the work of each phase of the search, in order
 * @param acceptance    the whole-shadow-set check of the candidates (pl1 is the accepted trigger's when it is on)
 * @param starts        every start of the search with its own smallest batch success
 */
public record InversionResult(float[] mask, float[] pattern, int height, int width, boolean targetReached,
        double pl1, double similarity, double heldOutSimilarity, int heldOut, int steps, boolean earlyStopped, List<StepRecord> history,
        List<SearchPhase> phases, Acceptance acceptance, List<SearchStart> starts) {

    /** Images through the encoder's forward and backward, all phases. */
    public long imagePasses() {
        return phases.stream().mapToLong(SearchPhase::imagePasses).sum();
    }

    /** Images through the encoder's forward alone, all phases. */
    public long forwardOnlyPasses() {
        return phases.stream().mapToLong(SearchPhase::forwardOnlyPasses).sum();
    }
}
