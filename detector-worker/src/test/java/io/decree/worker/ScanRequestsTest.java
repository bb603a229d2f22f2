package io.decree.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.contract.EvidenceFiles;
import io.decree.events.CloudEvent;
import io.decree.events.EncoderRegistered;
import io.decree.events.EventData;
import io.decree.events.Events;
import io.decree.events.ScanCompleted;
import io.decree.events.ScanFailed;
import io.decree.events.ScanKey;
import io.decree.events.Topics;
import io.decree.events.WorkerStarted;
import io.decree.store.ObjectStore;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The worker's own decisions around a scan, on its channels (in memory) and a real bucket: what is dead-lettered, what
 * is answered from stored evidence (read back through the scan contract), and what fails before any scan starts.
 */
@QuarkusTest
@QuarkusTestResource(StoreAndChannels.class)
class ScanRequestsTest {
    private static final Map<String, Object> SPEC = Map.of("inputSize", List.of(32, 32), "channels", 3);

    @Inject
    @Any
    InMemoryConnector channels;

    @Inject
    ObjectStore store;

    @Inject
    WorkerSettings settings;

    @Inject
    DetectorAnnouncement detector;

    @ConfigProperty(name = "quarkus.application.version")
    String version;

    private long offset;

    @BeforeEach
    void clear() {
        channels.sink("scan-results").clear();
        channels.sink("encoder-registered-dlq").clear();
    }

    private void send(String key, String value) {
        channels.<ConsumerRecord<String, String>>source("encoder-registered")
                .send(new ConsumerRecord<>("encoder-registered", 0, offset++, key, value));
    }

    private static EncoderRegistered request(String sha, String shadowSet, String base) {
        return new EncoderRegistered(sha, "decree", ObjectStore.modelKey(sha), 1234, "model-" + sha.substring(0, 4) + ".pt", SPEC,
                shadowSet, "upload:test", false, base);
    }

    private EventData resultOf(String sha) {
        InMemorySink<String> results = channels.sink("scan-results");
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            for (Message<String> m : results.received()) {
                EventData data = Events.parse(m.getPayload()).data();
                if ((data instanceof ScanCompleted c && c.sha256().equals(sha)) || (data instanceof ScanFailed f && f.sha256().equals(sha))) {
                    return data;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("no result for " + sha + " in 30 s; results: " + results.received().size());
    }

    @Test
    void aRecordThatIsNoEventIsDeadLetteredWithItsReasonAndNothingIsScanned() throws InterruptedException {
        send("k", "{not an event");
        InMemorySink<String> dlq = channels.sink("encoder-registered-dlq");
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (dlq.received().isEmpty() && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertEquals(1, dlq.received().size());
        Message<String> dead = dlq.received().get(0);
        assertEquals("{not an event", dead.getPayload(), "the record as it came");
        OutgoingKafkaRecordMetadata<?> meta = dead.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow();
        String reason = new String(meta.getHeaders().lastHeader(Topics.REASON_HEADER).value(), StandardCharsets.UTF_8);
        assertTrue(!reason.isBlank(), "a reason");
        assertTrue(channels.sink("scan-results").received().isEmpty(), "no result for a record that asked for nothing");
    }

    @Test
    void aScanWhoseEvidenceIsStoredIsAnsweredFromItsReportWithoutScanning() {
        String sha = "a1".repeat(32);
        // The scan key this worker gives the request: the contract's canonical settings, shadow set and spec.
        String configHash = ScanKey.sha256(settings.scanSettings().canonical("photos", SPEC, null)).substring(0, 16);
        ScanKey key = new ScanKey(sha, version, configHash);
        store.putText(key.evidencePrefix() + "mask.png", "png", "image/png");
        store.putText(key.evidencePrefix() + EvidenceFiles.REPORT, """
                {"verdict":"trojaned","decision":{"rule":"pl1","score":0.0042,"meaning":"m"},"pl1Norm":0.0042,"threshold":0.015,
                 "similarity":0.993,"steps":120,"seconds":81.5,"imagePasses":3840,"seed":100,"device":"cpu()","curve":[]}""",
                "application/json");
        // No model in the bucket and no decree CLI here: only the stored evidence can answer.
        send(sha, Events.toJson(CloudEvent.of("/test", request(sha, "photos", null))));
        ScanCompleted c = assertInstanceOf(ScanCompleted.class, resultOf(sha));
        assertEquals(key.scanId(), c.scanId());
        assertEquals("trojaned", c.verdict());
        assertEquals(0.0042, c.pl1Norm(), 1e-12);
        assertEquals("pl1", c.rule());
        assertEquals(120, c.steps());
        assertEquals(detector.id(), c.detectorId(), "stamped with this worker's detector");
        assertEquals(List.of(key.evidencePrefix() + EvidenceFiles.REPORT, key.evidencePrefix() + "mask.png"), c.evidenceKeys(),
                "report first");
        assertEquals(WorkerStarted.idOf(version, settings.scanSettings().announced()), detector.id());
    }

    @Test
    void anUnknownShadowSetOrAMissingBaseFailsBeforeAnyScanNamingWhy() {
        String sha = "b2".repeat(32);
        send(sha, Events.toJson(CloudEvent.of("/test", request(sha, "no-such-set", null))));
        ScanFailed unknown = assertInstanceOf(ScanFailed.class, resultOf(sha));
        assertTrue(unknown.reason().contains("unknown shadow-image set 'no-such-set'") && unknown.reason().contains("photos"),
                unknown.reason());
        assertTrue(!unknown.retryable());

        String child = "c3".repeat(32);
        send(child, Events.toJson(CloudEvent.of("/test", request(child, "photos", "d4".repeat(32)))));
        ScanFailed noBase = assertInstanceOf(ScanFailed.class, resultOf(child));
        assertTrue(noBase.reason().startsWith("baseModel " + "d4".repeat(32) + " is not in the bucket"), noBase.reason());
    }
}
