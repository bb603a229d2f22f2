package io.decree.scan;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.decree.trigger.Acceptance;
import io.decree.trigger.InversionConfig;
import io.decree.trigger.SearchPhase;
import io.decree.trigger.SearchStart;
import io.decree.trigger.StepRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What a scan concluded and how, in the form written to {@code report.json}.
 *
 * @param pl1Norm      |m|_1/(H*W) of the smallest trigger that reached the similarity target (1 if none)
 * @param similarity   mean pairwise cosine of the stamped batch with that trigger
 * @param heldOutSimilarity the same on the held-out shadow images (null without a holdout or a trigger)
 * @param imagePasses  images through the encoder's forward and backward, the whole search (the cost a faster
 *                     search must cut; deterministic)
 * @param forwardOnlyPasses images through the encoder's forward alone (clean mean, held-out checks)
 * @param decision     which rule decided, the score it compared with the threshold, and what the score means
 * @param acceptance   the paper's batch PL1 beside the accepted one, and the accepted trigger's similarity on the
 *                     whole shadow set (see InversionConfig acceptOnShadowSet)
 * @param phases       the same, with steps and seconds, per phase of the search
 * @param starts       every start of the search with its own smallest batch success
 * @param layout       the memory layout of the encoder's input batches ({@code contiguous} or {@code channels-last},
 *                     {@code Encoder.Layout}): the same sums in another order, recorded so that a scan can be repeated
 * @param curve        one record per optimisation step (similarity, current PL1, lambda, best PL1)
 */
@JsonPropertyOrder({"verdict", "decision", "pl1Norm", "threshold", "similarity", "heldOutSimilarity", "acceptance", "targetReached", "steps",
        "earlyStopped", "seconds", "imagePasses", "forwardOnlyPasses", "phases", "starts", "seed", "encoder", "images", "config", "device", "layout", "detectorVersion", "curve"})
public record ScanReport(Verdict verdict, Decision decision, double pl1Norm, double threshold, double similarity, Double heldOutSimilarity,
        Acceptance acceptance, boolean targetReached,
        int steps, boolean earlyStopped, double seconds, long imagePasses, long forwardOnlyPasses, List<SearchPhase> phases,
        List<SearchStart> starts,
        long seed, EncoderFile encoder, Images images,
        InversionConfig config, String device, String layout, String detectorVersion, List<StepRecord> curve) {

    /**
     * The shadow images used: folder, how many were loaded, how many were distinct files, and how many
     * of them were held out of the optimisation to confirm triggers.
     */
    public record Images(String dir, int count, int originals, int heldOut) {
    }

    /**
     * Reads a field it does not know past: a report of another detector version (a reference, a cached base scan, an
     * evaluation's earlier scans) still reads, as the events and the scan contract do.
     */
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void write(Path file) {
        try {
            JSON.writeValue(file.toFile(), this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ScanReport read(Path file) {
        try {
            return JSON.readValue(file.toFile(), ScanReport.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
