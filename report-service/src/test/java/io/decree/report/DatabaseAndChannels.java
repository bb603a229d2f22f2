package io.decree.report;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

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
        config.putAll(InMemoryConnector.switchIncomingChannelsToInMemory("scan-results", "registrations", "alert-webhooks",
                "detector-workers", "scan-progress"));
        config.putAll(InMemoryConnector.switchOutgoingChannelsToInMemory("backdoor-alerts", "verdict-changes", "rescan-requests"));
        return config;
    }

    static String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** One column of a query with one string parameter. */
    static List<String> column(String sql, String param) {
        try (Connection c = DriverManager.getConnection(jdbcUrl(), "postgres", "postgres");
                PreparedStatement st = c.prepareStatement(sql)) {
            st.setString(1, param);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The probe's first non-null answer, polled for up to 20 s. */
    static <T> T await(Supplier<T> probe, String what) throws InterruptedException {
        long end = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < end) {
            T v = probe.get();
            if (v != null) {
                return v;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + what + " within 20 s");
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
