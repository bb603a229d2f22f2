package io.decree.report;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;

/**
 * What a {@code @QuarkusTest} of report-service runs against: a real PostgreSQL (embedded, on a free port; Flyway makes
 * the schema at start) and SmallRye's in-memory connector in place of Kafka for every channel.
 */
public class DatabaseAndChannels implements QuarkusTestResourceLifecycleManager {
    static int port;
    private EmbeddedPostgres postgres;

    @Override
    public Map<String, String> start() {
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try {
            postgres = EmbeddedPostgres.builder().setPort(port).start();
        } catch (IOException e) {
            throw new IllegalStateException("embedded PostgreSQL did not start", e);
        }
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:" + port + "/postgres");
        config.put("quarkus.datasource.jdbc.url", jdbcUrl());
        config.put("quarkus.datasource.username", "postgres");
        config.put("quarkus.datasource.password", "postgres");
        config.put("decree.auth.api-keys", "dash:reader:" + io.decree.events.ScanKey.sha256("test-reader-key"));
        config.putAll(InMemoryConnector.switchIncomingChannelsToInMemory("scan-results", "registrations", "alert-webhooks"));
        config.putAll(InMemoryConnector.switchOutgoingChannelsToInMemory("backdoor-alerts", "verdict-changes"));
        return config;
    }

    static String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    @Override
    public void stop() {
        InMemoryConnector.clear();
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException ignored) {
                // the JVM ends with the tests
            }
        }
    }
}
