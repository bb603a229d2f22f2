package io.decree.ingest;

import io.decree.store.S3ProxyProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import java.util.HashMap;
import java.util.Map;

/**
 * What a {@code @QuarkusTest} of ingest-service runs against: a real S3 server ({@link S3ProxyProcess}) and SmallRye's
 * in-memory connector in place of Kafka, and API keys of every role.
 */
public class StoreAndChannels implements QuarkusTestResourceLifecycleManager {
    static final String UPLOADER_KEY = "test-uploader-key";
    static final String ADMIN_KEY = "test-admin-key";
    static final long MAX_UPLOAD = 4 << 20;
    private S3ProxyProcess s3;

    @Override
    public Map<String, String> start() {
        s3 = S3ProxyProcess.start();
        Map<String, String> config = new HashMap<>();
        config.putAll(s3.settings());
        config.put("decree.auth.api-keys", "up:uploader:" + io.decree.events.ScanKey.sha256(UPLOADER_KEY)
                + ";ops:admin:" + io.decree.events.ScanKey.sha256(ADMIN_KEY));
        config.put("decree.auth.rate-limit.per-minute", "0");
        // Small enough for HostileUploadsTest to send a file over it, above every model the tests upload.
        config.put("decree.ingest.max-upload-bytes", String.valueOf(MAX_UPLOAD));
        config.putAll(InMemoryConnector.switchOutgoingChannelsToInMemory("encoder-registered"));
        config.putAll(InMemoryConnector.switchIncomingChannelsToInMemory("bucket-notifications"));
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
