package io.decree.report;

import static io.decree.report.DatabaseAndChannels.await;
import static io.decree.report.DatabaseAndChannels.column;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.events.CloudEvent;
import io.decree.events.EncoderRegistered;
import io.decree.events.EventData;
import io.decree.events.Events;
import io.decree.events.ScanCompleted;
import io.decree.events.VerdictChanged;
import io.decree.events.WorkerStarted;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Rescans when the detector changes, in-process on a real PostgreSQL: a worker of a new detector joins, the encoders an
 * older detector judged are requested again one at a time (the next when a result answers the last), a rescan that
 * reaches the other verdict raises its change and alert, and a detector joining again (a restart) owes nothing.
 */
@QuarkusTest
@WithTestResource(DatabaseAndChannels.class)
class DetectorRescansTest {
    private static final String SETTINGS_A = "threshold=0.015;steps=400";
    private static final String SETTINGS_B = "threshold=0.02;steps=400";
    private static final String A = WorkerStarted.idOf("1.0", SETTINGS_A);
    private static final String B = WorkerStarted.idOf("1.0", SETTINGS_B);

    @Inject
    @Any
    InMemoryConnector connector;

    private static String sha(char c) {
        return String.valueOf(c).repeat(64);
    }

    private void send(String channel, EventData data) {
        // On a Vert.x context, as the Kafka connector delivers: Hibernate Reactive runs only there.
        connector.<String>source(channel).runOnVertxContext(true).send(Events.toJson(CloudEvent.of("/test", data)));
    }

    private static ScanCompleted judged(String sha, String scanId, String verdict, String detectorId) {
        return new ScanCompleted(scanId, sha, sha.charAt(0) + ".pt", verdict, "trojaned".equals(verdict) ? 0.005 : 0.05, 0.015,
                0.99, 100, 3.0, 100, "1.0", detectorId.substring(0, 8), "cpu()", "decree", List.of("scans/" + scanId + "/report.json"),
                "pl1", 0.05, null, detectorId);
    }

    private List<EncoderRegistered> requested(InMemorySink<String> sink) {
        return sink.received().stream().map(m -> Events.parse(m.getPayload(), EncoderRegistered.class).data()).toList();
    }

