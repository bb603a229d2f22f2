package io.decree.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.contract.ScanJob;
import io.decree.contract.ScanSettings;
import io.decree.trigger.InversionConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code decree scan --config}: a worker's typed job, taken as the search it names (no encoder runs here). */
class ScanJobTest {

    @TempDir
    Path tmp;

    @Test
    void aJobsSettingsAreTheSearchTheFlagsWouldGive() {
        ScanSettings s = ScanSettings.DEFAULTS.with(Map.of("steps", "40", "seed", "5", "window-grid", "3", "holdout", "10"));
        SearchOptions flags = new SearchOptions();
        flags.steps = 40;
        flags.seed = 5;
        flags.windowGrid = 3;
        flags.holdout = 10;
        assertEquals(flags.config(s.threshold()), InversionConfig.of(s, false));
        assertEquals(InversionConfig.lean().toBuilder().stopBelow(ScanSettings.DEFAULTS.threshold()).build(),
                InversionConfig.of(ScanSettings.DEFAULTS, false), "the contract's defaults are the detector's: lean, since stop 41");
        assertEquals(new SearchOptions().config(s.threshold()), InversionConfig.of(ScanSettings.DEFAULTS, false),
                "and a scan named nothing on the command line searches the same");
    }

    @Test
    void aScanJudgedAloneSearchesWithTheSearchItNamesWhichKeepsItsOwnStepsAndBatch() {
        ScanSettings s = ScanSettings.DEFAULTS.with(Map.of("search", "lean", "seed", "5", "window-grid", "3"));
        SearchOptions flags = new SearchOptions();
        flags.preset = "lean";
        flags.seed = 5;
        flags.windowGrid = 3;
        InversionConfig search = InversionConfig.of(s, false);
        assertEquals(flags.config(s.threshold()), search);
        assertEquals(InversionConfig.FAST_BATCH, search.batchSize(), "lean's batch, not the default search's 32");
        assertEquals(InversionConfig.LEAN_PROBE_BATCH, search.probeBatch());
        assertEquals(InversionConfig.of(s.with(Map.of("search", "default")), false).maxSteps(), InversionConfig.DEFAULT_STEPS);
    }

    @Test
    void againstABaseTheDifferentialPresetKeepsItsOwnStepsAndBatch() {
        for (String preset : ScanSettings.SEARCH_PRESETS) {
            // Every preset a job may name resolves; the ratio with its fast search, the contrast with the others.
            boolean ratio = preset.equals("fast");
            ScanSettings s = ScanSettings.DEFAULTS.with(Map.of("steps", "40", "batch", "8", "window-grid", "0",
                    "differential-search", preset, "differential-rule", ratio ? "reference-ratio" : "base-contrast"));
            SearchOptions flags = new SearchOptions();
            flags.preset = preset;
            flags.windowGrid = 0;
            InversionConfig search = InversionConfig.of(s, true);
            assertEquals(flags.config(ratio ? s.threshold() : ScanSettings.CONTRAST_THRESHOLD), search,
                    preset + ": a contrasted search stops at the contrast's threshold");
            assertEquals(preset.equals("fast") || preset.equals("lean") ? InversionConfig.FAST_BATCH : InversionConfig.DEFAULT_BATCH,
                    search.batchSize(),
                    "the preset's batch, not the job's 8");
        }
    }

    @Test
    void aScanOutOfDeviceMemoryExitsWithItsOwnCodeSoAWorkerDoesNotCallTheModelRejected() {
        assertEquals(Decree.OUT_OF_MEMORY, Decree.exitCode(new io.decree.DeviceMemoryException("out of memory on gpu(0)", null)));
        assertEquals(Decree.ERROR, Decree.exitCode(new io.decree.BadInputException("m.pt is not a TorchScript archive")));
        assertEquals(Decree.INTERNAL, Decree.exitCode(new IllegalStateException("a bug")),
                "a bug in decree is not the model's fault either");
        assertEquals(Decree.INTERNAL, Decree.exitCode(new java.io.UncheckedIOException(new java.io.IOException("No space left"))));
        assertEquals(Decree.ERROR, Decree.exitCode(new ai.djl.engine.EngineException("mat1 and mat2 shapes cannot be multiplied")),
                "libtorch failing on the model's computation outside a scan (bench) is still the model's");
        assertEquals(Decree.OUT_OF_MEMORY, Decree.exitCode(new ai.djl.engine.EngineException("CUDA out of memory. Tried to allocate")));
    }

    @Test
    void aScanNeedsAModelOrAJob() {
        CliRun run = CliRun.decree("scan", "--images", tmp.toString());
        assertEquals(Decree.ERROR, run.code(), run.err());
        assertTrue(run.err().contains("needs MODEL.pt, or --config FILE"), run.err());
    }

    @Test
    void aFileThatIsNotAJobIsRefusedNamingIt() throws Exception {
        Path job = tmp.resolve("scan.json");
        Files.writeString(job, "{\"model\":\"m.pt\",\"images\":\"i\",\"out\":\"o\",\"settings\":{\"threshold\":0.015}}");
        CliRun run = CliRun.decree("scan", "--config", job.toString());
        assertEquals(Decree.ERROR, run.code(), run.err());
        assertTrue(run.err().contains("scan.json is not a ScanJob"), run.err());
        new ScanJob(tmp.resolve("absent.pt").toString(), tmp.toString(), tmp.resolve("out").toString(), null, null, null, null, "cpu", null,
                ScanSettings.DEFAULTS).write(job);
        CliRun absent = CliRun.decree("scan", "--config", job.toString());
        assertEquals(Decree.ERROR, absent.code(), absent.err());
        assertTrue(absent.err().contains("absent.pt"), absent.err());
    }
}
