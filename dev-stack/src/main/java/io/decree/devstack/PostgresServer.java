package io.decree.devstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

/** A real PostgreSQL (zonky's binaries, from Maven Central) on loopback, with the services' database {@code decree}. */
final class PostgresServer {
    private PostgresServer() {
    }

    /** Starts it on {@code port} with its data in {@code data} (kept between runs). */
    static EmbeddedPostgres start(Path data, int port) throws Exception {
        boolean fresh = !Files.exists(data.resolve("PG_VERSION"));
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().setPort(port).setDataDirectory(data).setCleanDataDirectory(false).start();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = 'decree'")) {
                if (!rs.next()) {
                    s.execute("CREATE DATABASE decree");
                }
            }
            s.execute("ALTER USER postgres PASSWORD 'postgres'");
        }
        System.out.println("dev-stack: PostgreSQL on " + port + (fresh ? " (new data dir)" : ""));
        return postgres;
    }
}
