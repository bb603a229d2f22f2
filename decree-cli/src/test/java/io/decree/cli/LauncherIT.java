package io.decree.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.decree.SharedData;
import io.decree.encoder.TorchScriptFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./decree scan} as a user runs it, through the launcher: a model that libtorch's oneDNN kills the JVM on (on a
 * CPU that reports no cache sizes, as this project's VMs) is scanned once more with oneDNN capped, and the user gets a
 * verdict and clean JSON on stdout; on a CPU where it does not crash, the first scan gives them.
 */
class LauncherIT {

    @Test
    void aScanThatOneDnnKillsIsScannedAgainCappedAndStdoutHoldsOnlyTheReport(@TempDir Path tmp) throws Exception {
        Path model = TorchScriptFixtures.oneDnnStridedEncoder(tmp.resolve("strided.pt"));
        Files.copy(SharedData.architecture("resnet18_w16_32.json"), tmp.resolve("strided.json"));
        Path launcher = Path.of("..", "decree").toAbsolutePath().normalize();
        Path out = tmp.resolve("stdout.json");
        Path err = tmp.resolve("stderr.log");
        Process p = new ProcessBuilder(launcher.toString(), "scan", model.toString(), "--images",
                SharedData.images("photos").toString(), "--search", "default", "--steps", "5", "--window-grid", "0", "--json",
                "--out", tmp.resolve("evidence").toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "the launcher did not finish");
        String stderr = Files.readString(err);
        assertTrue(p.exitValue() == 0 || p.exitValue() == 1, "a verdict, exit " + p.exitValue() + ":\n" + stderr);
        JsonNode report = new ObjectMapper().readTree(out.toFile());
        assertEquals(5, report.get("steps").asInt(), "stdout is the report alone, no crash banner before it");
        boolean retried = stderr.contains("libtorch's oneDNN crashed on this CPU");
        System.out.println("LauncherIT: " + (retried ? "oneDNN crashed the first scan here; the capped one gave " : "no crash here; ")
                + report.get("verdict").asText());
    }
}
