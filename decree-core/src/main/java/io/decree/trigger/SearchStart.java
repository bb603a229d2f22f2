package io.decree.trigger;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One start of the search and the smallest trigger it found on its batches: a backdoor makes the start over
 * its patch stand out from the others, a clean encoder's starts end alike (the anomaly index among the starts).
 *
 * @param start   where the mask started: {@code uniform}, or {@code window Spx at (top,left)}
 * @param steps   optimisation steps it was given (probes fewer than carried windows)
 * @param pl1     PL1 of its smallest batch success (1 if it had none)
 * @param ranking how the window probe fared when probes of a small batch were ranked on one common batch (null for
 *                the uniform start and where probes are ranked by their own batches): why a window was carried or not
 */
public record SearchStart(String start, int steps, double pl1, @JsonInclude(JsonInclude.Include.NON_NULL) Ranking ranking) {

    public SearchStart(String start, int steps, double pl1) {
        this(start, steps, pl1, null);
    }

    /**
     * A window probe on the common batch ({@link ProbeRanking}).
     *
     * @param rank        its place, 1 first (the first {@code windowsKept} are carried on)
     * @param collapses   whether its trigger as it stands, or its smallest batch success, collapses the common batch
     * @param pl1         the smaller collapsing trigger's PL1, else that of the trigger as it stands
     * @param similarity  the common batch's similarity under the trigger as it stands (less the base's excess, contrasted)
     * @param gain        similarity gained over the untriggered common batch per unit of PL1 (the scan without a base
     *                    ranks by it)
     * @param untriggered the common batch's similarity with no trigger
     * @param byRound     with probes run in rounds ({@code InversionConfig.probeRounds}): its place after each round it
     *                    ran, the last being {@code rank} (null with one round)
     */
    public record Ranking(int rank, boolean collapses, double pl1, double similarity, double gain, double untriggered,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<Integer> byRound) {

        public Ranking(int rank, boolean collapses, double pl1, double similarity, double gain, double untriggered) {
            this(rank, collapses, pl1, similarity, gain, untriggered, null);
        }
    }
}
