package io.decree.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.decree.SharedData;
import io.decree.encoder.TorchScriptFixtures;
import io.decree.scan.EncoderFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A scan as long as the worker allows must not take the worker out of its consumer group. In production a 56-67 min
 * MobileNetV2 scan outlasted the connector's 50-min unprocessed-record check: health went DOWN, the consumer left the
 * group, and later uploads waited for a restart. Scaled down here: one worker, a scan limit of 150 s (longer than the
 * connector's default 60-s check), a model whose forward never returns (so its scan runs the whole limit), and an
 * upload queued behind it. The worker must stay UP and in its group throughout, and then serve the second upload.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LongScanIT {
    private static final String SCAN_LIMIT = "150s";
    private static final ObjectMapper JSON = new ObjectMapper();
    private Path work;
    private RunningStack stack;

    @BeforeAll
    void start() throws Exception {
        Path root = Path.of(System.getProperty("decree.root", "..")).toAbsolutePath().normalize();
        Path shared = SharedData.dir();
        work = root.resolve("pipeline-it/target/long-scan");
        PipelineIT.deleteTree(work);
        Files.createDirectories(work.resolve("models"));
        stack = new RunningStack(root, shared, work.resolve("stack"), 1, SCAN_LIMIT, List.of());
    }

    @AfterAll
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aScanAsLongAsTheLimitKeepsTheWorkerInItsGroupAndTheNextUploadIsServed() throws Exception {
        Path spec = SharedData.architecture("resnet18_w16_32.json");
        Path endless = TorchScriptFixtures.withForward(work.resolve("models/endless.pt"), """
                    i = 0
                    while i >= 0:
                        i = i + 1
                    return torch.flatten(x, 1)
                """);
        Files.copy(spec, work.resolve("models/endless.json"));
        Path next = TorchScriptFixtures.withForward(work.resolve("models/next.pt"), """
                    x0 = torch.div(torch.sub(x, s.mean), s.std)
                    return torch.flatten(torch.tanh(torch.avg_pool2d(x0, [8, 8])), 1)
                """);
        Files.copy(spec, work.resolve("models/next.json"));
        String endlessSha = EncoderFile.sha256(endless);
        String nextSha = EncoderFile.sha256(next);
        assertEquals(202, stack.client.upload(endless, "photos", false).status());
        assertEquals(202, stack.client.upload(next, "photos", false).status());

        // Poll the worker's health and the group's members until the second verdict is stored.
        HttpClient http = HttpClient.newHttpClient();
        URI health = URI.create("http://127.0.0.1:" + (RunningStack.HTTP + 2) + "/q/health");
        List<String> polls = new ArrayList<>();
        int sawScanInHand = 0;
        long t0 = System.nanoTime();
        long end = t0 + Duration.ofMinutes(6).toNanos();
        try (Admin admin = Admin.create(stack.kafka())) {
            while (stack.scansOf(nextSha).isEmpty()) {
                assertTrue(System.nanoTime() < end, "the upload behind the long scan was never served:\n" + String.join("\n", polls));
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode body = JSON.readTree(r.body());
                int members = admin.describeConsumerGroups(List.of("decree-detector-workers")).all().get()
                        .get("decree-detector-workers").members().size();
                JsonNode scans = null;
                for (JsonNode check : body.path("checks")) {
                    if (check.path("name").asText().equals("scans")) {
                        scans = check;
                    }
                }
                int inFlight = scans == null ? -1 : scans.path("data").path("in-flight").asInt(-1);
                polls.add(String.format("%5.0f s  HTTP %d  %s  group members %d  scans in flight %d",
                        (System.nanoTime() - t0) / 1e9, r.statusCode(), body.path("status").asText(), members, inFlight));
                assertEquals(200, r.statusCode(), "health while a scan runs:\n" + String.join("\n", polls));
                assertEquals("UP", body.path("status").asText(), r.body());
                assertEquals(1, members, "the worker stays in its consumer group:\n" + String.join("\n", polls));
                sawScanInHand += inFlight == 1 ? 1 : 0;
                Thread.sleep(5000);
            }
        }
        Files.write(work.resolve("health-polls.txt"), polls);
        System.out.println("LongScanIT health polls:\n" + String.join("\n", polls));

        Map<String, Object> endlessScan = stack.awaitScan(endlessSha, Duration.ofSeconds(30)).get(0);
        assertEquals("failed", endlessScan.get("status"));
        assertTrue(((String) endlessScan.get("reason")).contains("exceeded the time limit of PT2M30S"), (String) endlessScan.get("reason"));
        assertEquals("completed", stack.scansOf(nextSha).get(0).get("status"), "the upload queued behind it is served");
        // The scan ran its whole limit while the worker was watched: far longer than the connector's 60-s default check.
        assertTrue(sawScanInHand * 5 >= 120, "the liveness check showed the scan in hand for most of its 150 s: " + sawScanInHand + " polls");
        assertTrue(stack.log("detector-worker").contains("scan") && !stack.log("detector-worker").contains("TooManyMessagesWithoutAck"),
                "no unacknowledged-record failure in the worker's log");
    }
}
