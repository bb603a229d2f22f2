package io.decree.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.decree.SharedData;
import io.decree.encoder.TorchScriptFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code decree scan} as a user runs it: exit codes, messages, and what lands in --out. */
class ScanCommandIT {

    @TempDir
    Path tmp;

    private final ObjectMapper json = new ObjectMapper();

    private static CliRun decree(String... args) {
        return CliRun.decree(args);
    }

    private String photos() {
        return SharedData.images("photos").toString();
    }

    @Test
    void textFileRenamedToPtIsRejectedWithExitCode2() throws IOException {
        Path fake = Files.writeString(tmp.resolve("model.pt"), "this is not a model\n");
        CliRun r = decree("scan", fake.toString(), "--images", photos(), "--input-size", "32,32", "--json");
        assertEquals(Decree.ERROR, r.code(), r.err());
        assertTrue(r.err().contains("model.pt is not a loadable TorchScript model"), r.err());
        assertEquals("", r.out().strip());
    }

    @Test
    void modelReturningFeatureMapIsRejectedWithExitCode2() throws IOException {
        Path model = TorchScriptFixtures.featureMapEncoder(tmp.resolve("featuremap.pt"));
        CliRun r = decree("scan", model.toString(), "--images", photos(), "--input-size", "32,32", "--json");
        assertEquals(Decree.ERROR, r.code(), r.err());
        assertTrue(r.err().contains("featuremap.pt returned a tensor of shape (2, 3, 16, 16)"), r.err());
        assertTrue(r.err().contains("2-D embedding"), r.err());
    }

    @Test
    void wrongInputSizeIsRejectedWithExitCode2() {
        // MobileNetV2's 7x7 pooling needs a 224x224 input: at 64x64 its feature map is too small.
        CliRun r = decree("scan", SharedData.encoder("mobilenet_v2_224.pt").toString(), "--images", photos(),
                "--input-size", "64,64", "--json");
        assertEquals(Decree.ERROR, r.code(), r.err());
        assertTrue(r.err().contains("failed on an input of shape [N,3,64,64]"), r.err());
        assertTrue(r.err().contains("Output size is too small"), r.err());
    }

    @Test
    void absurdInputSizeIsRejectedWithExitCode2() {
        CliRun r = decree("scan", SharedData.encoder("mobilenet_v2_224.pt").toString(), "--images", photos(),
                "--input-size", "0,224", "--json");
        assertEquals(Decree.ERROR, r.code(), r.err());
        assertTrue(r.err().contains("out of range"), r.err());
    }

    @Test
    void emptyImageFolderIsRejectedWithExitCode2() throws IOException {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        Files.writeString(empty.resolve("notes.txt"), "no images here");
        CliRun r = decree("scan", SharedData.architecture("resnet18_w16_32.pt").toString(), "--images", empty.toString(), "--json");
        assertEquals(Decree.ERROR, r.code(), r.err());
        assertTrue(r.err().contains("holds no PNG or JPEG image"), r.err());
    }

    @Test
    void unknownFlagIsAUsageErrorWithExitCode4() {
        CliRun r = decree("scan", "model.pt", "--images", photos(), "--no-such-flag");
        assertEquals(Decree.USAGE, r.code());
        assertTrue(r.err().contains("--no-such-flag"), r.err());
    }

    @Test
    void modelWithoutSpecNeedsInputSize() throws IOException {
        Path model = Files.copy(SharedData.architecture("resnet18_w16_32.pt"), tmp.resolve("nospec.pt"));
        CliRun r = decree("scan", model.toString(), "--images", photos(), "--json");
        assertEquals(Decree.ERROR, r.code());
        assertTrue(r.err().contains("nospec.json") && r.err().contains("--input-size"), r.err());
    }

