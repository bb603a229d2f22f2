package io.decree.bench;

import io.decree.client.IngestClient;
import io.decree.client.LocalKey;
import io.decree.devstack.ModelCopies;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The scaling simulation: for each worker count, a fresh stack with that many detector-workers in one consumer
 * group, a queue of distinct models uploaded at once, and then: throughput, and whether any request was lost
 * (no verdict) or done twice (scanned more than once, or stored twice). Each stack is dev-stack's {@code up}, started
 * as a child process on this class path.
 */
@Command(name = "scaling", mixinStandardHelpOptions = true,
        description = "Throughput and exactly-one-verdict check of N workers in one group (N = --workers).")
public final class ScalingBench implements Callable<Integer> {
    @Option(names = "--workers", split = ",", defaultValue = "1,2,4")
    List<Integer> workers;
    @Option(names = "--scans", defaultValue = "8", description = "Distinct models in the queue (default: ${DEFAULT-VALUE}).")
    int scans;
    @Option(names = "--model", defaultValue = "../shared/architectures/resnet18_w16_32.pt",
            description = "The model each queued file is a byte-distinct copy of (MODEL.json beside it).")
    Path model;
    @Option(names = "--root", defaultValue = ".")
    Path root;
    @Option(names = "--shared", defaultValue = "../shared")
    Path shared;
    @Option(names = "--out", defaultValue = "bench-out/scaling")
    Path out;

    public static void main(String[] args) {
        // Always exit: the stacks' client threads (HTTP, JDBC) may linger.
        System.exit(new CommandLine(new ScalingBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        List<Path> models = copies();
        StringBuilder md = new StringBuilder("| workers | scans | verdicts stored | lost | scanned twice | stored twice | "
                + "first upload → last verdict (s) | scans per minute |\n|---|---|---|---|---|---|---|---|\n");
        for (int n : workers) {
            md.append(run(n, models)).append('\n');
            System.out.print(md);
        }
        Files.writeString(out.resolve("scaling.md"), md.toString());
        System.out.println("written " + out.resolve("scaling.md"));
        return 0;
    }

    /** Byte-distinct copies: a new SHA-256 each, the same model. */
    private List<Path> copies() throws IOException {
        Path dir = out.resolve("models");
        Files.createDirectories(dir);
        String stem = model.getFileName().toString().replaceFirst("\\.pt$", "");
        List<Path> list = new ArrayList<>();
        for (int i = 0; i < scans; i++) {
            list.add(ModelCopies.distinct(model, dir.resolve(stem + "-" + i + ".pt"), "copy " + i));
        }
        return list;
    }

    private String run(int n, List<Path> models) throws Exception {
        Path dir = out.resolve("stack-" + n).toAbsolutePath();
        deleteTree(dir);
        Files.createDirectories(dir);
        Path ready = dir.resolve("ready.env");
        int base = 38080;
        Process stack = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), "io.decree.devstack.Main", "up", "--dir", dir.toString(), "--services",
                "--workers", String.valueOf(n), "--root", root.toAbsolutePath().toString(), "--shared",
                shared.toAbsolutePath().toString(), "--ready-file", ready.toString(), "--kafka-port", "39092",
                "--s3-port", "39000", "--pg-port", "35432", "--http-port", String.valueOf(base))
                .redirectErrorStream(true).redirectOutput(dir.resolve("stack.log").toFile()).start();
        try {
            while (!Files.exists(ready)) {
                if (!stack.isAlive()) {
                    throw new IllegalStateException("stack failed: see " + dir.resolve("stack.log"));
                }
                Thread.sleep(250);
            }
            IngestClient client = new IngestClient(URI.create("http://127.0.0.1:" + base), URI.create("http://127.0.0.1:" + (base + 1)),
                    LocalKey.of(dir));
            long t0 = System.nanoTime();
            for (Path m : models) {
                IngestClient.Answer a = client.upload(m, "photos", false);
                if (a.status() != 202) {
                    throw new IllegalStateException("upload of " + m + ": " + a.status() + " " + a.body());
                }
            }
            int stored = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10L + 3L * models.size());
            while (stored < models.size() && System.nanoTime() < deadline) {
                Thread.sleep(500);
                stored = count("SELECT count(DISTINCT sha256) FROM scan WHERE status = 'completed'");
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            int rows = count("SELECT count(*) FROM scan");
            List<Path> logs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                logs.add(dir.resolve("logs").resolve(n == 1 ? "detector-worker.log" : "detector-worker-" + i + ".log"));
            }
            long twice = WorkerLogs.scannedMoreThanOnce(logs);
            return String.format(Locale.ROOT, "| %d | %d | %d | %d | %d | %d | %.0f | %.2f |", n, models.size(), stored,
                    models.size() - stored, twice, rows - stored, seconds, stored / (seconds / 60));
        } finally {
            stack.destroy();
            if (!stack.waitFor(120, TimeUnit.SECONDS)) {
                stack.destroyForcibly();
            }
        }
    }

    private static int count(String sql) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:35432/decree", "postgres", "postgres");
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        } catch (java.sql.SQLException notYet) {
            return 0; // the schema appears when report-service has migrated it
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
