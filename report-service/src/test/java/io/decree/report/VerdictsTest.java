package io.decree.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.decree.report.DatabaseAndChannels.await;
import static io.decree.report.DatabaseAndChannels.column;

import io.decree.events.BackdoorAlert;
import io.decree.events.CloudEvent;
import io.decree.events.Events;
import io.decree.events.ScanCompleted;
import io.decree.events.ScanFailed;
import io.decree.events.VerdictChanged;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * report-service's own rules, in-process on a real PostgreSQL: each result stored once, one alert per trojaned encoder
 * and detector version, a verdict change raised once when a later scan of the same kind disagrees, a failed rescan kept
 * beside the scan before it. Kafka is SmallRye's in-memory connector.
 */
@QuarkusTest
@WithTestResource(DatabaseAndChannels.class)
class VerdictsTest {

    @Inject
    @Any
    InMemoryConnector connector;

    private InMemorySink<String> alerts;
    private InMemorySink<String> changes;

    @BeforeEach
    void emptySinks() {
        alerts = connector.sink("backdoor-alerts");
        changes = connector.sink("verdict-changes");
        alerts.clear();
        changes.clear();
    }

    private static String sha(char c) {
        return String.valueOf(c).repeat(64);
    }

    private static ScanCompleted completed(String sha, String scanId, String verdict, String version, String baseModel) {
        return new ScanCompleted(scanId, sha, "m.pt", verdict, "trojaned".equals(verdict) ? 0.005 : 0.05, 0.015, 0.99, 100, 3.0,
                100, version, "cfg", "cpu()", "decree", List.of("scans/" + scanId + "/report.json"),
                baseModel == null ? "pl1" : "reference-ratio", 0.3, baseModel);
    }

    private void deliver(Object data) {
        // On a Vert.x context, as the Kafka connector delivers: Hibernate Reactive runs only there.
        connector.<String>source("scan-results").runOnVertxContext(true)
                .send(Events.toJson(CloudEvent.of("/test", (io.decree.events.EventData) data)));
    }

    /** Waits until every row {@code sql} selects for {@code param} is non-null, and there is at least one. */
    private static void awaitAllSet(String sql, String param, String what) throws InterruptedException {
        await(() -> {
            List<String> v = column(sql, param);
            return !v.isEmpty() && v.stream().allMatch(x -> x != null) ? true : null;
        }, what);
    }

    private int drained;

    /**
     * Waits until every result delivered so far is handled: the channel handles one result at a time in order, so once a
     * result delivered after them is stored, they are too (a bounded wait on a condition, not a sleep).
     */
    private void drain() throws InterruptedException {
        String id = "drain" + (++drained);
        deliver(new ScanFailed(id, sha('f'), "sentinel.pt", "sentinel", false, "1.0", "cfg"));
        await(() -> column("SELECT scan_id FROM scan WHERE scan_id = ?", id).isEmpty() ? null : true, "the sentinel " + id);
    }

    private List<String> scanIds(String sha) {
        return column("SELECT scan_id FROM scan WHERE sha256 = ? ORDER BY completed_at", sha);
    }

    @Test
    void aResultDeliveredTwiceIsStoredOnceAndAlertsOnce() throws Exception {
        ScanCompleted bad = completed(sha('a'), "a1", "trojaned", "1.0", null);
        deliver(bad);
        deliver(bad);
        await(() -> alerts.received().size() == 1 ? true : null, "alert");
        awaitAllSet("SELECT sent_at FROM alert WHERE sha256 = ?", sha('a'), "alert marked sent");
        drain();
        assertEquals(List.of("a1"), scanIds(sha('a')));
        assertEquals(1, alerts.received().size());
        assertEquals(sha('a'), Events.parse(alerts.received().get(0).getPayload(), BackdoorAlert.class).data().sha256());
        assertEquals(0, changes.received().size(), "a first verdict changes nothing");
    }

    @Test
    void aLaterScanWithTheOtherVerdictRaisesOneChangeAndItsAlert() throws Exception {
        deliver(completed(sha('b'), "b1", "clean", "1.0", null));
        await(() -> scanIds(sha('b')).size() == 1 ? true : null, "the first scan");
        ScanCompleted later = completed(sha('b'), "b2", "trojaned", "2.0", null);
        deliver(later);
        VerdictChanged change = await(() -> changes.received().isEmpty() ? null
                : Events.parse(changes.received().get(0).getPayload(), VerdictChanged.class).data(), "verdict change");
        assertEquals("b1", change.previousScanId());
        assertEquals("clean", change.previousVerdict());
        assertEquals("1.0", change.previousDetectorVersion());
        assertEquals("b2", change.scanId());
        assertTrue(change.turnedTrojaned());
        await(() -> alerts.received().size() == 1 ? true : null, "the alert of the encoder that turned trojaned");
        awaitAllSet("SELECT sent_at FROM verdict_change WHERE scan_id = ?", "b2", "the change marked sent");

        deliver(later);
        deliver(completed(sha('b'), "b3", "trojaned", "2.1", null));
        drain();
        assertEquals(3, scanIds(sha('b')).size(), "the redelivery stored nothing new, the agreeing scan a row");
        assertEquals(1, changes.received().size(), "a redelivery and an agreeing scan change nothing: " + changes.received());
    }

    @Test
    void aDifferentialScanIsComparedWithDifferentialScansOnlyAndAFailedRescanIsKept() throws Exception {
        deliver(completed(sha('c'), "c1", "clean", "1.0", null));
        deliver(completed(sha('c'), "c2", "trojaned", "1.0", sha('d')));
        await(() -> alerts.received().size() == 1 ? true : null, "the differential scan's alert");
        deliver(new ScanFailed("c3", sha('c'), "m.pt", "scan exceeded the time limit", true, "1.0", "cfg"));
        await(() -> scanIds(sha('c')).size() == 3 ? true : null, "the failed rescan beside the scans before it");
        assertEquals(List.of("completed", "completed", "failed"),
                column("SELECT status FROM scan WHERE sha256 = ? ORDER BY completed_at", sha('c')));
        drain();
        assertEquals(0, changes.received().size(), "a differential verdict does not contradict the plain one: " + changes.received());
    }
}