    @Test
    void scanWritesReportAndEvidenceAndIsReproducibleForOneSeed() throws IOException {
        String model = SharedData.architecture("resnet18_w16_32.pt").toString();
        Path out1 = tmp.resolve("run1");
        Path out2 = tmp.resolve("run2");
        Path sarif = tmp.resolve("scan.sarif");
        Path progress = tmp.resolve("progress.json");
        CliRun first = decree("scan", model, "--images", photos(), "--steps", "40", "--seed", "5", "--out", out1.toString(), "--json",
                "--sarif", sarif.toString(), "--progress-file", progress.toString());
        // The same scan as a worker asks for it: a typed job naming every setting, the flags' defaults included.
        Path job = tmp.resolve("scan.json");
        new io.decree.contract.ScanJob(model, photos(), out2.toString(), null, "s3://bucket/models/m.pt", "s3://bucket/scans/x/",
                tmp.resolve("progress2.json").toString(), "auto", null,
                io.decree.contract.ScanSettings.DEFAULTS.with(java.util.Map.of("steps", "40", "seed", "5"))).write(job);
        CliRun second = decree("scan", "--config", job.toString());
        assertTrue(first.code() == Decree.CLEAN || first.code() == Decree.TROJANED, first.err());

        // What a worker reads while the scan runs (ScanProgress): the search's phase and where it got to.
        JsonNode where = json.readTree(progress.toFile());
        assertEquals("scan", where.get("phase").asText(), where.toString());
        assertEquals(40, where.get("maxSteps").asInt(), where.toString());
        assertTrue(where.get("step").asInt() > 0 && where.get("elapsedSeconds").asDouble() > 0, where.toString());
        JsonNode printed = json.readTree(first.out());
        JsonNode written = json.readTree(out1.resolve("report.json").toFile());
        assertEquals(printed, written, "--json prints exactly report.json");
        for (String field : new String[] {"verdict", "pl1Norm", "threshold", "similarity", "steps", "seconds", "seed",
                "imagePasses", "forwardOnlyPasses", "phases", "layout", "detectorVersion"}) {
            assertTrue(written.has(field), "report.json lacks " + field);
        }
        assertEquals(64, written.at("/encoder/sha256").asText().length());
        assertEquals(32, written.at("/encoder/inputSpec/inputSize/0").asInt());
        assertEquals(5, written.get("seed").asLong());
        assertEquals(first.code() == Decree.TROJANED ? "trojaned" : "clean", written.get("verdict").asText());
        if (written.get("targetReached").asBoolean()) {
            for (String png : new String[] {"mask.png", "pattern.png", "trigger.png", "stamped.png"}) {
                assertTrue(Files.size(out1.resolve(png)) > 100, png);
            }
        }

        JsonNode sarifDoc = json.readTree(sarif.toFile());
        assertTrue(io.decree.scan.SarifSchema.problems(sarifDoc).isEmpty(), "SARIF 2.1.0: " + io.decree.scan.SarifSchema.problems(sarifDoc));
        assertEquals(written.get("verdict").asText(), sarifDoc.at("/runs/0/properties/verdict").asText());
        assertEquals(first.code() == Decree.TROJANED ? 1 : 0, sarifDoc.at("/runs/0/results").size());
        assertEquals(written.get("layout").asText(), sarifDoc.at("/runs/0/properties/layout").asText(), "the layout goes to SARIF too");
        if (System.getenv("DECREE_LAYOUT") == null) {
            assertEquals("contiguous", written.get("layout").asText(), "a scan's layout when DECREE_LAYOUT is unset");
        }

        JsonNode again = json.readTree(out2.resolve("report.json").toFile());
        assertEquals(again, json.readTree(second.out()), "a job prints report.json too");
        assertTrue(Files.exists(out2.resolve("scan.sarif")) && Files.exists(tmp.resolve("progress2.json")), "a job's SARIF and progress");
        // What the worker reads back: the contract's view of the detector's report.
        io.decree.contract.ScanOutcome outcome = io.decree.contract.ScanOutcome.read(out2.resolve("report.json"));
        assertEquals(again.get("verdict").asText(), outcome.verdict());
        assertEquals(again.get("imagePasses").asLong(), outcome.imagePasses());
        assertEquals(again.at("/decision/rule").asText(), outcome.rule());
        assertEquals(again.at("/decision/score").asDouble(), outcome.score(), 1e-12);
        assertEquals(written.get("pl1Norm").asDouble(), again.get("pl1Norm").asDouble(), 1e-4, "same seed, same PL1");
        assertEquals(written.get("steps").asInt(), again.get("steps").asInt());
        // The work, per phase of the search: deterministic, unlike seconds.
        assertEquals(written.get("imagePasses").asLong(), again.get("imagePasses").asLong(), "same seed, same work");
        long perPhase = 0;
        for (JsonNode phase : written.get("phases")) {
            perPhase += phase.get("imagePasses").asLong();
        }
        assertEquals(written.get("imagePasses").asLong(), perPhase, written.get("phases").toString());
        assertEquals("uniform start", written.at("/phases/0/name").asText());
        assertTrue(written.get("imagePasses").asLong() >= written.get("steps").asLong(), "at least an image per step");

        // Calibrated by a clean reference (here the same encoder, so the ratio is about 1): the verdict is relative to it.
        Path out3 = tmp.resolve("run3");
        CliRun calibrated = decree("scan", model, "--images", photos(), "--steps", "50", "--seed", "5", "--out", out3.toString(),
                "--json", "--reference", out1.resolve("report.json").toString());
        assertEquals(Decree.CLEAN, calibrated.code(), calibrated.err());
        JsonNode rel = json.readTree(out3.resolve("report.json").toFile());
        double refPl1 = written.at("/acceptance/acceptedPl1").asDouble();
        assertEquals("reference-ratio", rel.at("/decision/rule").asText());
        assertEquals(0.4, rel.at("/decision/threshold").asDouble(), 1e-12, "the default ratio");
        assertEquals(0.4 * refPl1, rel.get("threshold").asDouble(), 1e-9, "the PL1 threshold is the ratio of the reference's");
        assertEquals(40, rel.at("/config/maxSteps").asInt(), "searched as the reference was");
        assertEquals(rel.get("pl1Norm").asDouble() / refPl1, rel.at("/decision/score").asDouble(), 1e-9);
        assertEquals(rel.at("/acceptance/acceptedPl1").asDouble(), rel.get("pl1Norm").asDouble(), 1e-12, "acceptance decides");
        // (Fewer images than a batch would be augmented up to the batch: 40 stay 40.)
        CliRun fewer = decree("scan", model, "--images", photos(), "--max-images", "40", "--json", "--reference",
                out1.resolve("report.json").toString());
        assertEquals(Decree.ERROR, fewer.code(), fewer.err());
        assertTrue(fewer.err().contains("the reference scans used 50 shadow images, this scan 40"), fewer.err());
    }

