package io.decree.report;

import io.decree.events.BackdoorAlert;
import io.decree.events.CloudEvent;
import io.decree.events.EventRecords;
import io.decree.events.EventData;
import io.decree.events.EventFormatException;
import io.decree.events.Events;
import io.decree.events.ScanCompleted;
import io.decree.events.ScanFailed;
import io.decree.events.Traces;
import io.decree.events.VerdictChanged;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Stores each result once (the dedupe key is the scan id: encoder x detector version x config hash, and the request for
 * a rescan; a completed scan replaces a failed one of the same id, nothing replaces a completed one), raises one
 * {@link BackdoorAlert} per trojaned encoder and detector version, and one {@link VerdictChanged} per scan that reached
 * the other verdict than the encoder's previous scan of the same kind. Both are sent after the transaction commits: if
 * sending fails, the record is not acknowledged and its redelivery finds the unsent row and sends again (at least once,
 * never silently lost).
 */
@ApplicationScoped
public class Verdicts {
    private static final Logger LOG = Logger.getLogger(Verdicts.class);
    static final String SOURCE = "/decree/report-service";

    @Inject
    @Channel("backdoor-alerts")
    MutinyEmitter<String> alerts;

    /** Unparseable records fail at once and go to the dead-letter topic; database trouble is retried first. */
    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    @Inject
    @Channel("verdict-changes")
    MutinyEmitter<String> changes;

    @Inject
    DetectorRescans rescans;

    @Inject
    Tracer tracer;

    /** What a stored result raises, each sent after the transaction commits: an alert, a verdict change, or neither. */
    private record Raised(BackdoorAlert alert, VerdictChanged change) {
        static final Raised NOTHING = new Raised(null, null);
    }

    @Incoming("scan-results")
    public Uni<Void> onScanResult(String payload) {
        return Uni.createFrom().item(() -> Events.parse(payload)).chain(event -> {
            // The verdict is stored in the scan's trace; the alert and the verdict change raised carry it on.
            Span span = tracer.spanBuilder("store scan result").setParent(Traces.parentOf(event)).setSpanKind(SpanKind.CONSUMER)
                    .setAttribute("decree.sha256", event.data().sha256()).startSpan();
            Context trace = Context.root().with(span);
            return Panache.withTransaction(() -> store(event.data()))
                    .onFailure(e -> !(e instanceof EventFormatException)).retry()
                    .withBackOff(Duration.ofMillis(500), Duration.ofSeconds(10)).atMost(8)
                    .chain(r -> (r.change() == null ? Uni.createFrom().voidItem() : send(r.change(), trace))
                            .chain(() -> r.alert() == null ? Uni.createFrom().voidItem() : send(r.alert(), trace)))
                    .onTermination().invoke(span::end);
        })
                // A result may answer a rescan: the next owed one goes out.
                .chain(() -> rescans.next());
    }

