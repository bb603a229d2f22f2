package io.decree.worker;

import io.decree.events.CloudEvent;
import io.decree.events.EventRecords;
import io.decree.events.WorkerStarted;
import io.opentelemetry.context.Context;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/**
 * This worker's detector (its version and the settings that change a verdict) and its announcement: a
 * {@link WorkerStarted} on {@code detector-workers} at start, from which the report service rescans the encoders an
 * older detector judged. Each result carries the same {@link #id()}.
 */
@ApplicationScoped
public class DetectorAnnouncement {
    private static final Logger LOG = Logger.getLogger(DetectorAnnouncement.class);

    @Inject
    WorkerSettings settings;

    @ConfigProperty(name = "quarkus.application.version")
    String detectorVersion;

    @Inject
    @Channel("detector-workers")
    MutinyEmitter<String> announcements;

    /** The SHA-256 of this worker's version and announced settings. */
    public String id() {
        return WorkerStarted.idOf(detectorVersion, settings.scanSettings().announced());
    }

    void announce(@Observes StartupEvent start) {
        String worker = System.getenv().getOrDefault("HOSTNAME", "worker") + "/" + ProcessHandle.current().pid();
        WorkerStarted started = new WorkerStarted(id(), worker, detectorVersion, settings.scanSettings().announced(),
                List.copyOf(settings.shadowSets().keySet()));
        // Not awaited: a worker scans whether or not the announcement lands; the next start announces again.
        announcements.sendMessage(EventRecords.of(CloudEvent.of(ScanRequests.SOURCE, started), Context.root()))
                .subscribe().with(ok -> LOG.infof("announced detector %s (version %s, %s)", id().substring(0, 12), detectorVersion,
                        settings.scanSettings().announced()),
                        e -> LOG.warnf("could not announce detector %s: %s", id().substring(0, 12), e.getMessage()));
    }
}