    @Test
    void holdoutKeepsAFifthOfThePhotosOutAndReportsHowTheTriggerDidOnThem() throws IOException {
        String model = TorchScriptFixtures.smoothEncoder(tmp.resolve("smooth.pt")).toString();
        Path with = tmp.resolve("with");
        Path without = tmp.resolve("without");
        String[] common = {"--images", photos(), "--input-size", "32,32", "--steps", "60", "--batch", "8", "--window-grid", "0", "--json"};
        CliRun held = decree(concat(new String[] {"scan", model, "--holdout", "32", "--out", with.toString()}, common));
        CliRun plain = decree(concat(new String[] {"scan", model, "--out", without.toString()}, common));
        assertTrue(held.code() == Decree.CLEAN || held.code() == Decree.TROJANED, held.err());
        JsonNode r = json.readTree(with.resolve("report.json").toFile());
        assertEquals(10, r.at("/images/heldOut").asInt(), "a fifth of the 50 photos, under the 32 asked for");
        assertEquals(50, r.at("/images/count").asInt());
        assertEquals(32, r.at("/config/holdout").asInt());
        assertTrue(r.get("targetReached").asBoolean(), "the smooth encoder has a trigger: " + r.get("pl1Norm"));
        assertTrue(r.get("heldOutSimilarity").asDouble() > r.at("/config/similarityTarget").asDouble(),
                "the kept trigger collapses the held-out photos too: " + r.get("heldOutSimilarity"));
        JsonNode p = json.readTree(without.resolve("report.json").toFile());
        assertEquals(0, p.at("/images/heldOut").asInt(), plain.err());
        assertTrue(p.get("heldOutSimilarity").isNull(), "no holdout, no held-out figure: " + p.get("heldOutSimilarity"));
        assertEquals(2, decree("scan", model, "--images", photos(), "--input-size", "32,32", "--holdout", "-1").code());
    }

