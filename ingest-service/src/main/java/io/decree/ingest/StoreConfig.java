package io.decree.ingest;

import io.decree.store.ObjectStore;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.ConfigProvider;

/** The bucket ({@code decree.s3.*}), created at start-up if missing. */
@ApplicationScoped
public class StoreConfig {

    @Produces
    @ApplicationScoped
    @Startup
    ObjectStore objectStore() {
        ObjectStore store = ObjectStore.fromSettings(k -> ConfigProvider.getConfig().getValue(k, String.class));
        store.ensureBucket();
        return store;
    }
}
