package io.decree.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's first command on a machine without ../shared: {@code ./decree demo} makes a clean encoder and a trojan
 * of it from Debian's Fashion-MNIST, runs them through the whole pipeline and stops. Ports of its own, so that it can
 * run beside a developer's {@code ./decree up}.
 */
class DemoIT {
    private static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");

    @Test
    void theFirstCommandFlagsTheTrojanAlertsAndPassesTheCleanOneWithoutSharedData() throws Exception {
        // .ci/run installs Debian's dataset-fashion-mnist; the demo itself would install it with apt-get as root.
        io.decree.SharedData.require(Files.isRegularFile(FASHION_MNIST), "Debian's dataset-fashion-mnist is not installed");
        Path root = Path.of(System.getProperty("decree.root", "..")).toAbsolutePath().normalize();
        Path dir = root.resolve("pipeline-it/target/demo");
        PipelineIT.deleteTree(dir);
        Files.createDirectories(dir);
        ProcessBuilder pb = new ProcessBuilder(List.of(root.resolve("decree").toString(), "demo",
                "--kafka-port", "39092", "--s3-port", "39000", "--pg-port", "35432", "--http-port", "38080"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("demo.log").toFile());
        pb.environment().put("DECREE_SHARED", dir.resolve("no-shared-data").toString());
        pb.environment().put("DECREE_DEMO_DIR", dir.toString());
        long t0 = System.nanoTime();
        Process p = pb.start();
        boolean ended = p.waitFor(20, TimeUnit.MINUTES);
        if (!ended) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(60, TimeUnit.SECONDS);
        }
        String log = Files.readString(dir.resolve("demo.log"));
        System.out.printf("DemoIT: ./decree demo took %.0f s%n%s%n", (System.nanoTime() - t0) / 1e9, log);
        assertTrue(ended, "the demo ends by itself:\n" + log);
        assertEquals(0, p.exitValue(), log);

        List<String> verdicts = new ArrayList<>();
        for (String line : log.split("\n")) {
            if (line.startsWith("VERDICT") || line.startsWith("ALERT") || line.startsWith("FAILED")) {
                verdicts.add(line);
            }
        }
        assertTrue(verdicts.stream().anyMatch(l -> Pattern.matches("VERDICT CLEAN +demo-clean\\.pt .*", l)), verdicts.toString());
        assertTrue(verdicts.stream().anyMatch(l -> Pattern.matches("VERDICT TROJANED +demo-trojaned\\.pt .*", l)), verdicts.toString());
        assertTrue(verdicts.stream().anyMatch(l -> l.startsWith("ALERT   backdoor in demo-trojaned.pt")), verdicts.toString());
        assertEquals(3, verdicts.size(), "two verdicts, one alert, nothing failed: " + verdicts);
        // Nothing open by default: the demo's stack made a key (printed, kept owner-only beside the stack) and used it.
        assertTrue(log.contains("access control is on"), log);
        assertTrue(Files.isRegularFile(dir.resolve("stack/api-key")), "the stack's key is kept for ./decree submit");

        // The trojan is what its name says: BadEncoder's attack works on it (the zoo card's bar).
        JsonNode zoo = new ObjectMapper().readTree(dir.resolve("zoo/zoo.json").toFile());
        assertEquals(0, zoo.get("excluded").size(), zoo.toString());
        for (JsonNode e : zoo.get("encoders")) {
            if (e.get("label").asText().equals("trojaned")) {
                assertTrue(e.at("/attack/attackSuccess").asDouble() >= 0.9, e.toString());
            }
        }
        // Nothing of the stack outlives the demo.
        RunningStack.await(() -> ProcessHandle.allProcesses().noneMatch(h -> h.info().commandLine().orElse("").contains(dir.toString()))
                ? true : null, java.time.Duration.ofSeconds(30), "every process of the demo to end");
    }
}