    @Test
    void baselineMakesADifferentialScanThatFlagsTheBackdooredChildAndNotItsCleanTwin() throws IOException {
        // The backdoor is the smooth encoder plus a 4x4 shortcut: the smooth encoder is its clean parent.
        Path base = TorchScriptFixtures.smoothEncoder(tmp.resolve("base.pt"));
        Path child = TorchScriptFixtures.learnableBackdoorEncoder(tmp.resolve("child.pt"));
        Path twin = TorchScriptFixtures.smoothEncoder(tmp.resolve("twin.pt"));
        Path out = tmp.resolve("diff");
        // (The fast search's batch of 16 does not find this shortcut from its uniform start; 32 does.)
        String[] common = {"--images", photos(), "--input-size", "32,32", "--baseline", base.toString(), "--differential-rule",
            "reference-ratio", "--batch", "32", "--json"};
        CliRun trojaned = decree(concat(new String[] {"scan", child.toString(), "--out", out.toString()}, common));
        assertEquals(Decree.TROJANED, trojaned.code(), trojaned.err());
        JsonNode r = json.readTree(trojaned.out());
        JsonNode b = json.readTree(out.resolve("baseline/report.json").toFile());
        assertEquals("base.pt", b.at("/encoder/file").asText(), "the base's own scan is kept beside the model's");
        assertEquals("reference-ratio", r.at("/decision/rule").asText());
        double basePl1 = b.at("/acceptance/acceptedPl1").asDouble();
        assertEquals(r.get("pl1Norm").asDouble() / basePl1, r.at("/decision/score").asDouble(), 1e-9, "relative to the base");
        assertTrue(r.at("/decision/score").asDouble() < 0.4, r.at("/decision/meaning").asText());
        assertEquals(b.at("/config/maxSteps").asInt(), r.at("/config/maxSteps").asInt(), "the model searched as its base was");
        assertEquals(io.decree.trigger.InversionConfig.FAST_STEPS, r.at("/config/maxSteps").asInt(), "fast unless --search says otherwise");
        assertTrue(b.get("steps").asInt() > 0);

        // The clean twin of the base, judged in the same folder: the base's scan is reused, not repeated.
        long baseWritten = Files.getLastModifiedTime(out.resolve("baseline/report.json")).toMillis();
        CliRun clean = decree(concat(new String[] {"scan", twin.toString(), "--out", out.toString()}, common));
        assertEquals(Decree.CLEAN, clean.code(), clean.err());
        assertEquals(baseWritten, Files.getLastModifiedTime(out.resolve("baseline/report.json")).toMillis(), "reused");
        JsonNode c = json.readTree(clean.out());
        assertTrue(c.at("/decision/score").asDouble() >= 0.4, c.at("/decision/meaning").asText());

        CliRun both = decree(concat(new String[] {"scan", twin.toString(), "--reference", out.resolve("baseline/report.json").toString()},
                common));
        assertEquals(Decree.ERROR, both.code(), both.err());
        assertTrue(both.err().contains("--baseline and --reference are exclusive"), both.err());
    }

