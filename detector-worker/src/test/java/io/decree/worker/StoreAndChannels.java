package io.decree.worker;

import io.decree.store.S3ProxyProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import java.util.HashMap;
import java.util.Map;

/**
 * What a {@code @QuarkusTest} of the worker runs against: a real S3 server ({@link S3ProxyProcess}) and SmallRye's
 * in-memory connector for its Kafka channels. No scan runs here (no decree CLI, no libtorch): the tests cover what the
 * worker decides before and after one.
 */
public class StoreAndChannels implements QuarkusTestResourceLifecycleManager {
    private S3ProxyProcess s3;

    @Override
    public Map<String, String> start() {
        s3 = S3ProxyProcess.start();
        Map<String, String> config = new HashMap<>(s3.settings());
        config.putAll(InMemoryConnector.switchIncomingChannelsToInMemory("encoder-registered"));
        config.putAll(InMemoryConnector.switchOutgoingChannelsToInMemory("scan-results", "encoder-registered-dlq", "scan-progress",
                "detector-workers"));
        return config;
    }

    @Override
    public void stop() {
        InMemoryConnector.clear();
        if (s3 != null) {
            s3.close();
        }
    }
}
