package io.decree.ingest;

import io.decree.events.ScanKey;
import io.decree.store.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Registers models that arrived in the bucket without the upload API, once per object version: a marker object
 * keyed by (key, ETag) under {@code registered/} remembers each, rejected ones with their reason. Used by the
 * bucket-notification consumer (MinIO) and the reconciler (any S3 store); whichever comes first does the work.
 */
@ApplicationScoped
public class BucketObjects {
    private static final Logger LOG = Logger.getLogger(BucketObjects.class);
    static final String MARKERS = "registered/";

    @Inject
    ObjectStore store;
    @Inject
    Registrar registrar;

    @ConfigProperty(name = "decree.ingest.watch-prefix")
    String watchPrefix;

    /** Models under the watch prefix; {@code NAME.json} beside {@code NAME.pt} is its input spec, not a model. */
    boolean watched(String key) {
        return key.startsWith(watchPrefix) && !key.endsWith("/") && !key.endsWith(".json");
    }

    /** Registers {@code key} unless this version of it was seen before; {@code via} says who noticed it. */
    void registerOnce(String key, String etag, String via) {
        String marker = MARKERS + ScanKey.sha256(key + "|" + etag.replace("\"", ""));
        if (store.exists(marker)) {
            return;
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile("decree-bucket", ".pt");
            store.download(key, tmp);
            String name = key.substring(key.lastIndexOf('/') + 1);
            String specKey = key.replaceFirst("\\.pt$", "") + ".json";
            String spec = !specKey.equals(key) && store.exists(specKey) ? store.getText(specKey) : null;
            Registrar.Outcome out = registrar.register(tmp, name, spec, null, via + ":" + key, false, null);
            store.putText(marker, out.status() + (out.reason() != null ? ": " + out.reason() : " " + out.sha256()), "text/plain");
            LOG.infof("%s: %s -> %s%s", via, key, out.status(), out.reason() != null ? " (" + out.reason() + ")" : "");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
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
