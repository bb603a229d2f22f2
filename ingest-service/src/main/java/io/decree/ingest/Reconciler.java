package io.decree.ingest;

import io.decree.store.ObjectStore;
import io.minio.messages.Item;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** For stores without notifications: lists the watch prefix every {@code decree.ingest.reconcile-every}. */
@ApplicationScoped
public class Reconciler {
    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    @Inject
    ObjectStore store;
    @Inject
    BucketObjects objects;

    @Scheduled(every = "${decree.ingest.reconcile-every}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reconcile() {
        for (Item item : store.list(objects.watchPrefix)) {
            if (item.isDir() || !objects.watched(item.objectName())) {
                continue;
            }
            try {
                objects.registerOnce(item.objectName(), item.etag(), "reconciler");
            } catch (RuntimeException e) {
                LOG.warnf("reconciler: %s not registered this round: %s", item.objectName(), e.getMessage());
            }
        }
    }
}
