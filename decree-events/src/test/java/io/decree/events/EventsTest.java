package io.decree.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventsTest {
    static final String SHA = "a".repeat(64);

    /** One or more events of every type, with and without their optional fields. */
    static List<EventData> samples() {
        return List.of(
                new EncoderRegistered(SHA, "encoders", "encoders/" + SHA + ".pt", 123, "m.pt",
                        Map.of("inputSize", 32), "photos", "upload:test", false, "b".repeat(64)),
                new EncoderRegistered(SHA, "encoders", "encoders/" + SHA + ".pt", 123, "m.pt", null, "photos", "upload:test", false),
                new ScanCompleted("id1", SHA, "m.pt", "trojaned", 0.01, 0.015, 0.99, 120, 5.5, 100, "0.1.0", "cfg",
                        "cpu()", "encoders", List.of("scans/id1/report.json"), "reference-ratio", 0.12, "b".repeat(64)),
                new ScanFailed("id1", SHA, "m.pt", "not a TorchScript archive", false, "0.1.0", "cfg"),
                new ScanFailed("id1", SHA, "m.pt", "not a TorchScript archive", false, "0.1.0", "cfg", "c".repeat(64)),
                new ScanCompleted("id2", SHA, "m.pt", "clean", 0.05, 0.015, 0.99, 120, 5.5, 100, "0.1.0", "cfg",
                        "cpu()", "encoders", List.of("scans/id2/report.json"), "pl1", 0.05, null, "c".repeat(64)),
                new WorkerStarted(WorkerStarted.idOf("0.2.0", "threshold=0.015"), "host-1", "0.2.0", "threshold=0.015",
                        List.of("photos")),
                new BackdoorAlert(SHA, "m.pt", "id1", 0.01, 0.015, "0.1.0", "encoders", List.of("scans/id1/trigger.png")),
                new ScanProgress("id1", SHA, "m.pt", "scan", 120, 400, 0.031, 42.5, "0.1.0"),
                new ScanProgress("id1", SHA, "m.pt", "starting", 0, 400, null, 0.0, "0.1.0"),
                new VerdictChanged(SHA, "m.pt", "id0", "clean", "0.1.0", "cfg0", "id1", "trojaned", "0.2.0", "cfg", null));
    }

    @Test
    void everyEventRoundTripsThroughItsCloudEventsJson() throws Exception {
        for (EventData d : samples()) {
            CloudEvent<EventData> e = CloudEvent.of("/decree/test", d);
            String json = Events.toJson(e);
            JsonNode node = Events.JSON.readTree(json);
            for (String attr : List.of("specversion", "id", "source", "type", "subject", "time")) {
                assertTrue(node.hasNonNull(attr), attr + " missing in " + json);
            }
            assertEquals(d.sha256(), node.get("subject").asText());
            CloudEvent<EventData> back = Events.parse(json);
            assertEquals(d, back.data());
            assertEquals(e.id(), back.id());
            assertEquals(e.time(), back.time());
        }
    }

    @Test
    void aWorkerNamesItsDetectorByTheHashOfVersionAndSettings() {
        String settings = "threshold=0.015;steps=400";
        assertNotEquals(WorkerStarted.idOf("0.2.0", settings), WorkerStarted.idOf("0.3.0", settings));
        assertNotEquals(WorkerStarted.idOf("0.2.0", settings), WorkerStarted.idOf("0.2.0", settings + ";batch=16"));
        String json = Events.toJson(CloudEvent.of("/t", new WorkerStarted(WorkerStarted.idOf("0.2.0", settings), "w", "0.2.0",
                settings, List.of())));
        // A detector id that is not the hash of what it claims is refused: the rescans it would start rest on it.
        assertTrue(assertThrows(EventFormatException.class, () -> Events.parse(json.replace("0.2.0", "9.9.9")))
                .getMessage().contains("hash of detectorVersion and settings"));
    }

    @Test
    void anEventCarriesItsTraceContextAndAMalformedOneCostsOnlyTheTrace() {
        String tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        CloudEvent<ScanFailed> e = CloudEvent.of("/t", new ScanFailed("i", SHA, "n", "r", true, "v", "c")).withTraceparent(tp);
        CloudEvent<EventData> back = Events.parse(Events.toJson(e));
        assertEquals(tp, back.traceparent());
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", back.traceId());
        // The OpenTelemetry side: the event's context continues the same trace, and stamps it back unchanged.
        io.opentelemetry.context.Context parent = Traces.parentOf(back);
        assertEquals(back.traceId(), io.opentelemetry.api.trace.Span.fromContext(parent).getSpanContext().getTraceId());
        assertEquals(tp, Traces.traceparent(parent));
        assertEquals(null, Traces.traceparent(Traces.parentOf(CloudEvent.of("/t", new ScanFailed("i", SHA, "n", "r", true, "v", "c")))));

        String forged = Events.toJson(e).replace(tp, "00-" + "0".repeat(32) + "-00f067aa0ba902b7-01");
        assertEquals(null, Events.parse(forged).traceparent(), "an all-zero trace id is no trace");
        assertEquals(null, Events.parse(Events.toJson(e).replace(tp, "x\\r\\nInjected: 1")).traceparent());
        assertTrue(!Events.toJson(CloudEvent.of("/t", new ScanFailed("i", SHA, "n", "r", true, "v", "c"))).contains("traceparent"),
                "untraced events leave the attribute out");
    }

    @Test
    void typesCarryTheirVersion() {
        assertTrue(EncoderRegistered.TYPE.endsWith(".v1"));
        assertEquals(ScanFailed.TYPE, CloudEvent.of("/t", new ScanFailed("i", SHA, "n", "r", true, "v", "c")).type());
    }

    @Test
    void unparseableRecordsGiveAReason() {
        assertTrue(assertThrows(EventFormatException.class, () -> Events.parse("{nope")).getMessage().startsWith("not JSON"));
        assertTrue(assertThrows(EventFormatException.class, () -> Events.parse("[]")).getMessage().contains("object"));
        assertTrue(assertThrows(EventFormatException.class,
                () -> Events.parse("{\"specversion\":\"1.0\",\"type\":\"x.y\",\"data\":{}}")).getMessage().contains("unknown event type"));
        assertTrue(assertThrows(EventFormatException.class,
                () -> Events.parse("{\"specversion\":\"0.3\",\"type\":\"" + ScanFailed.TYPE + "\"}")).getMessage().contains("specversion"));
        assertTrue(assertThrows(EventFormatException.class,
                () -> Events.parse("{\"specversion\":\"1.0\",\"type\":\"" + ScanFailed.TYPE + "\",\"data\":{\"sha256\":\"../x\"}}"))
                .getMessage().contains("sha256"));
        String registered = Events.toJson(CloudEvent.of("/t", new EncoderRegistered(SHA, "b", "k", 1, "n", null, "s", "r", false)));
        String badBase = registered.replace("\"baseModel\":null", "\"baseModel\":\"../../etc\"");
        assertTrue(assertThrows(EventFormatException.class, () -> Events.parse(badBase)).getMessage().contains("baseModel must be"),
                "a base that is not a sha256 never reaches an object key");
        String selfBase = registered.replace("\"baseModel\":null", "\"baseModel\":\"" + SHA + "\"");
        assertThrows(EventFormatException.class, () -> Events.parse(selfBase));
        assertThrows(EventFormatException.class, () -> Events.parse(registered, ScanCompleted.class));
    }

    @Test
    void eventsWrittenBeforeTheOptionalFieldsParseWithoutThem() {
        String old = "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/t\",\"type\":\"" + EncoderRegistered.TYPE + "\","
                + "\"data\":{\"sha256\":\"" + SHA + "\",\"bucket\":\"b\",\"objectKey\":\"k\",\"size\":1,\"name\":\"n\","
                + "\"shadowImages\":\"photos\",\"registeredBy\":\"r\",\"rescan\":false}}";
        assertEquals(null, Events.parse(old, EncoderRegistered.class).data().baseModel(), "no base: the plain scan");
        String oldResult = "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/t\",\"type\":\"" + ScanCompleted.TYPE + "\","
                + "\"data\":{\"scanId\":\"i\",\"sha256\":\"" + SHA + "\",\"verdict\":\"clean\",\"pl1Norm\":0.05}}";
        ScanCompleted c = Events.parse(oldResult, ScanCompleted.class).data();
        assertEquals(null, c.rule());
        assertEquals(null, c.score());
    }

    @Test
    void scanIdDependsOnEncoderVersionAndConfigOnly() {
        ScanKey k = new ScanKey(SHA, "0.1.0", "cfg");
        assertEquals(k.scanId(), new ScanKey(SHA, "0.1.0", "cfg").scanId());
        assertNotEquals(k.scanId(), new ScanKey(SHA, "0.2.0", "cfg").scanId());
        assertNotEquals(k.scanId(), new ScanKey(SHA, "0.1.0", "cfg2").scanId());
        assertEquals("scans/" + k.scanId() + "/", k.evidencePrefix());
        ScanKey rescan = new ScanKey(SHA, "0.1.0", "cfg", "event-7");
        assertNotEquals(k.scanId(), rescan.scanId(), "a rescan is a scan of its own");
        assertEquals(rescan.scanId(), new ScanKey(SHA, "0.1.0", "cfg", "event-7").scanId(), "its redelivery is the same scan");
        assertNotEquals(rescan.scanId(), new ScanKey(SHA, "0.1.0", "cfg", "event-8").scanId(), "and the next rescan another");
    }

    @Test
    void aFilesSha256IsTheHashOfItsBytes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws java.io.IOException {
        java.nio.file.Path f = java.nio.file.Files.writeString(tmp.resolve("m.pt"), "not really a model");
        assertEquals(ScanKey.sha256("not really a model"), ScanKey.sha256(f));
        // The well-known SHA-256 of the empty input.
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                ScanKey.sha256(java.nio.file.Files.write(tmp.resolve("empty"), new byte[0])));
    }
}
