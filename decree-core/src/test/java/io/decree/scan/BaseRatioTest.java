package io.decree.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.BadInputException;
import io.decree.contract.ScanSettings;
import io.decree.encoder.InputSpec;
import io.decree.trigger.Acceptance;
import io.decree.trigger.InversionConfig;
import io.decree.trigger.InversionResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default differential rule: the contrasted trigger against the base's own smallest trigger. */
class BaseRatioTest {
    @TempDir
    Path tmp;

    private static final InputSpec SPEC = new InputSpec(new int[] {32, 32}, null, null, null);

    private static InversionResult contrasted(boolean found, double pl1) {
        return new InversionResult(new float[1], new float[3], 1, 1, found, found ? pl1 : 1, 0.991, Double.NaN, 0, 500, false,
                List.of(), List.of(), new Acceptance(pl1 * 0.8, found ? pl1 : 1, 0.991, 5, 0.2, 0.5), List.of());
    }

    private Scanner.Request request() {
        return new Scanner.Request(tmp.resolve("m.pt"), SPEC, tmp.resolve("imgs"), InversionConfig.defaults().toBuilder()
                .stopBelow(ScanSettings.CONTRAST_THRESHOLD).build(), 0.015, 1000, null, tmp.resolve("out"));
    }

    @Test
    void aTriggerFineTuningAddedIsJudgedInUnitsOfTheBasesOwnSmallestTrigger() {
        Decision small = Decision.baseRatio(contrasted(true, 0.02), 0.08, ScanSettings.BASE_RATIO, "base.pt");
        assertEquals(ScanSettings.BASE_CONTRAST_BASE_RATIO, small.rule());
        assertEquals(0.25, small.score(), 1e-12, "the contrasted trigger over the base's own");
        assertEquals(ScanSettings.BASE_RATIO, small.threshold());
        assertEquals(Verdict.TROJANED, small.verdict());
        assertTrue(small.meaning().contains("0.25x base.pt's own smallest trigger (8.00% of the image"), small.meaning());

        // The same trigger on a base whose own shortcut is smaller is what the architecture and images give anyway.
        Decision same = Decision.baseRatio(contrasted(true, 0.02), 0.012, ScanSettings.BASE_RATIO, "base.pt");
        assertEquals(Verdict.CLEAN, same.verdict(), same.meaning());
        assertEquals(0.02 / 0.012, same.score(), 1e-12);
        assertTrue(same.meaning().contains("(trojaned below 1.50x)"), same.meaning());

        Decision none = Decision.baseRatio(contrasted(false, 0.3), 0.08, ScanSettings.BASE_RATIO, "base.pt");
        assertEquals(Verdict.CLEAN, none.verdict());
        assertEquals(1 / 0.08, none.score(), 1e-12, "no trigger: the whole image over the base's own");
        assertTrue(none.meaning().contains("fine-tuning added no shortcut"), none.meaning());
    }

    @Test
    void theContrastedSearchStopsOnceATriggerBelowTheRatioHoldsAndACappedRatioStaysInsideTheImage() {
        Scanner.Request r = request().contrastedWith(tmp.resolve("base.pt"), SPEC, 0.08, ScanSettings.BASE_RATIO);
        assertEquals(0.12, r.threshold(), 1e-12, "1.5 times the base's own 0.08");
        assertEquals(0.12, r.config().stopBelow(), 1e-12, "the verdict cannot change once a trigger below it holds");
        assertTrue(r.config().acceptOnShadowSet(), "acceptance decides, as the ratio was measured");
        assertTrue(r.contrast().byBaseRatio());
        assertEquals(0.08, r.contrast().ownPl1());
        assertEquals(1.0, request().contrastedWith(tmp.resolve("base.pt"), SPEC, 0.9, ScanSettings.BASE_RATIO).threshold(),
                "at most the whole image");
        Scanner.Request whole = new Scanner.Request(tmp.resolve("m.pt"), SPEC, tmp.resolve("imgs"), InversionConfig.defaults(), 0.015,
                1000, null, null).contrastedWith(tmp.resolve("base.pt"), SPEC, 0.08, ScanSettings.BASE_RATIO);
        assertEquals(0, whole.config().stopBelow(), "a search asked to run to its end still does");
        assertThrows(BadInputException.class, () -> request().contrastedWith(tmp.resolve("base.pt"), SPEC, Double.NaN, 1.5));
        assertThrows(BadInputException.class, () -> request().contrastedWith(tmp.resolve("base.pt"), SPEC, 0.08, 0));
    }

