package io.decree.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order of window probes, against the one before it, on a lean scan's figures for the zoo's 2.4 % centre checkerboard. */
class ProbeRankingTest {
    private static final int PIXELS = 32 * 32;
    private static final double UNTRIGGERED = 0.4586;

    private static ProbeRanking.Probe probe(boolean collapses, double pl1, double similarity) {
        return new ProbeRanking.Probe(collapses, pl1, similarity, ProbeRanking.gain(similarity, UNTRIGGERED, pl1, PIXELS));
    }

    // Its own window: 2 % of the image already lifts the common batch to 0.80, short of the 0.99 target.
    private static final ProbeRanking.Probe BACKDOOR = probe(false, 0.0195, 0.8035);
    // Windows that collapse the batch by covering 14-19 % of the image, and one that nearly does at 6 %.
    private static final List<ProbeRanking.Probe> OTHERS = List.of(probe(true, 0.1447, 0.9921), probe(true, 0.1449, 0.9913),
            probe(true, 0.1706, 0.9931), probe(true, 0.1885, 0.9885), probe(false, 0.0589, 0.9882),
            probe(false, 0.1837, 0.9885));

    // The order before gain (until stop 41 without a base, 42 contrasted): collapsing probes first, smaller mask first,
    // then by similarity.
    private static final Comparator<ProbeRanking.Probe> COLLAPSE_FIRST = Comparator.comparing((ProbeRanking.Probe p) -> !p.collapses())
            .thenComparingDouble(p -> p.collapses() ? p.pl1() : -p.similarity());

    private static int rankOfBackdoor(Comparator<ProbeRanking.Probe> order) {
        List<ProbeRanking.Probe> all = new ArrayList<>(OTHERS);
        all.add(BACKDOOR);
        all.sort(order);
        return all.indexOf(BACKDOOR) + 1;
    }

    @Test
    void byGainTheBackdoorsSmallMaskComesFirstWhereCollapseFirstPutsItLast() {
        assertEquals(1, rankOfBackdoor(ProbeRanking.BY_GAIN));
        assertEquals(OTHERS.size() + 1, rankOfBackdoor(COLLAPSE_FIRST));
    }

    @Test
    void gainIsTheSimilarityAddedPerUnitOfMaskAndAnEmptyMaskGainsNothingInfinite() {
        assertEquals((0.8 - 0.4) / 0.02, ProbeRanking.gain(0.8, 0.4, 0.02, PIXELS), 1e-9);
        assertEquals(0.1 * PIXELS, ProbeRanking.gain(0.5, 0.4, 0.0, PIXELS), 1e-6, "the mask floored at one pixel");
        assertTrue(ProbeRanking.gain(0.3, 0.4, 0.05, PIXELS) < 0, "a trigger that lowers the similarity gains less than none");
    }
}
