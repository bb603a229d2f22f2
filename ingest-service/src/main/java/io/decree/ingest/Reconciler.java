package io.decree.ingest;

import io.decree.events.ScanKey;
import io.decree.store.ObjectStore;
import io.minio.messages.Item;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Registers models that arrived in the bucket without the upload API (for stores without notifications): every
 * object under the watch prefix is registered once, remembered by a marker object keyed by its key and ETag.
 */
@ApplicationScoped
public class Reconciler {
    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    static final String MARKERS = "registered/";

    @Inject
    ObjectStore store;
    @Inject
    Registrar registrar;

    @ConfigProperty(name = "decree.ingest.watch-prefix")
    String watchPrefix;

    @Scheduled(every = "${decree.ingest.reconcile-every}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reconcile() {
        for (Item item : store.list(watchPrefix)) {
            if (item.isDir() || item.objectName().endsWith("/")) {
                continue;
            }
            String marker = MARKERS + ScanKey.sha256(item.objectName() + "|" + item.etag());
            if (store.exists(marker)) {
                continue;
            }
            registerOne(item, marker);
        }
    }

    private void registerOne(Item item, String marker) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("decree-reconcile", ".pt");
            store.download(item.objectName(), tmp);
            String name = item.objectName().substring(item.objectName().lastIndexOf('/') + 1);
            Registrar.Outcome out = registrar.register(tmp, name, null, null, "reconciler:" + item.objectName(), false);
            // A rejected object is remembered too, with its reason, so it is not retried every round.
            store.putText(marker, out.status() + (out.reason() != null ? ": " + out.reason() : " " + out.sha256()), "text/plain");
            LOG.infof("reconciler: %s -> %s%s", item.objectName(), out.status(), out.reason() != null ? " (" + out.reason() + ")" : "");
        } catch (IOException | RuntimeException e) {
            LOG.warnf("reconciler: %s not registered this round: %s", item.objectName(), e.getMessage());
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temp file; the OS cleans it
                }
            }
        }
    }
}
