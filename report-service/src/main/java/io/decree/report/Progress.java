package io.decree.report;

import io.decree.events.EventFormatException;
import io.decree.events.Events;
import io.decree.events.ScanProgress;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

/**
 * Where each running scan is: the latest {@link ScanProgress} per scan id, shown as an encoder's {@code scanning} state
 * until the scan's result is stored (which removes it). A progress report that arrives after the result (the two
 * travel on different topics) is dropped.
 */
@ApplicationScoped
public class Progress {
    private static final Logger LOG = Logger.getLogger(Progress.class);

    /** A report older than this is from a worker gone without a result (its request went to another worker). */
    @ConfigProperty(name = "decree.report.progress-stale-after")
    Duration staleAfter;

    /** The encoder's running scan, if a worker reported on it lately; null otherwise. Needs a session. */
    public Uni<ScanProgressEntity> running(String sha256) {
        return ScanProgressEntity.<ScanProgressEntity>find("sha256 = ?1 and updatedAt > ?2", Sort.descending("updatedAt"), sha256,
                OffsetDateTime.now().minus(staleAfter)).firstResult();
    }

    @Incoming("scan-progress")
    public Uni<Void> onProgress(String payload) {
        ScanProgress p;
        try {
            p = Events.parse(payload, ScanProgress.class).data();
        } catch (EventFormatException e) {
            LOG.debugf("ignored a record on scan-progress that is not a ScanProgress event: %s", e.getMessage());
            return Uni.createFrom().voidItem();
        }
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery("""
                        INSERT INTO scan_progress (scan_id, sha256, phase, step, max_steps, best_pl1, elapsed_seconds, detector_version)
                        SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8
                        WHERE EXISTS (SELECT 1 FROM encoder WHERE sha256 = ?2)
                            AND NOT EXISTS (SELECT 1 FROM scan WHERE scan_id = ?1)
                        ON CONFLICT (scan_id) DO UPDATE SET phase = EXCLUDED.phase, step = EXCLUDED.step,
                            max_steps = EXCLUDED.max_steps, best_pl1 = EXCLUDED.best_pl1,
                            elapsed_seconds = EXCLUDED.elapsed_seconds, updated_at = now()
                        WHERE EXCLUDED.elapsed_seconds >= scan_progress.elapsed_seconds""")
                .setParameter(1, p.scanId()).setParameter(2, p.sha256()).setParameter(3, p.phase()).setParameter(4, p.step())
                .setParameter(5, p.maxSteps()).setParameter(6, p.bestPl1()).setParameter(7, p.elapsedSeconds())
                .setParameter(8, p.detectorVersion()).executeUpdate())).replaceWithVoid();
    }

    /** The scan's result is stored: it is no longer running. Part of the result's transaction. */
    static Uni<Integer> finished(Mutiny.Session s, String scanId) {
        return s.createNativeQuery("DELETE FROM scan_progress WHERE scan_id = ?1").setParameter(1, scanId).executeUpdate();
    }
}
