package io.decree.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.decree.events.CloudEvent;
import io.decree.events.EventRecords;
import io.decree.events.EncoderRegistered;
import io.decree.events.EventFormatException;
import io.decree.events.Events;
import io.decree.events.WorkerStarted;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Old verdicts brought up to a new detector. A worker announces its detector (version and settings, {@link WorkerStarted})
 * as it joins; when that detector was never seen before, every encoder whose latest verdict of a kind (plain, or against one base) came from another detector is
 * then owed a rescan, requested on {@code encoder-registered} at most {@code decree.rescan.max-in-flight} at a time: the
 * next one when a result answers the last, so uploads queued meanwhile wait behind at most that many. A rescan that
 * reaches the other verdict raises a {@code VerdictChanged} (and, turned trojaned, an alert) like any scan.
 */
@ApplicationScoped
public class DetectorRescans {
    private static final Logger LOG = Logger.getLogger(DetectorRescans.class);
    /** Registrations are kept as their event's data, in this mapper's JSON. */
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The advisory lock that serialises claims (any fixed number no other code of this database uses). */
    private static final long CLAIM_LOCK = 0x5245534341L;

    @Inject
    RescanSettings settings;

    @Inject
    Tracer tracer;

    @Inject
    MeterRegistry registry;

    @Inject
    @Channel("rescan-requests")
    MutinyEmitter<String> requests;

    /** A rescan to send: the request and the row it answers. */
    private record Due(long id, CloudEvent<EncoderRegistered> event) {
    }

