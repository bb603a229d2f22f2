package io.decree.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContractFilesTest {

    @Test
    void aJobComesBackAsItWasWritten(@TempDir Path dir) {
        ScanJob job = new ScanJob("/w/model.pt", "/w/images", "/w/out", null, "s3://b/m.pt", "s3://b/e/", "/w/out/progress.json",
                "cpu", 32, ScanSettings.DEFAULTS.with(Map.of("window-grid", "0")));
        job.write(dir.resolve("scan.json"));
        assertEquals(job, ScanJob.read(dir.resolve("scan.json")));
        ScanJob byDevice = new ScanJob("/w/model.pt", "/w/images", "/w/out", null, null, null, null, "gpu", null, ScanSettings.DEFAULTS);
        byDevice.write(dir.resolve("scan.json"));
        assertEquals(null, ScanJob.read(dir.resolve("scan.json")).probesTogether(), "unset stays unset: the detector chooses");
        assertThrows(IllegalArgumentException.class, () -> new ScanJob("/w/model.pt", "/w/images", "/w/out", null, null, null, null,
                "gpu", -1, ScanSettings.DEFAULTS));
    }

    @Test
    void aJobMissingASettingIsRefusedNotFilledWithZero(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("scan.json"), "{\"model\":\"m.pt\",\"images\":\"i\",\"out\":\"o\",\"settings\":"
                + "{\"threshold\":0.015,\"steps\":400}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScanJob.read(dir.resolve("scan.json")));
        assertTrue(e.getMessage().startsWith("scan.json is not a ScanJob"), e.getMessage());
    }

    @Test
    void anOutcomeIsReadFromAReportIgnoringWhatTheWorkerDoesNotCarry() {
        ScanOutcome o = ScanOutcome.parse("{\"verdict\":\"trojaned\",\"decision\":{\"rule\":\"pl1\",\"score\":0.004,\"meaning\":\"m\"},"
                + "\"pl1Norm\":0.004,\"threshold\":0.015,\"similarity\":0.991,\"steps\":120,\"seconds\":3.5,\"imagePasses\":3840,"
                + "\"seed\":100,\"device\":\"cpu()\",\"curve\":[{\"step\":1}],\"phases\":[]}");
        assertEquals("pl1", o.rule());
        assertEquals(0.004, o.score());
        assertEquals(3840, o.imagePasses());
        assertFalse(ScanOutcome.probesFellBack("{\"verdict\":\"clean\",\"phases\":[]}"));
        assertFalse(ScanOutcome.probesFellBack("{\"verdict\":\"clean\"}"), "a report without phases");
        assertThrows(IllegalArgumentException.class, () -> ScanOutcome.parse("{\"verdict\":\"maybe\",\"pl1Norm\":0.1}"));
        assertTrue(ScanOutcome.probesFellBack("{\"verdict\":\"clean\",\"decision\":null,\"pl1Norm\":0.0238,\"threshold\":0.015,"
                + "\"similarity\":0.99,\"steps\":1117,\"seconds\":23.3,\"imagePasses\":8872,\"seed\":100,\"device\":\"gpu(0)\","
                + "\"phases\":[{\"name\":\"uniform start\",\"steps\":197,\"imagePasses\":3152,\"forwardOnlyPasses\":0,\"seconds\":6.8},"
                + "{\"name\":\"window probes\",\"steps\":0,\"imagePasses\":0},{\"name\":\"window probes apart (out of memory at 100 "
                + "images a pass)\",\"steps\":750,\"imagePasses\":3000,\"seconds\":11.9}]}"),
                "the H200's report at stop 45, as the worker reads it");
    }

    @Test
    void progressBeforeAnyTriggerHasNoBestPl1(@TempDir Path dir) throws Exception {
        ScanProgressFile.starting().write(dir.resolve("progress.json"));
        ScanProgressFile p = ScanProgressFile.parse(Files.readString(dir.resolve("progress.json")));
        assertEquals("starting", p.phase());
        assertNull(p.bestPl1());
    }
}
