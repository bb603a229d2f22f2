package io.decree.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZooTest {

    @Test
    void aRealEncoderWithANullAttackHasNoAttackSoRulesCountItAsRealClean(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("zoo.json"), """
                {"size":"full","encoders":[
                  {"model":"encoders/bad.pt","label":"trojaned","images":"images/a","attack":{"base":"clean.pt"}},
                  {"model":"../shared/encoders/real.pt","label":"clean","images":"images/photos","attack":null},
                  {"model":"encoders/old.pt","label":"clean","images":"images/a"}]}""");
        Zoo zoo = Zoo.read(dir);
        assertNotNull(zoo.encoders().get(0).attack());
        assertEquals("clean.pt", zoo.encoders().get(0).attack().get("base").asText());
        assertNull(zoo.encoders().get(1).attack(), "JSON null is no attack (it used to read as a NullNode)");
        assertNull(zoo.encoders().get(2).attack());
    }

    @Test
    void anEncodersBaseIsFoundByNameWithOrWithoutTheSuffix(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("zoo.json"), """
                {"encoders":[
                  {"model":"encoders/simclr.pt","label":"clean","images":"images/a","attack":{"architecture":"r16.pt"}},
                  {"model":"encoders/bad.pt","label":"trojaned","images":"images/a","attack":{"base":"simclr"}},
                  {"model":"encoders/bad-real.pt","label":"trojaned","images":"images/f","attack":{"base":"face.pt"}},
                  {"model":"../shared/encoders/face.pt","label":"clean","images":"images/f","attack":null}]}""");
        Zoo zoo = Zoo.read(dir);
        assertEquals("simclr", zoo.encoders().get(1).base());
        assertEquals(dir.resolve("encoders/simclr.pt"), zoo.entry("simclr").model());
        assertEquals(dir.resolve("../shared/encoders/face.pt"), zoo.entry(zoo.encoders().get(2).base()).model());
        assertEquals(dir.resolve("encoders/simclr.pt"), ZooEvaluator.baseOf(zoo, zoo.encoders().get(1)));
        assertNull(ZooEvaluator.baseOf(zoo, zoo.encoders().get(0)), "a pre-training has no base");
        assertNull(zoo.entry("missing"));
        Path empty = Files.createDirectories(dir.resolve("eval/scans"));
        io.decree.BadInputException refused = org.junit.jupiter.api.Assertions.assertThrows(io.decree.BadInputException.class,
                () -> ZooEvaluator.basePlainScans(zoo, zoo.encoders().subList(1, 3), empty));
        org.junit.jupiter.api.Assertions.assertTrue(refused.getMessage().contains("no plain scan"), refused.getMessage());
    }

    @Test
    void theBaseRatioJudgesEachContrastedTriggerInUnitsOfItsBasesOwnAndRefusesABaseScannedOnOtherImages(@TempDir Path dir)
            throws Exception {
        Files.writeString(dir.resolve("zoo.json"), """
                {"encoders":[
                  {"model":"encoders/simclr.pt","label":"clean","images":"images/a","attack":{"architecture":"r16.pt"}},
                  {"model":"encoders/bad.pt","label":"trojaned","images":"images/a","attack":{"base":"simclr.pt",
                    "trigger":{"kind":"WHITE","position":"CENTER"},"triggerArea":0.02}},
                  {"model":"encoders/ctl.pt","label":"clean","images":"images/a","attack":{"base":"simclr.pt"}}]}""");
        Zoo zoo = Zoo.read(dir);
        for (String m : new String[] {"simclr", "bad", "ctl"}) {
            Files.writeString(Files.createDirectories(dir.resolve("encoders")).resolve(m + ".json"),
                    "{\"inputSize\":[32,32],\"valueRange\":[0,1],\"mean\":null,\"std\":null}");
        }
        Path out = dir.resolve("eval");
        Path bases = dir.resolve("plain/scans");
        report("simclr.pt", "images/a", 0.08).write(Files.createDirectories(bases.resolve("simclr")).resolve("report.json"));
        report("bad.pt", "images/a", 0.02, contrasted(0.97)).write(Files.createDirectories(out.resolve("scans/bad")).resolve("report.json"));
        report("ctl.pt", "images/a", 0.30, contrasted(0.99)).write(Files.createDirectories(out.resolve("scans/ctl")).resolve("report.json"));
        ZooEvaluator.Options opts = new ZooEvaluator.Options(0.13, null, null, 1000, io.decree.trigger.InversionConfig.defaults(), true,
                true, 0, bases, io.decree.contract.ScanSettings.BASE_RATIO);

        Evaluation eval = ZooEvaluator.run(zoo, opts, out, null);
        assertEquals(Evaluation.BASE_RATIO, eval.score());
        assertEquals(1.5, eval.threshold());
        assertEquals(0.25, eval.rows().get(0).pl1(), 1e-9, "0.02 over the base's own 0.08");
        assertEquals("trojaned", eval.rows().get(0).verdict(), "judged by the ratio, not the reused report's own verdict");
        assertEquals(3.75, eval.rows().get(1).pl1(), 1e-9);
        assertEquals("clean", eval.rows().get(1).verdict());
        assertEquals(1.0, eval.accuracy());
        org.junit.jupiter.api.Assertions.assertTrue(Files.readString(out.resolve("eval.md")).contains("0.250x"));

        // A model that embeds its images unlike its base was scanned alone and is judged by the no-base rule: PL1 0.012 <
        // 0.015, on the ratio's scale 0.012 / 0.015 x 1.5 = 1.2, flagged exactly as that rule flags it, and listed.
        io.decree.scan.Decision alone = new io.decree.scan.Decision("pl1", 0.012, 0.015, io.decree.scan.Verdict.TROJANED, "judged alone: …",
                new io.decree.scan.BaseAgreement("simclr.pt", 0.6, 1000, io.decree.contract.ScanSettings.BASE_AGREEMENT));
        report("ctl.pt", "images/a", 0.012, alone).write(out.resolve("scans/ctl/report.json"));
        Evaluation judged = ZooEvaluator.run(zoo, opts, out, null);
        assertEquals(1.2, judged.rows().get(1).pl1(), 1e-9);
        assertEquals("trojaned", judged.rows().get(1).verdict());
        org.junit.jupiter.api.Assertions.assertTrue(Files.readString(out.resolve("eval.md")).contains(
                "Judged alone (embedding the shadow images unlike their base, mean cosine below 0.9; score = PL1 / 0.015 x 1.5, flagged "
                        + "exactly when the no-base rule flags): ctl.pt (agreement 0.600 with simclr.pt, PL1 0.0120 against 0.0150: trojaned)"),
                Files.readString(out.resolve("eval.md")));
        report("ctl.pt", "images/a", 0.30, contrasted(0.99)).write(out.resolve("scans/ctl/report.json"));

        // The base's own trigger on other images is no yardstick for these scans.
        report("simclr.pt", "images/b", 0.08).write(bases.resolve("simclr/report.json"));
        io.decree.BadInputException other = org.junit.jupiter.api.Assertions.assertThrows(io.decree.BadInputException.class,
                () -> ZooEvaluator.run(zoo, opts, out, null));
        org.junit.jupiter.api.Assertions.assertTrue(other.getMessage().contains("was scanned on b, not on a"), other.getMessage());
    }

    /** A contrasted scan's decision whose base agreed with the model at {@code agreement} (at or above the guard). */
    private static io.decree.scan.Decision contrasted(double agreement) {
        return new io.decree.scan.Decision(io.decree.contract.ScanSettings.BASE_CONTRAST_BASE_RATIO, 1, 1.5, io.decree.scan.Verdict.CLEAN, "…",
                new io.decree.scan.BaseAgreement("simclr.pt", agreement, 1000, io.decree.contract.ScanSettings.BASE_AGREEMENT));
    }

    private static io.decree.scan.ScanReport report(String file, String images, double acceptedPl1) {
        return report(file, images, acceptedPl1, null);
    }

    private static io.decree.scan.ScanReport report(String file, String images, double acceptedPl1, io.decree.scan.Decision decision) {
        var spec = new io.decree.encoder.InputSpec(new int[] {32, 32}, null, null, null);
        var enc = new io.decree.scan.EncoderFile(file, "ab".repeat(32), 3, spec, 128);
        // The verdict as a scan at another threshold left it: the evaluation must not take it.
        return new io.decree.scan.ScanReport(io.decree.scan.Verdict.CLEAN, decision, acceptedPl1, 0.015, 0.99, null,
                new io.decree.trigger.Acceptance(acceptedPl1 * 0.8, acceptedPl1, 0.991, 5), true, 500, false, 40, 8960, 5000,
                java.util.List.of(), java.util.List.of(), 100, enc, new io.decree.scan.ScanReport.Images(images, 54, 54, 0),
                io.decree.trigger.InversionConfig.defaults(), "cpu()", "contiguous", "test", java.util.List.of());
    }
}
