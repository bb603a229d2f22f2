package io.decree.report;

import static io.decree.report.DatabaseAndChannels.await;
import static io.decree.report.DatabaseAndChannels.column;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.decree.events.CloudEvent;
import io.decree.events.EncoderRegistered;
import io.decree.events.EventData;
import io.decree.events.Events;
import io.decree.events.ScanFailed;
import io.decree.events.ScanProgress;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * An encoder's state from registration to result, as the API and the page show it: queued, scanning with the latest
 * progress a worker reported, then the result (which clears the progress); progress arriving after the result is
 * dropped.
 */
@QuarkusTest
@WithTestResource(DatabaseAndChannels.class)
class ScanProgressTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHA = "9".repeat(64);

    @Inject
    @Any
    InMemoryConnector connector;

    @TestHTTPResource("/")
    URI base;

    private void send(String channel, EventData data) {
        connector.<String>source(channel).runOnVertxContext(true).send(Events.toJson(CloudEvent.of("/test", data)));
    }

    private String get(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve(path))
                .header("X-API-Key", "test-reader-key").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private JsonNode view() throws Exception {
        return JSON.readTree(get("api/encoders/" + SHA));
    }

    @Test
    void anEncoderIsQueuedThenScanningWithItsProgressThenDone() throws Exception {
        send("registrations", new EncoderRegistered(SHA, "decree", "encoders/" + SHA + ".pt", 10, "slow.pt", null, "photos",
                "upload:ci", false));
        await(() -> column("SELECT sha256 FROM encoder WHERE sha256 = ?", SHA).isEmpty() ? null : true, "the registration");
        assertEquals("queued", view().get("state").asText());

        send("scan-progress", new ScanProgress("s1", SHA, "slow.pt", "scan", 40, 400, null, 12.0, "1.0"));
        send("scan-progress", new ScanProgress("s1", SHA, "slow.pt", "scan", 120, 400, 0.0312, 42.0, "1.0"));
        // Out of order (an older report delivered late): it does not move the progress back.
        send("scan-progress", new ScanProgress("s1", SHA, "slow.pt", "scan", 80, 400, 0.05, 30.0, "1.0"));
        await(() -> column("SELECT step FROM scan_progress WHERE sha256 = ?", SHA).contains("120") ? true : null, "the progress");
        JsonNode scanning = view();
        assertEquals("scanning", scanning.get("state").asText(), scanning.toString());
        assertEquals(120, scanning.at("/progress/step").asInt());
        assertEquals(0.0312, scanning.at("/progress/bestPl1").asDouble(), 1e-9);
        String page = get("encoders/" + SHA);
        assertTrue(page.contains("step 120 of 400 (scan), best PL1 0.0312, 42 s"), "the page says where the scan is");

        send("scan-results", new ScanFailed("s1", SHA, "slow.pt", "scan exceeded the time limit", true, "1.0", "cfg"));
        await(() -> column("SELECT scan_id FROM scan WHERE sha256 = ?", SHA).isEmpty() ? null : true, "the result");
        JsonNode done = view();
        assertEquals("failed", done.get("state").asText(), done.toString());
        assertTrue(done.get("progress").isNull());
        // A report that was still on its way when the result came is dropped, not shown as a scan running again.
        send("scan-progress", new ScanProgress("s1", SHA, "slow.pt", "scan", 390, 400, 0.02, 99.0, "1.0"));
        send("scan-progress", new ScanProgress("sentinel", SHA, "slow.pt", "starting", 0, 0, null, 0.0, "1.0"));
        await(() -> column("SELECT scan_id FROM scan_progress WHERE sha256 = ?", SHA).contains("sentinel") ? true : null, "the sentinel");
        assertEquals("[sentinel]", column("SELECT scan_id FROM scan_progress WHERE sha256 = ?", SHA).toString());
    }
}
