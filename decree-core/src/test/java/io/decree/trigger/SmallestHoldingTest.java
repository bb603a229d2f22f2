package io.decree.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which of a start's candidates the acceptance keeps: the bisection, and the floor a candidate known to hold sets. */
class SmallestHoldingTest {
    /** Five candidates, each smaller than the one before (index 4 the smallest). */
    private static final List<Attempt.Candidate> CS = new ArrayList<>();

    static {
        for (int i = 0; i < 5; i++) {
            CS.add(new Attempt.Candidate(100 - 10 * i, new float[0], new float[0], 0.995, Double.NaN));
        }
    }

    private static int smallest(Set<Integer> holding, Set<Integer> known, List<Integer> tested) {
        return TriggerInversion.smallestHolding(CS, 0, c -> known.contains(CS.indexOf(c)), c -> {
            tested.add(CS.indexOf(c));
            return holding.contains(CS.indexOf(c));
        });
    }

    @Test
    void largerTriggersHoldingAndSmallerFailingIsBisected() {
        List<Integer> tested = new ArrayList<>();
        assertEquals(2, smallest(Set.of(0, 1, 2), Set.of(), tested));
        assertEquals(List.of(4, 1, 2, 3), tested, "the smallest first, then halving");
        assertEquals(-1, smallest(Set.of(), Set.of(), new ArrayList<>()));
        assertEquals(4, smallest(Set.of(4), Set.of(), new ArrayList<>()));
    }

    @Test
    void aCandidateKnownToHoldIsNeverLostToTheBisection() {
        // Not monotone: 1 and 3 hold, 2 fails. Bisecting alone lands on 1; 3 was found to hold while the search ran
        // (the one that stopped it at the verdict), so the answer is 3 or smaller.
        assertEquals(1, smallest(Set.of(1, 3), Set.of(), new ArrayList<>()), "what the bisection alone finds");
        List<Integer> tested = new ArrayList<>();
        assertEquals(3, smallest(new HashSet<>(Set.of(1, 3)), Set.of(3), tested));
        assertEquals(List.of(4), tested, "only the smaller ones are tested");
    }

    @Test
    void thinningKeepsEveryOtherCandidateTheNewestAndThoseKnownToHold() {
        List<Attempt.Candidate> cs = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            cs.add(new Attempt.Candidate(100 - i, new float[0], new float[0], 0.995, Double.NaN));
        }
        cs.get(3).held = true;
        List<Integer> kept = Attempt.thinned(cs).stream().map(cs::indexOf).toList();
        assertEquals(List.of(0, 2, 3, 4, 6, 8), kept, "3 held on the whole shadow set: the acceptance's floor stays");
    }
}
