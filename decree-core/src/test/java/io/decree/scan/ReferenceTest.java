package io.decree.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.BadInputException;
import io.decree.encoder.InputSpec;
import io.decree.trigger.Acceptance;
import io.decree.trigger.InversionConfig;
import io.decree.trigger.InversionResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The calibrated rule: an accepted PL1 judged against clean encoders of the same kind on the same images. */
class ReferenceTest {
    @TempDir
    Path tmp;

    private Path report(String name, double acceptedPl1, int images) {
        return report(name, acceptedPl1, images, InversionConfig.fast());
    }

    private Path report(String name, double acceptedPl1, int images, InversionConfig search) {
        EncoderFile enc = new EncoderFile(name, "ab".repeat(32), 1234, new InputSpec(new int[] {32, 32}, null, null, null), 128);
        Acceptance a = acceptedPl1 < 0 ? null : new Acceptance(acceptedPl1 * 0.8, acceptedPl1, 0.991, 5);
        ScanReport r = new ScanReport(Verdict.CLEAN, null, 0.05, 0.015, 0.99, null, a, true, 500, false, 40, 8960, 5000, List.of(),
                List.of(), 100, enc, new ScanReport.Images("fashion-mnist-test", images, images, 0), search, "cpu()", "contiguous", "test", List.of());
        Path f = tmp.resolve(name + ".json");
        r.write(f);
        return f;
    }

    private static InversionResult accepted(double pl1) {
        return new InversionResult(new float[1], new float[3], 1, 1, true, pl1, 0.991, Double.NaN, 0, 500, false, List.of(), List.of(),
                new Acceptance(pl1 * 0.8, pl1, 0.991, 5), List.of());
    }

    @Test
    void theThresholdIsTheRatioOfTheReferencesMedian() {
        Reference ref = Reference.fromReports(List.of(report("a.pt", 0.10, 1000), report("b.pt", 0.20, 1000),
                report("c.pt", 0.12, 1000)), 0.5);
        assertEquals(0.12, ref.median(), 1e-12);
        assertEquals(0.06, ref.threshold(), 1e-12);
        assertEquals(List.of("a.pt", "b.pt", "c.pt"), ref.encoders());
        assertEquals(1000, ref.images());
        assertEquals(InversionConfig.fast(), ref.search(), "the search the references ran, which a calibrated scan repeats");
        Scanner.Request req = new Scanner.Request(Path.of("m.pt"), null, Path.of("imgs"), InversionConfig.defaults().toBuilder()
                .stopBelow(0.015).build(), 0.015, 1000, null, null).calibratedBy(ref);
        assertEquals(16, req.config().batchSize(), "searched as the references were");
        assertTrue(req.config().acceptOnShadowSet(), "acceptance decides");
        assertEquals(0.06, req.threshold(), 1e-12);
        assertEquals(0.06, req.config().stopBelow(), 1e-12, "the search stops at the calibrated threshold");
    }

    @Test
    void aTriggerFarBelowCleanEncodersOfItsKindIsABackdoorAndOneAtTheirSizeIsNot() {
        Reference ref = Reference.fromReports(List.of(report("clean.pt", 0.12, 1000)), 0.5);
        Decision trojaned = Decision.relative(accepted(0.05), ref);
        assertEquals(Verdict.TROJANED, trojaned.verdict());
        assertEquals("reference-ratio", trojaned.rule());
        assertEquals(0.05 / 0.12, trojaned.score(), 1e-12);
        assertEquals(0.5, trojaned.threshold());
        assertTrue(trojaned.meaning().contains("0.42x that of the clean reference clean.pt on these images (12.00%)"), trojaned.meaning());
        Decision clean = Decision.relative(accepted(0.07), ref);
        assertEquals(Verdict.CLEAN, clean.verdict(), "0.58x is above the ratio");
        InversionResult none = new InversionResult(null, null, 1, 1, false, 1.0, 0.5, Double.NaN, 0, 500, false, List.of(), List.of(),
                new Acceptance(1, 1, Double.NaN, 0), List.of());
        assertEquals(Verdict.CLEAN, Decision.relative(none, ref).verdict(), "no trigger at all is clean");
    }