    @Test
    void theBasesOwnScanIsReusedOnlyWhenItScannedTheSameFileImagesAndSearch() throws Exception {
        Path base = Files.write(tmp.resolve("base.pt"), new byte[] {1, 2, 3});
        Scanner.Request req = request();
        InversionConfig search = req.config().toBuilder().acceptOnShadowSet(true).stopBelow(0).build();
        Path earlier = tmp.resolve("out").resolve(Scanner.BASELINE_DIR).resolve("report.json");
        Files.createDirectories(earlier.getParent());
        baseReport(EncoderFile.sha256(base), tmp.resolve("imgs").toString(), search, 0.0814).write(earlier);

        Scanner.BaseScan own = Scanner.baseScan(req, base, SPEC, null);
        assertTrue(own.reused(), "the same base, images and search: no second scan");
        assertEquals(0.0814, own.ownPl1(), 1e-12);

        // Another images folder: the base is scanned again (here it is no TorchScript, so the scan fails, saying so).
        baseReport(EncoderFile.sha256(base), tmp.resolve("other").toString(), search, 0.0814).write(earlier);
        assertThrows(RuntimeException.class, () -> Scanner.baseScan(req, base, SPEC, null));

        // A base on which no trigger smaller than the image held has no own trigger to divide by.
        assertTrue(Double.isNaN(new Scanner.BaseScan(baseReport("ab".repeat(32), "imgs", search, 1.0), false, null).ownPl1()));
    }

    @Test
    void theYardstickIsTheDefaultSearchWhateverTheContrastedSearchAndAReportOfAnotherSearchIsNotReused() throws Exception {
        InversionConfig lean = InversionConfig.lean().toBuilder().seed(7).windowGrid(4).maskGrid(16).stopBelow(0.12).build();
        InversionConfig yardstick = Scanner.yardstickSearch(lean);
        InversionConfig expected = InversionConfig.defaults().toBuilder().seed(7).windowGrid(4).maskGrid(16)
                .acceptOnShadowSet(true).stopBelow(0).build();
        assertEquals(expected, yardstick, "the default's starts, lengths and batch; the scan's seed, windows and mask grid");
        assertEquals(yardstick, Scanner.yardstickSearch(InversionConfig.fast().toBuilder().seed(7).windowGrid(4).maskGrid(16)
                .build()), "the same yardstick under every contrasted search");

        // The base scanned with the lean search earlier (as before the yardstick had its own search) is scanned again.
        Path base = Files.write(tmp.resolve("base.pt"), new byte[] {1, 2, 3});
        Scanner.Request req = request();
        Path earlier = tmp.resolve("out").resolve(Scanner.BASELINE_DIR).resolve("report.json");
        Files.createDirectories(earlier.getParent());
        baseReport(EncoderFile.sha256(base), tmp.resolve("imgs").toString(), Scanner.searchAlone(InversionConfig.lean()), 0.34)
                .write(earlier);
        assertThrows(RuntimeException.class, () -> Scanner.baseScan(req, base, SPEC, Scanner.yardstickSearch(req.config()), null));
        baseReport(EncoderFile.sha256(base), tmp.resolve("imgs").toString(), Scanner.yardstickSearch(req.config()), 0.1).write(earlier);
        assertEquals(0.1, Scanner.baseScan(req, base, SPEC, Scanner.yardstickSearch(req.config()), null).ownPl1(), 1e-12);
    }

    private static ScanReport baseReport(String sha, String images, InversionConfig search, double acceptedPl1) {
        EncoderFile enc = new EncoderFile("base.pt", sha, 3, SPEC, 128);
        return new ScanReport(Verdict.CLEAN, null, 0.05, 0.015, 0.99, null, new Acceptance(0.06, acceptedPl1, 0.991, 5), true, 500,
                false, 40, 8960, 5000, List.of(), List.of(), 100, enc, new ScanReport.Images(images, 54, 54, 0), search, "cpu()",
                "contiguous", "test", List.of());
    }
}