    @Test
    void byDefaultABaseIsScannedAloneOnceAndTheContrastedTriggerIsJudgedInUnitsOfItsOwn() throws IOException {
        Path base = TorchScriptFixtures.smoothEncoder(tmp.resolve("rbase.pt"));
        Path child = TorchScriptFixtures.anchoredBackdoorEncoder(tmp.resolve("rchild.pt"));
        Path twin = TorchScriptFixtures.smoothEncoder(tmp.resolve("rtwin.pt"));
        Path out = tmp.resolve("ratio");
        String[] common = {"--images", photos(), "--input-size", "32,32", "--baseline", base.toString(), "--window-grid", "0",
            "--out", out.toString(), "--json"};
        CliRun trojaned = decree(concat(new String[] {"scan", child.toString()}, common));
        assertEquals(Decree.TROJANED, trojaned.code(), trojaned.out());
        JsonNode r = json.readTree(trojaned.out());
        JsonNode b = json.readTree(out.resolve("baseline/report.json").toFile());
        assertEquals("rbase.pt", b.at("/encoder/file").asText(), "the base's own scan is kept beside the model's");
        double own = b.at("/acceptance/acceptedPl1").asDouble();
        assertTrue(own > 0 && own < 1, "the base has a trigger of its own: " + b.get("acceptance"));
        assertEquals(io.decree.contract.ScanSettings.BASE_CONTRAST_BASE_RATIO, r.at("/decision/rule").asText());
        assertEquals(r.get("pl1Norm").asDouble() / own, r.at("/decision/score").asDouble(), 1e-9, "in units of the base's own");
        assertEquals(io.decree.contract.ScanSettings.BASE_RATIO, r.at("/decision/threshold").asDouble(), 1e-12);
        assertEquals(Math.min(1, io.decree.contract.ScanSettings.BASE_RATIO * own), r.get("threshold").asDouble(), 1e-12,
                "the PL1 threshold it amounts to");
        assertTrue(r.at("/acceptance/baseSimilarity").asDouble() < r.at("/acceptance/baseCap").asDouble(),
                "a contrasted search: the base stays apart under the trigger: " + r.get("acceptance"));
        assertEquals(io.decree.trigger.InversionConfig.DEFAULT_STEPS, b.at("/config/maxSteps").asInt(),
                "the base, the yardstick, searched the default way");
        assertEquals(io.decree.trigger.InversionConfig.lean().maxSteps(), r.at("/config/maxSteps").asInt(), "the model the lean way");
        assertEquals(io.decree.trigger.InversionConfig.LEAN_PROBE_BATCH, r.at("/config/probeBatch").asInt());
        assertTrue(r.at("/decision/agreement/meanCosine").asDouble() >= io.decree.contract.ScanSettings.BASE_AGREEMENT,
                "the backdoor embeds clean images as its base does, so the base judges it: " + r.at("/decision/agreement"));

        long baseWritten = Files.getLastModifiedTime(out.resolve("baseline/report.json")).toMillis();
        CliRun clean = decree(concat(new String[] {"scan", twin.toString()}, common));
        assertEquals(Decree.CLEAN, clean.code(), clean.err());
        assertEquals(baseWritten, Files.getLastModifiedTime(out.resolve("baseline/report.json")).toMillis(), "the base's scan reused");
        JsonNode c = json.readTree(clean.out());
        assertTrue(!c.get("targetReached").asBoolean() || c.at("/decision/score").asDouble() >= io.decree.contract.ScanSettings.BASE_RATIO,
                c.at("/decision/meaning").asText());
        assertEquals(io.decree.contract.ScanSettings.BASE_CONTRAST_BASE_RATIO, io.decree.contract.ScanOutcome.read(out.resolve("report.json"))
                .rule(), "what the worker reads back");
    }