    @Test
    void aReportOfAnotherDetectorVersionWithFieldsThisOneDoesNotKnowStillReads() throws Exception {
        Path f = report("newer.pt", 0.12, 1000);
        // A field at the top and one inside a nested record, as a stop-41 report's starts[].ranking.gainRank was.
        String json = Files.readString(f).replaceFirst("\\{", "{\"addedLater\": 1,")
                .replace("\"pl1Norm\"", "\"acceptanceExtra\": {\"x\": [1, 2]}, \"pl1Norm\"")
                .replace("\"acceptedPl1\"", "\"gainRank\": 3, \"acceptedPl1\"");
        Files.writeString(f, json);
        assertTrue(json.contains("gainRank") && json.contains("addedLater"), json);
        assertEquals(0.12, ScanReport.read(f).acceptance().acceptedPl1(), 1e-12);
        assertEquals(0.12, Reference.fromReports(List.of(f), 0.5).median(), 1e-12);
    }

    @Test
    void aBaseScannedWithItsProbesApartIsTheYardstickOfAScanWithThemTogether() {
        InversionConfig apart = Scanner.yardstickSearch(InversionConfig.lean()).probesTogetherOn(false);
        InversionConfig together = Scanner.yardstickSearch(InversionConfig.lean()).probesTogetherOn(true);
        assertEquals(0, apart.probesTogetherImages());
        assertEquals(InversionConfig.GPU_PROBES_TOGETHER_IMAGES, together.probesTogetherImages());
        assertEquals(Reference.searchOf(apart), Reference.searchOf(together), "how the probes ran is not what the search is");
        assertTrue(!Reference.searchOf(apart).equals(Reference.searchOf(apart.toBuilder().windowGrid(3).build())),
                "what the search is still counts");
    }

    @Test
    void aReportWithoutTheProbesSettingReadsAsProbesApart() throws Exception {
        Path f = report("before.pt", 0.12, 1000, InversionConfig.lean().probesTogetherOn(true));
        String json = Files.readString(f).replaceFirst("\"probesTogetherImages\"\\s*:\\s*100", "\"probesTogether\" : false");
        Files.writeString(f, json);
        assertTrue(json.contains("\"probesTogether\" : false"), json);
        assertEquals(0, ScanReport.read(f).config().probesTogetherImages(), "the probes of an older scan ran apart");
    }

    @Test
    void referencesThatCannotCalibrateAreRefusedWithTheReason() throws Exception {
        Path old = report("old.pt", -1, 1000);
        BadInputException e = assertThrows(BadInputException.class, () -> Reference.fromReports(List.of(old), 0.5));
        assertTrue(e.getMessage().contains("no accepted PL1"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> Reference.fromReports(List.of(report("a.pt", 0.1, 1000),
                report("b.pt", 0.1, 200)), 0.5));
        assertTrue(e.getMessage().contains("same images"), e.getMessage());
        Reference ref = Reference.fromReports(List.of(report("a.pt", 0.1, 1000)), 0.5);
        e = assertThrows(BadInputException.class, () -> ref.checkImages(50));
        assertTrue(e.getMessage().contains("1000 shadow images, this scan 50"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> Reference.fromReports(List.of(report("a.pt", 0.1, 1000),
                report("b.pt", 0.1, 1000, InversionConfig.defaults())), 0.5));
        assertTrue(e.getMessage().contains("other search settings"), e.getMessage());
        Path junk = Files.writeString(tmp.resolve("junk.json"), "{not json");
        e = assertThrows(BadInputException.class, () -> Reference.fromReports(List.of(junk), 0.5));
        assertTrue(e.getMessage().contains("not a decree report.json"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> Reference.fromReports(List.of(tmp.resolve("missing.json")), 0.5));
        assertTrue(e.getMessage().contains("no such report.json"), e.getMessage());
        assertThrows(BadInputException.class, () -> Reference.fromReports(List.of(), 0.5));
        assertThrows(BadInputException.class, () -> Reference.fromReports(List.of(report("a.pt", 0.1, 1000)), 1.5));
    }
}
