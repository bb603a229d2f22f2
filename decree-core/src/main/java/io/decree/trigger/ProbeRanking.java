package io.decree.trigger;

import java.util.Comparator;

/**
 * How window probes of a few images each are ordered on one common batch before the first is carried on
 * ({@code TriggerInversion.Search.rankOnCommonBatch}). Two orders, each probe measured the same way: its trigger as it
 * stands (and its smallest batch success) applied to the common batch, forward only.
 *
 * <ul>
 *   <li><b>By gain</b> (a scan without a base, since stop 41): the similarity the trigger adds to the untriggered
 *       common batch, per unit of mask (PL1). A backdoor's window collapses the embeddings with a small mask, so its
 *       probe gains most per pixel even before it collapses the batch; a window that collapses it only by covering a
 *       fifth of the image gains little per pixel. On the zoo's 2.4 % centre checkerboard the collapse-first order put
 *       its window last of 25 (0.80 similarity at 2 % of the image, where 24 others reached 0.97–0.99 at 6–20 %), and
 *       gain first; over every trojan of the zoo whose search reached the probes, gain puts its window first in 9 of 13,
 *       collapse first in 5 (docs/eval/plain-lean-gain.md).</li>
 *   <li><b>Collapse first</b> (a contrasted scan, where the base ratio was evaluated with it, stops 38–39): the probes
 *       whose trigger collapses the common batch (the base kept apart), smaller mask first, then the rest by their
 *       similarity less the base's excess over its cap.</li>
 * </ul>
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

    static final Comparator<Probe> COLLAPSE_FIRST = Comparator.comparing((Probe p) -> !p.collapses())
            .thenComparingDouble(p -> p.collapses() ? p.pl1() : -p.similarity());

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