    @Incoming("detector-workers")
    public Uni<Void> onWorkerStarted(String payload) {
        WorkerStarted w;
        try {
            w = Events.parse(payload, WorkerStarted.class).data();
        } catch (EventFormatException e) {
            LOG.warnf("ignored a record on detector-workers that is not a WorkerStarted event: %s", e.getMessage());
            return Uni.createFrom().voidItem();
        }
        // Only a detector never seen before owes rescans: a restart, or a rollback to an earlier detector, does not
        // start them again (an admin's rescan does).
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                        "SELECT count(*) FROM detector WHERE detector_id = ?1", Long.class).setParameter(1, w.sha256()).getSingleResult()
                .call(() -> s.createNativeQuery("""
                                INSERT INTO detector (detector_id, detector_version, settings) VALUES (?1, ?2, ?3)
                                ON CONFLICT (detector_id) DO UPDATE SET last_seen = now()""")
                        .setParameter(1, w.sha256()).setParameter(2, w.detectorVersion()).setParameter(3, w.settings()).executeUpdate())
                .chain(seen -> seen == 0 && settings.enabled() ? owed(s, w.sha256()) : Uni.createFrom().item(0))))
                .invoke(n -> LOG.infof("worker %s joined with detector %s (version %s): %d rescan(s) owed", w.workerId(),
                        w.sha256().substring(0, 12), w.detectorVersion(), n))
                .chain(n -> next());
    }

    /**
     * Records a rescan for each encoder and kind whose latest completed scan came from another detector and that this
     * detector has not scanned yet (a failed rescan is not retried: its failure is the answer). Encoders without a stored
     * registration (registered before it was kept) are left to an admin.
     */
    private static Uni<Integer> owed(Mutiny.Session s, String detectorId) {
        return s.createNativeQuery("""
                        INSERT INTO rescan (sha256, base_model, detector_id)
                        SELECT latest.sha256, latest.base_model, ?1 FROM (
                            SELECT DISTINCT ON (sha256, base_model) sha256, base_model, detector_id FROM scan
                            WHERE status = 'completed' ORDER BY sha256, base_model, completed_at DESC) latest
                        JOIN encoder e ON e.sha256 = latest.sha256
                        WHERE e.registration IS NOT NULL AND latest.detector_id IS DISTINCT FROM ?1
                            AND NOT EXISTS (SELECT 1 FROM scan mine WHERE mine.sha256 = latest.sha256 AND mine.detector_id = ?1
                                AND mine.base_model IS NOT DISTINCT FROM latest.base_model)
                        ON CONFLICT DO NOTHING""")
                .setParameter(1, detectorId).executeUpdate();
    }

    /**
     * A result of an encoder arrived: a rescan of it that was waiting for one is answered (a failure answers too; its
     * base is not known from a failure, so any requested rescan of the encoder counts). Part of the result's transaction.
     */
    Uni<Integer> answered(Mutiny.Session s, String sha256, String baseModel, boolean completed) {
        return s.createNativeQuery("""
                        UPDATE rescan SET answered_at = now()
                        WHERE sha256 = ?1 AND requested_at IS NOT NULL AND answered_at IS NULL
                            AND (?2 = false OR base_model IS NOT DISTINCT FROM CAST(?3 AS CHAR(64)))""")
                .setParameter(1, sha256).setParameter(2, completed).setParameter(3, baseModel).executeUpdate();
    }

    /** Keeps what a rescan request repeats (the latest registration, as a plain scan request). */
    Uni<Integer> remember(Mutiny.Session s, EncoderRegistered r) {
        String json;
        try {
            json = JSON.writeValueAsString(new EncoderRegistered(r.sha256(), r.bucket(), r.objectKey(), r.size(), r.name(),
                    r.inputSpec(), r.shadowImages(), r.registeredBy(), false, null));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the registration of " + r.sha256(), e);
        }
        return s.createNativeQuery("""
                        INSERT INTO encoder (sha256, name, registration) VALUES (?1, ?2, ?3)
                        ON CONFLICT (sha256) DO UPDATE SET registration = EXCLUDED.registration""")
                .setParameter(1, r.sha256()).setParameter(2, r.name()).setParameter(3, json).executeUpdate();
    }

    /**
     * Sends the next owed rescans of the latest announced detector while fewer than max-in-flight wait for an answer.
     * Called when a worker joins and after every stored result; sending happens after the transaction that marks the row
     * requested, and a failed send unmarks it.
     */
    public Uni<Void> next() {
        if (!settings.enabled()) {
            return Uni.createFrom().voidItem();
        }
        // Never fails its caller: a scan result is stored whatever becomes of the rescans it lets go out.
        return Panache.withTransaction(() -> Panache.getSession().chain(this::claim))
                .chain(due -> due.isEmpty() ? Uni.createFrom().voidItem() : send(due))
                .onFailure().invoke(e -> LOG.warnf("rescans not sent this time: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private Uni<List<Due>> claim(Mutiny.Session s) {
        // One claim at a time across every report-service instance, so that max-in-flight holds for all of them.
        return s.createNativeQuery("SELECT pg_advisory_xact_lock(" + CLAIM_LOCK + ")").getSingleResult().chain(() -> s.createNativeQuery("""
                        SELECT count(*) FROM rescan WHERE requested_at IS NOT NULL AND answered_at IS NULL
                            AND requested_at > now() - make_interval(secs => ?1)""", Long.class)
                .setParameter(1, (double) settings.answerTimeout().toSeconds()).getSingleResult())
                .chain(waiting -> waiting >= settings.maxInFlight() ? Uni.createFrom().item(List.<Object[]>of()) : s.createNativeQuery("""
                                SELECT r.id, r.base_model, e.registration, d.detector_version, d.detector_id FROM rescan r
                                JOIN encoder e ON e.sha256 = r.sha256 JOIN detector d ON d.detector_id = r.detector_id
                                WHERE r.requested_at IS NULL
                                    AND r.detector_id = (SELECT detector_id FROM detector ORDER BY last_seen DESC LIMIT 1)
                                ORDER BY r.due_at, r.id LIMIT ?1 FOR UPDATE OF r SKIP LOCKED""", Object[].class)
                        .setParameter(1, (int) (settings.maxInFlight() - waiting)).getResultList())
                .chain(rows -> {
                    List<Due> due = new java.util.ArrayList<>();
                    Uni<Void> mark = Uni.createFrom().voidItem();
                    for (Object[] row : rows) {
                        long id = ((Number) row[0]).longValue();
                        Due d = due(row);
                        if (d == null) {
                            // A registration that cannot be read back would hold the backlog forever: set it aside.
                            LOG.warnf("rescan %d skipped: its stored registration is unreadable", id);
                            mark = mark.chain(() -> s.createNativeQuery("UPDATE rescan SET answered_at = now() WHERE id = ?1")
                                    .setParameter(1, id).executeUpdate()).replaceWithVoid();
                            continue;
                        }
                        due.add(d);
                        mark = mark.chain(() -> s.createNativeQuery(
                                        "UPDATE rescan SET requested_at = now(), request_id = ?2 WHERE id = ?1")
                                .setParameter(1, d.id()).setParameter(2, d.event().id()).executeUpdate()).replaceWithVoid();
                    }
                    return mark.replaceWith(due);
                });
    }

    /** The rescan request of a claimed row, or null when its stored registration cannot be read back. */
    private static Due due(Object[] row) {
        EncoderRegistered stored;
        try {
            stored = JSON.readValue((String) row[2], EncoderRegistered.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return null;
        }
        String base = row[1] == null ? null : row[1].toString();
        String by = "detector:" + row[3] + "/" + row[4].toString().substring(0, 12);
        EncoderRegistered rescan = new EncoderRegistered(stored.sha256(), stored.bucket(), stored.objectKey(), stored.size(),
                stored.name(), stored.inputSpec(), stored.shadowImages(), by, true, base);
        return new Due(((Number) row[0]).longValue(), CloudEvent.of(Verdicts.SOURCE, rescan));
    }

    private Uni<Void> send(List<Due> due) {
        Uni<Void> all = Uni.createFrom().voidItem();
        for (Due d : due) {
            EncoderRegistered r = d.event().data();
            // Each rescan is a trace of its own, as an upload is.
            Span span = tracer.spanBuilder("request rescan").setNoParent().setSpanKind(SpanKind.PRODUCER)
                    .setAttribute("decree.sha256", r.sha256()).setAttribute("decree.registered-by", r.registeredBy()).startSpan();
            Context trace = Context.root().with(span);
            all = all.chain(() -> requests.sendMessage(EventRecords.of(d.event(), trace))
                    .onTermination().invoke(span::end)
                    .invoke(() -> {
                        LOG.infof("rescan of %s (%s)%s requested for %s", r.sha256(), r.name(),
                                r.baseModel() == null ? "" : " against base " + r.baseModel(), r.registeredBy());
                        registry.counter("decree.rescans.requested").increment();
                    })
                    .onFailure().call(e -> {
                        LOG.warnf("rescan of %s not sent, left owed: %s", r.sha256(), e.getMessage());
                        return Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                                "UPDATE rescan SET requested_at = NULL, request_id = NULL WHERE id = ?1")
                                .setParameter(1, d.id()).executeUpdate()));
                    })
                    .onFailure().recoverWithNull().replaceWithVoid());
        }
        return all;
    }
}
