package io.decree.report;

import io.decree.events.EncoderRegistered;
import io.decree.events.EventFormatException;
import io.decree.events.Events;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * An encoder is known from its registration, not only from its first result: while it waits in the queue (40 minutes
 * behind a few 224-px scans) its API answer and page say "queued" instead of 404. Its own consumer group on
 * {@code encoder-registered}; a record it cannot parse is left to the workers, which dead-letter it. The registration is
 * kept too: a rescan for a new detector repeats it ({@link DetectorRescans}).
 */
@ApplicationScoped
public class Registrations {
    private static final Logger LOG = Logger.getLogger(Registrations.class);

    @Inject
    DetectorRescans rescans;

    @Incoming("registrations")
    public Uni<Void> onRegistered(String payload) {
        EncoderRegistered r;
        try {
            r = Events.parse(payload, EncoderRegistered.class).data();
        } catch (EventFormatException e) {
            LOG.debugf("not an EncoderRegistered event, left to the workers' dead-letter topic: %s", e.getMessage());
            return Uni.createFrom().voidItem();
        }
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> rescans.remember(s, r))).replaceWithVoid();
    }
}
