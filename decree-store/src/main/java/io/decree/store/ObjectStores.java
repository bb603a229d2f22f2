package io.decree.store;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** The one {@link ObjectStore} of a Quarkus service, from {@link S3Settings}; its bucket is created on first use if missing. */
@ApplicationScoped
public class ObjectStores {

    @Produces
    @ApplicationScoped
    ObjectStore objectStore(S3Settings s3) {
        ObjectStore store = new ObjectStore(s3.endpoint(), s3.accessKey(), s3.secretKey(), s3.bucket());
        store.ensureBucket();
        return store;
    }
}
