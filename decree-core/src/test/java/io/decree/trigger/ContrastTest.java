package io.decree.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.BadInputException;
import io.decree.scan.ScanReport;
import io.decree.scan.Scanner;
import io.decree.scan.Verdict;

import io.decree.SharedData;
import io.decree.encoder.Encoder;
import io.decree.encoder.InputSpec;
import io.decree.encoder.TorchScriptFixtures;
import io.decree.images.ShadowImages;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The search contrasted with a base: a shortcut the base shares does not count, one only the model has does. The smooth
 * encoder collapses under a large enough trigger (it has a natural shortcut); the backdoored one adds a corner gate.
 */
class ContrastTest {
    private static final int SIDE = 32;
    private static final InputSpec SPEC = new InputSpec(new int[] {SIDE, SIDE}, null, null, null);
    private static final InversionConfig CFG = InversionConfig.defaults().toBuilder().steps(80).batchSize(8).windowGrid(2)
            .acceptOnShadowSet(true).build();

    @TempDir
    Path tmp;

    @Test
    void aShortcutTheBaseSharesIsNoTrigger() throws IOException {
        Path model = TorchScriptFixtures.smoothEncoder(tmp.resolve("smooth.pt"));
        ShadowImages photos = ShadowImages.load(SharedData.images("photos"), SIDE, SIDE, 8, 50, 0);
        try (Encoder encoder = Encoder.load(model, SPEC, null); Encoder base = Encoder.load(model, SPEC, null)) {
            InversionResult plain = new TriggerInversion(CFG).run(encoder, photos, null);
            assertTrue(plain.targetReached(), "alone, the smooth encoder has a trigger");

            InversionResult contrasted = new TriggerInversion(CFG).run(encoder, base, photos, null);
            assertFalse(contrasted.targetReached(), "against itself nothing collapses the model but not the base: " + contrasted.pl1());
            assertEquals(1.0, contrasted.pl1());
            Acceptance a = contrasted.acceptance();
            assertEquals(InversionConfig.DEFAULT_BASE_COLLAPSE_LIMIT, a.baseCap(), "the limit on the base: " + a);
        }
    }

    @Test
    void aShortcutOnlyTheModelHasIsFoundWhereItIsAndTheBaseStaysApart() throws IOException {
        Path model = TorchScriptFixtures.learnableBackdoorEncoder(tmp.resolve("backdoor.pt"));
        Path parent = TorchScriptFixtures.smoothEncoder(tmp.resolve("smooth.pt"));
        ShadowImages photos = ShadowImages.load(SharedData.images("photos"), SIDE, SIDE, 8, 50, 0);
        try (Encoder encoder = Encoder.load(model, SPEC, null); Encoder base = Encoder.load(parent, SPEC, null)) {
            InversionResult r = new TriggerInversion(CFG).run(encoder, base, photos, null);
            assertTrue(r.targetReached(), "the gate collapses the model alone");
            Acceptance a = r.acceptance();
            assertTrue(a.shadowSimilarity() > CFG.similarityTarget(), "holds on every shadow image: " + a);
            assertTrue(a.baseSimilarity() < a.baseCap(), "and leaves the base's embeddings apart: " + a);
            assertTrue(r.pl1() < 0.1, "a small trigger: " + r.pl1());
            double corner = 0;
            double total = 0;
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    total += r.mask()[y * SIDE + x];
                    corner += y < 8 && x < 8 ? r.mask()[y * SIDE + x] : 0;
                }
            }
            assertTrue(corner / total > 0.5, "most of the mask near the gate's corner: " + corner / total);

            SearchPhase first = r.phases().get(0);
            assertEquals("base centre", first.name());
            long steps = r.phases().stream().mapToLong(SearchPhase::steps).sum();
            // Each step runs its batch through the base forward, and backward only while the hinge on it is active.
            assertTrue(r.imagePasses() >= 8 * steps && r.imagePasses() <= 2 * 8 * steps, r.imagePasses() + " for " + steps);
            long searching = r.phases().stream().filter(p -> p.steps() > 0).mapToLong(SearchPhase::forwardOnlyPasses).sum();
            assertTrue(searching >= 8 * steps, "the base measured forward on every step: " + searching + " for " + steps);
        }
    }

    @Test
    void theScannerJudgesAContrastedScanByItsOwnRuleAndRefusesABaseOfOtherInput() throws IOException {
        Path model = TorchScriptFixtures.learnableBackdoorEncoder(tmp.resolve("backdoor.pt"));
        Path parent = TorchScriptFixtures.smoothEncoder(tmp.resolve("smooth.pt"));
        Scanner.Request plain = new Scanner.Request(model, SPEC, SharedData.images("photos"), CFG, 0.015, 50, null, null);
        // An equal spec read separately (as from the base's own sidecar) is the same input.
        InputSpec same = new InputSpec(new int[] {SIDE, SIDE}, null, null, null);
        ScanReport r = Scanner.scan(plain.contrastedWith(parent, same, 0.2), null).report();
        assertEquals(Verdict.TROJANED, r.verdict());
        assertEquals("base-contrast", r.decision().rule());
        assertEquals(0.2, r.threshold());
        assertTrue(r.decision().meaning().contains("not on smooth.pt"), r.decision().meaning());
        assertTrue(r.config().acceptOnShadowSet(), "the accepted trigger decides");

        InputSpec other = new InputSpec(new int[] {28, 28}, null, null, null);
        BadInputException e = assertThrows(BadInputException.class, () -> Scanner.scan(plain.contrastedWith(parent, other, 0.2), null));
        assertTrue(e.getMessage().contains("takes other input"), e.getMessage());
    }

    @Test
    void aPlainReportCarriesNoBaseFieldsAndAContrastedOneBothAndTheyReadBack() {
        ScanReport plain = report(new Acceptance(0.01, 0.012, 0.992, 3));
        assertFalse(plain.toJson().contains("baseCap"), plain.toJson());
        ScanReport contrasted = report(new Acceptance(0.01, 0.012, 0.992, 3, 0.21, 0.5));
        assertTrue(contrasted.toJson().contains("\"baseCap\" : 0.5"), contrasted.toJson());
        ScanReport back = io.decree.scan.ScanReport.read(write(contrasted));
        assertEquals(0.21, back.acceptance().baseSimilarity());
        assertEquals(null, io.decree.scan.ScanReport.read(write(plain)).acceptance().baseCap());
    }

    private Path write(ScanReport r) {
        Path f = tmp.resolve("report-" + System.nanoTime() + ".json");
        r.write(f);
        return f;
    }

    private static ScanReport report(Acceptance a) {
        return new ScanReport(Verdict.CLEAN, null, 0.01, 0.015, 0.99, null, a, true, 10, false, 1, 320, 0, java.util.List.of(),
                java.util.List.of(), 1, null, null, null, "cpu()", "contiguous", "test", java.util.List.of());
    }
}