    @Test
    void aNewDetectorRescansWhatTheOldOneJudgedOneAtATimeAndAChangedVerdictIsRaised() throws Exception {
        InMemorySink<String> requests = connector.sink("rescan-requests");
        InMemorySink<String> changes = connector.sink("verdict-changes");
        InMemorySink<String> alerts = connector.sink("backdoor-alerts");
        requests.clear();
        changes.clear();
        alerts.clear();
        send("detector-workers", new WorkerStarted(A, "w-a", "1.0", SETTINGS_A, List.of("photos")));
        await(() -> column("SELECT count(*) FROM detector WHERE detector_id = ?", A).get(0).equals("1") ? true : null, "A recorded");
        Map<Character, String> verdictsA = Map.of('1', "clean", '2', "trojaned", '3', "clean");
        for (char c : List.of('1', '2', '3', '4')) {
            send("registrations", new EncoderRegistered(sha(c), "decree", "encoders/" + sha(c) + ".pt", 10, c + ".pt",
                    Map.of("inputSize", 32), "faces", "upload:ci", false));
            await(() -> column("SELECT registration FROM encoder WHERE sha256 = ? AND registration IS NOT NULL", sha(c))
                    .isEmpty() ? null : true, "the registration of " + c);
        }
        verdictsA.forEach((c, v) -> send("scan-results", judged(sha(c), "A" + c, v, A)));
        // Encoder 4 was judged by B already (an upload after B joined elsewhere): nothing is owed for it.
        send("scan-results", judged(sha('4'), "B4", "clean", B));
        await(() -> column("SELECT count(*) FROM scan WHERE detector_id IS NOT NULL AND sha256 = ?", sha('4')).get(0).equals("1")
                && column("SELECT count(*) FROM scan WHERE scan_id LIKE ?", "A%").get(0).equals("3") ? true : null, "A's verdicts");
        // A joins again (a restart): a detector seen before owes nothing, not even for encoder 4, which B judged.
        send("detector-workers", new WorkerStarted(A, "w-a2", "1.0", SETTINGS_A, List.of("photos")));
        await(() -> column("SELECT count(*) FROM detector WHERE detector_id = ? AND last_seen > first_seen", A).get(0).equals("1")
                ? true : null, "A seen again");
        assertEquals("0", column("SELECT count(*) FROM rescan WHERE detector_id = ?", A).get(0), "A owes nothing");

        send("detector-workers", new WorkerStarted(B, "w-b", "1.0", SETTINGS_B, List.of("photos", "faces")));
        Set<String> rescanned = new HashSet<>();
        List<String> order = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            int n = i;
            EncoderRegistered r = await(() -> requested(requests).size() >= n ? requested(requests).get(n - 1) : null, "rescan " + n);
            assertEquals(n, requested(requests).size(), "one request waits at a time: " + requested(requests));
            assertTrue(r.rescan(), r.toString());
            assertTrue(r.registeredBy().startsWith("detector:1.0/" + B.substring(0, 12)), r.registeredBy());
            assertEquals("faces", r.shadowImages(), "the registration is repeated as it was");
            assertEquals(Map.of("inputSize", 32), r.inputSpec());
            assertNull(r.baseModel());
            assertTrue(rescanned.add(r.sha256()), "each encoder once: " + r.sha256());
            order.add(r.sha256());
            char c = r.sha256().charAt(0);
            // A's old result of it delivered again (a redelivery) is no answer: nothing more may go out for it.
            send("scan-results", judged(r.sha256(), "A" + c, verdictsA.get(c), A));
            // Results are handled in order: once a sentinel behind it is stored, the redelivery was handled.
            String sentinel = "sentinel" + n;
            send("scan-results", new io.decree.events.ScanFailed(sentinel, sha('f'), "sentinel.pt", "sentinel", false, "1.0", "cfg"));
            await(() -> column("SELECT scan_id FROM scan WHERE scan_id = ?", sentinel).isEmpty() ? null : true, sentinel);
            assertEquals(n, requested(requests).size(), "a redelivered old result let another rescan go: " + requested(requests));
            // B's verdict: encoder 3 turns trojaned, the others agree with A.
            send("scan-results", judged(r.sha256(), "B" + c, c == '3' ? "trojaned" : verdictsA.get(c), B));
        }
        assertEquals(Set.of(sha('1'), sha('2'), sha('3')), rescanned);
        await(() -> column("SELECT count(*) FROM rescan WHERE detector_id = ? AND answered_at IS NOT NULL", B).get(0).equals("3")
                ? true : null, "every rescan answered");
        VerdictChanged change = await(() -> changes.received().isEmpty() ? null
                : Events.parse(changes.received().get(0).getPayload(), VerdictChanged.class).data(), "the verdict change");
        assertEquals(sha('3'), change.sha256());
        assertEquals("A3", change.previousScanId());
        assertEquals("B3", change.scanId());
        await(() -> alerts.received().stream().anyMatch(m -> m.getPayload().contains(sha('3'))) ? true : null, "its alert");

        // B joins again: everything is B's now.
        send("detector-workers", new WorkerStarted(B, "w-b2", "1.0", SETTINGS_B, List.of("photos")));
        await(() -> column("SELECT count(*) FROM detector WHERE detector_id = ? AND last_seen > first_seen", B).get(0).equals("1")
                ? true : null, "B seen again");
        // The rows owed are written in the transaction that marks B seen: none was added.
        assertEquals("3", column("SELECT count(*) FROM rescan WHERE detector_id = ?", B).get(0));
        assertEquals(3, requested(requests).size(), "nothing more requested: " + order);
        assertEquals(1, changes.received().size(), changes.received().toString());
    }
}
