package io.decree.report;

import io.decree.store.ObjectStore;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;

/** Reads evidence objects from the bucket; the MinIO client blocks, so it runs off the event loop. */
@ApplicationScoped
public class Evidence {
    @jakarta.inject.Inject
    ObjectStore store;

    public Uni<byte[]> bytes(String key) {
        return Uni.createFrom().item(() -> {
            try (var in = store.open(key)) {
                return in.readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    public Uni<String> text(String key) {
        return Uni.createFrom().item(() -> store.getText(key)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