    private Uni<Void> send(VerdictChanged change, Context trace) {
        LOG.warnf("VERDICT CHANGED: %s (%s) %s -> %s (scan %s, detector %s; was scan %s, detector %s)", change.sha256(), change.name(),
                change.previousVerdict(), change.verdict(), change.scanId(), change.detectorVersion(), change.previousScanId(),
                change.previousDetectorVersion());
        return changes.sendMessage(EventRecords.of(CloudEvent.of(SOURCE, change), trace))
                .chain(() -> Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                        "UPDATE verdict_change SET sent_at = now() WHERE scan_id = ?1").setParameter(1, change.scanId()).executeUpdate())))
                .invoke(() -> registry.counter("decree.verdict.changes", "to", change.verdict()).increment())
                .replaceWithVoid();
    }

    /** decree_scan_results_total{outcome, stored}: every result read, and whether it changed the store (not a duplicate). */
    private void results(String outcome, boolean stored) {
        registry.counter("decree.scan.results", "outcome", outcome, "stored", String.valueOf(stored)).increment();
    }

    private Uni<Void> send(BackdoorAlert alert, Context trace) {
        LOG.warnf("BACKDOOR: %s (%s) PL1 %.4f < %.4f", alert.sha256(), alert.name(), alert.pl1Norm(), alert.threshold());
        return alerts.sendMessage(EventRecords.of(CloudEvent.of(SOURCE, alert), trace))
                .chain(() -> Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                                "UPDATE alert SET sent_at = now() WHERE sha256 = ?1 AND detector_version = ?2")
                        .setParameter(1, alert.sha256()).setParameter(2, alert.detectorVersion()).executeUpdate())))
                .invoke(() -> registry.counter("decree.alerts.sent").increment())
                .replaceWithVoid();
    }

    /** Stores a result; returns what it raises. */
    private Uni<Raised> store(EventData data) {
        if (data instanceof ScanCompleted c) {
            return encoder(c.sha256(), c.name())
                    .chain(() -> Panache.getSession()).chain(s -> s.createNativeQuery("""
                            INSERT INTO scan (scan_id, sha256, detector_version, config_hash, status, verdict, pl1_norm,
                                threshold, similarity, steps, seconds, seed, device, bucket, evidence_keys, rule, score, base_model,
                                detector_id)
                            VALUES (?1, ?2, ?3, ?4, 'completed', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
                            ON CONFLICT (scan_id) DO UPDATE SET status = 'completed', verdict = EXCLUDED.verdict,
                                pl1_norm = EXCLUDED.pl1_norm, threshold = EXCLUDED.threshold, similarity = EXCLUDED.similarity,
                                rule = EXCLUDED.rule, score = EXCLUDED.score, base_model = EXCLUDED.base_model,
                                detector_id = EXCLUDED.detector_id,
                                steps = EXCLUDED.steps, seconds = EXCLUDED.seconds, seed = EXCLUDED.seed, device = EXCLUDED.device,
                                bucket = EXCLUDED.bucket, evidence_keys = EXCLUDED.evidence_keys, reason = NULL,
                                retryable = NULL, completed_at = now()
                            WHERE scan.status = 'failed'""")
                            .setParameter(1, c.scanId()).setParameter(2, c.sha256()).setParameter(3, c.detectorVersion())
                            .setParameter(4, c.configHash()).setParameter(5, c.verdict()).setParameter(6, c.pl1Norm())
                            .setParameter(7, c.threshold()).setParameter(8, c.similarity()).setParameter(9, c.steps())
                            .setParameter(10, c.seconds()).setParameter(11, c.seed()).setParameter(12, c.device())
                            .setParameter(13, c.bucket()).setParameter(14, String.join(",", c.evidenceKeys()))
                            .setParameter(15, c.rule()).setParameter(16, c.score()).setParameter(17, c.baseModel())
                            .setParameter(18, c.detectorId())
                            .executeUpdate()
                            // Only a newly stored scan answers a rescan: a redelivered old result must not let the next one go.
                            .call(n -> n == 1 ? rescans.answered(s, c.sha256(), c.baseModel(), true) : Uni.createFrom().item(0))
                            .call(n -> Progress.finished(s, c.scanId()))
                            .invoke(n -> LOG.infof("scan %s of %s: %s PL1 %.4f (%s)", c.scanId(), c.sha256(), c.verdict(),
                                    c.pl1Norm(), n == 1 ? "stored" : "duplicate, ignored"))
                            .invoke(n -> results(c.verdict(), n == 1))
                            .chain(n -> changeOf(s, c, n == 1))
                            .chain(change -> (c.trojaned() ? raiseOnce(c) : Uni.createFrom().<BackdoorAlert>nullItem())
                                    .map(alert -> new Raised(alert, change))));
        }
        if (data instanceof ScanFailed f) {
            return encoder(f.sha256(), f.name())
                    .chain(() -> Panache.getSession()).chain(s -> s.createNativeQuery("""
                            INSERT INTO scan (scan_id, sha256, detector_version, config_hash, status, reason, retryable, detector_id)
                            VALUES (?1, ?2, ?3, ?4, 'failed', ?5, ?6, ?7)
                            ON CONFLICT (scan_id) DO UPDATE SET reason = EXCLUDED.reason,
                                retryable = EXCLUDED.retryable, completed_at = now()
                            WHERE scan.status = 'failed'""")
                            .setParameter(1, f.scanId()).setParameter(2, f.sha256()).setParameter(3, f.detectorVersion())
                            .setParameter(4, f.configHash()).setParameter(5, f.reason()).setParameter(6, f.retryable())
                            .setParameter(7, f.detectorId())
                            .executeUpdate()
                            .call(n -> n == 1 ? rescans.answered(s, f.sha256(), null, false) : Uni.createFrom().item(0))
                            .call(n -> Progress.finished(s, f.scanId()))
                            .invoke(n -> LOG.infof("scan %s of %s failed: %s", f.scanId(), f.sha256(), f.reason()))
                            .invoke(n -> results("failed", n == 1))
                            .replaceWith(Raised.NOTHING));
        }
        throw new EventFormatException("scan-results carries ScanCompleted or ScanFailed, not " + data.getClass().getSimpleName());
    }

    /**
     * The verdict change this scan makes, or null: a newly stored scan whose verdict differs from the encoder's previous
     * completed scan of the same kind (plain, or against the same base) is recorded, and a recorded change not yet
     * confirmed sent is returned again when the result is redelivered (at least once, as alerts).
     */
    private Uni<VerdictChanged> changeOf(org.hibernate.reactive.mutiny.Mutiny.Session s, ScanCompleted c, boolean stored) {
        Uni<Integer> record = !stored ? Uni.createFrom().item(0) : s.createNativeQuery("""
                        INSERT INTO verdict_change (scan_id, previous_scan_id)
                        SELECT ?1, prev.scan_id FROM (
                            SELECT scan_id, verdict FROM scan
                            WHERE sha256 = ?2 AND status = 'completed' AND scan_id <> ?1
                                AND base_model IS NOT DISTINCT FROM CAST(?3 AS CHAR(64))
                            ORDER BY completed_at DESC LIMIT 1) prev
                        WHERE prev.verdict <> ?4
                        ON CONFLICT (scan_id) DO NOTHING""")
                .setParameter(1, c.scanId()).setParameter(2, c.sha256()).setParameter(3, c.baseModel()).setParameter(4, c.verdict())
                .executeUpdate();
        return record.chain(() -> s.createNativeQuery("""
                        SELECT p.scan_id, p.verdict, p.detector_version, p.config_hash
                        FROM verdict_change v JOIN scan p ON p.scan_id = v.previous_scan_id
                        WHERE v.scan_id = ?1 AND v.sent_at IS NULL""", Object[].class)
                .setParameter(1, c.scanId()).getResultList())
                .map(rows -> rows.isEmpty() ? null : new VerdictChanged(c.sha256(), c.name(), (String) rows.get(0)[0],
                        (String) rows.get(0)[1], (String) rows.get(0)[2], (String) rows.get(0)[3], c.scanId(), c.verdict(),
                        c.detectorVersion(), c.configHash(), c.baseModel()));
    }

    private Uni<Void> encoder(String sha256, String name) {
        return Panache.getSession().chain(s -> s.createNativeQuery(
                        "INSERT INTO encoder (sha256, name) VALUES (?1, ?2) ON CONFLICT (sha256) DO NOTHING")
                .setParameter(1, sha256).setParameter(2, name).executeUpdate()).replaceWithVoid();
    }

    /**
     * The alert row is the guard: an encoder gets one alert per detector version however many results arrive.
     * A row whose alert was never confirmed sent (sent_at null) is raised again; two instances handling the same
     * unsent row at the same moment may both send it (at least once, documented in the README).
     */
    private Uni<BackdoorAlert> raiseOnce(ScanCompleted c) {
        return Panache.getSession().chain(s -> s.createNativeQuery("""
                        INSERT INTO alert (sha256, detector_version, scan_id) VALUES (?1, ?2, ?3)
                        ON CONFLICT (sha256, detector_version) DO NOTHING""")
                .setParameter(1, c.sha256()).setParameter(2, c.detectorVersion()).setParameter(3, c.scanId())
                .executeUpdate()
                .chain(() -> s.createNativeQuery(
                                "SELECT count(*) FROM alert WHERE sha256 = ?1 AND detector_version = ?2 AND sent_at IS NULL", Long.class)
                        .setParameter(1, c.sha256()).setParameter(2, c.detectorVersion()).getSingleResult()))
                .map(unsent -> unsent > 0 ? new BackdoorAlert(c.sha256(), c.name(), c.scanId(), c.pl1Norm(), c.threshold(),
                        c.detectorVersion(), c.bucket(), c.evidenceKeys()) : null);
    }
}