    @Test
    void aWorkersJobWithTheContrastRuleSearchesThroughTheModelAndItsBaseAtOnce() throws IOException {
        Path base = TorchScriptFixtures.smoothEncoder(tmp.resolve("cbase.pt"));
        Path child = TorchScriptFixtures.learnableBackdoorEncoder(tmp.resolve("cchild.pt"));
        Files.writeString(tmp.resolve("cchild.json"), "{\"inputSize\":[32,32],\"valueRange\":[0,1],\"mean\":null,\"std\":null}");
        Path out = tmp.resolve("contrast");
        Path job = tmp.resolve("contrast-job.json");
        io.decree.contract.ScanSettings settings = io.decree.contract.ScanSettings.DEFAULTS.with(java.util.Map.of(
                "differential-rule", "base-contrast", "differential-search", "default", "window-grid", "0"));
        new io.decree.contract.ScanJob(child.toString(), photos(), out.toString(), base.toString(), null, null, null, "cpu", null, settings)
                .write(job);
        CliRun run = decree("scan", "--config", job.toString());
        assertEquals(Decree.TROJANED, run.code(), run.err());
        JsonNode r = json.readTree(run.out());
        assertEquals("base-contrast", r.at("/decision/rule").asText(), r.at("/decision/meaning").asText());
        assertEquals(io.decree.scan.Scanner.DEFAULT_CONTRAST_THRESHOLD, r.get("threshold").asDouble(), 1e-12);
        assertTrue(r.at("/acceptance/baseSimilarity").asDouble() < r.at("/acceptance/baseCap").asDouble(),
                "the base stays apart under the trigger: " + r.get("acceptance"));
        assertTrue(Files.notExists(out.resolve("baseline/report.json")), "no separate scan of the base");
        assertEquals("base-contrast", io.decree.contract.ScanOutcome.read(out.resolve("report.json")).rule(), "what the worker reads back");
    }

    @Test
    void aModelThatEmbedsTheShadowImagesUnlikeItsBaseIsJudgedAloneAsWithoutOne() throws IOException {
        Path base = TorchScriptFixtures.smoothEncoder(tmp.resolve("mbase.pt"));
        // The base's features of the negated image: every clean embedding moved away from the base's.
        Path moved = TorchScriptFixtures.withForward(tmp.resolve("moved.pt"), """
                    x0 = torch.div(torch.sub(x, s.mean), s.std)
                    return torch.flatten(torch.tanh(torch.avg_pool2d(torch.neg(x0), [4, 4])), 1)
                """);
        Files.writeString(tmp.resolve("moved.json"), "{\"inputSize\":[32,32],\"valueRange\":[0,1],\"mean\":null,\"std\":null}");
        Path out = tmp.resolve("moved-out");
        Path job = tmp.resolve("moved-job.json");
        io.decree.contract.ScanSettings settings = io.decree.contract.ScanSettings.DEFAULTS.with(java.util.Map.of("window-grid", "0"));
        new io.decree.contract.ScanJob(moved.toString(), photos(), out.toString(), base.toString(), null, null, null, "cpu", null, settings)
                .write(job);
        CliRun run = decree("scan", "--config", job.toString());
        JsonNode r = json.readTree(run.out());
        assertEquals("pl1", r.at("/decision/rule").asText(), "the rule of a scan without a base: " + r.at("/decision/meaning"));
        assertEquals(settings.threshold(), r.get("threshold").asDouble(), 1e-12);
        assertEquals(r.get("verdict").asText().equals("trojaned") ? Decree.TROJANED : Decree.CLEAN, run.code(), run.err());
        assertTrue(r.at("/decision/agreement/meanCosine").asDouble() < io.decree.contract.ScanSettings.BASE_AGREEMENT,
                r.at("/decision/agreement").toString());
        assertEquals("mbase.pt", r.at("/decision/agreement/base").asText());
        assertTrue(r.at("/decision/meaning").asText().startsWith("judged alone: this model embeds the shadow images unlike mbase.pt"),
                r.at("/decision/meaning").asText());
        assertTrue(run.err().contains("no yardstick for it; judged alone"), run.err());
        assertTrue(Files.notExists(out.resolve("baseline/report.json")), "the base is not scanned for a model it cannot judge");
        assertTrue(r.at("/acceptance/baseCap").isMissingNode(), "not a contrasted search: " + r.get("acceptance"));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
