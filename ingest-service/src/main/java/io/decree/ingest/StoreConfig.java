package io.decree.ingest;

import io.decree.store.ObjectStore;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The bucket, created at start-up if missing. */
@ApplicationScoped
public class StoreConfig {

    @Produces
    @ApplicationScoped
    @Startup
    ObjectStore objectStore(@ConfigProperty(name = "decree.s3.endpoint") String endpoint,
            @ConfigProperty(name = "decree.s3.access-key") String accessKey,
            @ConfigProperty(name = "decree.s3.secret-key") String secretKey,
            @ConfigProperty(name = "decree.s3.bucket") String bucket) {
        ObjectStore store = new ObjectStore(endpoint, accessKey, secretKey, bucket);
        store.ensureBucket();
        return store;
    }
}
