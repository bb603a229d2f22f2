package io.decree.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.SharedData;
import io.decree.encoder.Encoder;
import io.decree.encoder.InputSpec;
import io.decree.encoder.TorchScriptFixtures;
import io.decree.images.ShadowImages;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reported trigger is one that collapses the whole shadow set, not only the batch it was found on. */
class AcceptanceTest {
    private static final int SIDE = 32;
    private static final InputSpec SPEC = new InputSpec(new int[] {SIDE, SIDE}, null, null, null);
    private static final InversionConfig CFG = InversionConfig.defaults().toBuilder().steps(80).batchSize(8).windowGrid(2)
            .acceptOnShadowSet(true).build();

    @TempDir
    Path tmp;

    @Test
    void theReportedTriggerHoldsWhenReplayedOnEveryShadowImage() throws IOException {
        Path model = TorchScriptFixtures.smoothEncoder(tmp.resolve("smooth.pt"));
        ShadowImages photos = ShadowImages.load(SharedData.images("photos"), SIDE, SIDE, 8, 50, 0);
        try (Encoder encoder = Encoder.load(model, SPEC, null)) {
            InversionResult r = new TriggerInversion(CFG).run(encoder, photos, null);
            assertTrue(r.targetReached(), "the smooth encoder has a trigger");
            Acceptance a = r.acceptance();
            assertTrue(a.shadowSimilarity() > CFG.similarityTarget(), "accepted on the whole set: " + a);
            assertTrue(r.pl1() >= a.batchPl1(), "acceptance can only keep a larger trigger than the batch figure: " + r.pl1() + " " + a);
            assertEquals(r.pl1(), a.acceptedPl1(), 1e-12, "deciding with acceptance, the answer is the accepted trigger");
            TriggerTransfer replay = TriggerTransfer.measure(encoder, photos, r.mask(), r.pattern(), 16);
            assertEquals(a.shadowSimilarity(), replay.plainSimilarity(), 1e-4, "the same collapse when the trigger is replayed");

            SearchPhase last = r.phases().get(r.phases().size() - 1);
            assertEquals("acceptance", last.name());
            assertEquals(0, last.imagePasses(), "forward only");
            assertEquals(50L * a.candidatesChecked(), last.forwardOnlyPasses(), "each check embeds the 50 photos once");
            assertTrue(a.candidatesChecked() >= 1 && a.candidatesChecked() <= 20, "bisection, not every candidate: " + a);

            assertEquals(5, r.starts().size(), "the uniform start and 2x2 windows");
            assertEquals("uniform", r.starts().get(0).start());
            assertEquals(a.batchPl1(), r.starts().stream().mapToDouble(SearchStart::pl1).min().orElseThrow(), 1e-5,
                    "the batch figure is the smallest start's");
        }
    }

    @Test
    void withAcceptanceOffThePapersBatchFigureDecidesAndTheAcceptedOneIsStillMeasured() throws IOException {
        Path model = TorchScriptFixtures.smoothEncoder(tmp.resolve("smooth.pt"));
        ShadowImages photos = ShadowImages.load(SharedData.images("photos"), SIDE, SIDE, 8, 50, 0);
        try (Encoder encoder = Encoder.load(model, SPEC, null)) {
            InversionResult r = new TriggerInversion(CFG.toBuilder().acceptOnShadowSet(false).build()).run(encoder, photos, null);
            Acceptance a = r.acceptance();
            assertEquals(r.pl1(), a.batchPl1(), 1e-12, "the paper's smallest batch success decides");
            assertTrue(a.acceptedPl1() >= a.batchPl1() && a.shadowSimilarity() > CFG.similarityTarget(), a.toString());
            assertEquals(List.of("uniform start", "window probes", "carried windows", "acceptance"),
                    r.phases().stream().map(SearchPhase::name).toList());
        }
    }
}
