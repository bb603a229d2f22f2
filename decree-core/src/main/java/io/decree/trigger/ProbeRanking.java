package io.decree.trigger;

import java.util.Comparator;

/**
 * How window probes of a few images each are ordered on one common batch before the first is carried on
 * ({@code TriggerInversion.Search.rankOnCommonBatch}): by <b>gain</b>, the similarity a probe's trigger adds to the
 * untriggered common batch per unit of mask (PL1), the better of its trigger as it stands and its smallest batch success,
 * each applied to the common batch, forward only (contrasted, the similarity less the base's excess over its cap).
 *
 * <p>A backdoor's window collapses the embeddings with a small mask, so its probe gains most per pixel even before it
 * collapses the batch; a window that collapses it only by covering a fifth of the image gains little per pixel. The
 * order before (stops 38–41), collapse first, smaller mask first, then by similarity, put the zoo's 2.4 % centre
 * checkerboard's window last of 25 (0.80 similarity at 2 % of the image, where 24 others reached 0.97–0.99 at 6–20 %).
 * Over the zoo's trojans gain ranks their own window first in 9 of 13 plain searches and 22 of 27 contrasted ones,
 * collapse first in 5 and 11 (docs/eval/plain-lean-gain.md, docs/eval/base-ratio-gain.md).
 */
final class ProbeRanking {

    /**
     * One probe on the common batch.
     *
     * @param collapses  whether its trigger as it stands, or its smallest batch success, collapses the common batch
     * @param pl1        the smaller collapsing trigger's PL1, else that of the trigger as it stands
     * @param similarity the common batch's similarity under the trigger as it stands (less the base's excess, contrasted)
     * @param gain       similarity gained over the untriggered batch per unit of PL1, the better of its two triggers
     */
    record Probe(boolean collapses, double pl1, double similarity, double gain) {
    }

    static final Comparator<Probe> BY_GAIN = Comparator.comparingDouble((Probe p) -> -p.gain());

    private ProbeRanking() {
    }

    /**
     * Similarity gained per unit of mask: {@code (similarity - untriggered) / pl1}, the mask floored at one pixel of
     * the image ({@code pixels}) so that an empty mask gains nothing rather than infinitely.
     */
    static double gain(double similarity, double untriggered, double pl1, int pixels) {
        return (similarity - untriggered) / Math.max(pl1, 1.0 / pixels);
    }
}
