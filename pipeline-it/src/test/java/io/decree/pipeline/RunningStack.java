package io.decree.pipeline;

import io.decree.client.IngestClient;
import io.decree.store.ObjectStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The pipeline as a user starts it ({@code dev-stack up --services}), in a child process on ports of its own,
 * with clients of its real Kafka, S3 and PostgreSQL for the assertions.
 */
final class RunningStack implements AutoCloseable {
    static final int KAFKA = 29092;
    static final int S3 = 29000;
    static final int PG = 25432;
    static final int HTTP = 28080;
    static final String SCAN_LIMIT = "100s";
    static final String MAX_UPLOAD = "8M";
    /** One key per role; the services get only their hashes. */
    static final String UPLOADER_KEY = "uploader-key-for-tests";
    static final String READER_KEY = "reader-key-for-tests";
    static final String ADMIN_KEY = "admin-key-for-tests";
    /** An uploader whose allowance is lowered to {@link #BURST_LIMIT} requests a minute. */
    static final String BURST_KEY = "burst-key-for-tests";
    static final int BURST_LIMIT = 3;
    /** The alert webhook the report service posts to (a {@link WebhookReceiver}), and its signing secret. */
    static final int WEBHOOK_PORT = 28095;
    static final String WEBHOOK_SECRET = "webhook-secret-for-tests";

    final Path dir;
    final Path root;
    final Path shared;
    final Process process;
    /** Workers a test started beside the stack's (stopped with it). */
    private final List<Process> extraWorkers = new ArrayList<>();
    final Map<String, String> env = new HashMap<>();
    final IngestClient client = client(ADMIN_KEY);
    ObjectStore store;

    RunningStack(Path root, Path shared, Path dir, int workers) throws IOException, InterruptedException {
        this(root, shared, dir, workers, SCAN_LIMIT, List.of());
    }

    /** A stack whose workers kill a scan after {@code scanLimit}, with extra {@code KEY=VALUE} service settings. */
    RunningStack(Path root, Path shared, Path dir, int workers, String scanLimit, List<String> serviceEnv)
            throws IOException, InterruptedException {
        this.dir = dir;
        this.root = root;
        this.shared = shared;
        Path ready = dir.resolve("ready.env");
        Files.createDirectories(dir);
        Files.deleteIfExists(ready);
        String cp = root.resolve("dev-stack/target/classes") + ":" + root.resolve("dev-stack/target/lib") + "/*";
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m", "-cp", cp,
                "io.decree.devstack.Main", "up", "--dir", dir.toString(), "--services", "--workers", String.valueOf(workers),
                "--root", root.toString(), "--shared", shared.toString(), "--ready-file", ready.toString(),
                "--kafka-port", String.valueOf(KAFKA), "--s3-port", String.valueOf(S3), "--pg-port", String.valueOf(PG),
                "--http-port", String.valueOf(HTTP),
                // Short enough for the endless-model test, long enough for two 32x32 scans sharing two cores.
                "--service-env", "detector-worker:DECREE_WORKER_SCAN_TIMEOUT=" + scanLimit,
                // The paper's single start: these tests are about the pipeline, and the window starts would
                // take the scans past that limit on two shared cores (the search itself: TriggerInversionTest,
                // CiZooIT and `decree eval`).
                "--service-env", "detector-worker:DECREE_WORKER_SCAN_WINDOW_GRID=0",
                // Progress every 2 s (15 s by default): the tests watch a scan's progress within its few tens of seconds.
                "--service-env", "detector-worker:DECREE_WORKER_PROGRESS_EVERY=2s",
                // Small enough to test the refusal of a too-large upload, above every model the tests send (~2.6 MB).
                "--service-env", "ingest-service:DECREE_INGEST_MAX_UPLOAD_BYTES=" + MAX_UPLOAD,
                "--service-env", "DECREE_AUTH_RATE_LIMIT_OVERRIDES=burst:" + BURST_LIMIT,
                "--service-env", "report-service:DECREE_WEBHOOK_URLS=http://127.0.0.1:" + WEBHOOK_PORT + "/hooks/decree",
                "--service-env", "report-service:DECREE_WEBHOOK_SECRET=" + WEBHOOK_SECRET,
                "--service-env", "report-service:DECREE_WEBHOOK_INITIAL_BACKOFF=200ms",
                "--api-keys", "ci:uploader:" + io.decree.events.ScanKey.sha256(UPLOADER_KEY) + ";dash:reader:" + io.decree.events.ScanKey.sha256(READER_KEY)
                        + ";ops:admin:" + io.decree.events.ScanKey.sha256(ADMIN_KEY)
                        + ";burst:uploader:" + io.decree.events.ScanKey.sha256(BURST_KEY)));
        for (String kv : serviceEnv) {
            cmd.addAll(List.of("--service-env", kv));
        }
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("stack.log").toFile()).start();
        long end = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (!Files.exists(ready)) {
            if (!process.isAlive() || System.nanoTime() > end) {
                throw new IllegalStateException("the stack did not come up:\n" + Files.readString(dir.resolve("stack.log")));
            }
            Thread.sleep(250);
        }
        for (String line : Files.readAllLines(ready)) {
            int eq = line.indexOf('=');
            env.put(line.substring(0, eq), line.substring(eq + 1));
        }
        // The ready file names the settings as environment variables: decree.s3.endpoint -> DECREE_S3_ENDPOINT.
        store = ObjectStore.fromSettings(k -> env.get(k.toUpperCase().replace('.', '_').replace('-', '_')));
    }

    /**
     * One more detector-worker, as the stack starts its own (same servers, shadow sets and scan limit) but with
     * {@code settings} ({@code DECREE_WORKER_*} variables) on top: another detector joining the group.
     */
    Process startWorker(String name, int port, Map<String, String> settings) throws IOException {
        Map<String, String> env = new HashMap<>();
        for (String k : List.of("KAFKA_BOOTSTRAP_SERVERS", "DECREE_S3_ENDPOINT", "DECREE_S3_ACCESS_KEY", "DECREE_S3_SECRET_KEY",
                "DECREE_S3_BUCKET")) {
            env.put(k, this.env.get(k));
        }
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("DECREE_WORKER_CLI_HOME", root.resolve("decree-cli/target").toString());
        env.put("DECREE_WORKER_WORK_DIR", dir.resolve(name).toString());
        env.put("DECREE_WORKER_SHADOW_SETS_PHOTOS", shared.resolve("images/photos").toString());
        env.put("DECREE_WORKER_SHADOW_SETS_FACES", shared.resolve("images/faces").toString());
        env.put("DECREE_WORKER_SCAN_TIMEOUT", SCAN_LIMIT);
        env.put("DECREE_WORKER_SCAN_WINDOW_GRID", "0");
        env.putAll(settings);
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m",
                "-jar", root.resolve("detector-worker/target/quarkus-app/quarkus-run.jar").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("logs").resolve(name + ".log").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        extraWorkers.add(p);
        return p;
    }

    static IngestClient client(String apiKey) {
        return new IngestClient(URI.create("http://127.0.0.1:" + HTTP), URI.create("http://127.0.0.1:" + (HTTP + 1)), apiKey);
    }

    Connection db() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + PG + "/decree", "postgres", "postgres");
    }

    /** Rows of a query without parameters. */
    List<Map<String, Object>> rows(String sql) throws SQLException {
        return rows(sql, null);
    }

    /** Rows of a query with one string parameter (none if null), each row as column -> value. */
    List<Map<String, Object>> rows(String sql, String param) throws SQLException {
        try (Connection c = db(); PreparedStatement st = c.prepareStatement(sql)) {
            if (param != null) {
                st.setString(1, param);
            }
            List<Map<String, Object>> out = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> row = new HashMap<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
                    }
                    out.add(row);
                }
            }
            return out;
        }
    }

    List<Map<String, Object>> scansOf(String sha256) throws SQLException {
        return rows("SELECT * FROM scan WHERE sha256 = ?", sha256);
    }

    /** Waits until the report-service stored a scan of the encoder; returns all its rows. */
    List<Map<String, Object>> awaitScan(String sha256, Duration timeout) throws Exception {
        return await(() -> {
            try {
                List<Map<String, Object>> r = scansOf(sha256);
                return r.isEmpty() ? null : r;
            } catch (SQLException notYet) {
                return null; // the schema is created by report-service at its start
            }
        }, timeout, "a scan of " + sha256);
    }

    static <T> T await(Supplier<T> probe, Duration timeout, String what) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            T v = probe.get();
            if (v != null) {
                return v;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
    }

    Properties kafka() {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", "127.0.0.1:" + KAFKA);
        return p;
    }

    void produce(String topic, String key, String value) throws Exception {
        Properties p = kafka();
        p.setProperty(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.setProperty(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }

    /** Every record of a topic from the beginning (reads until the end offsets seen at the call). */
    List<ConsumerRecord<String, String>> readAll(String topic) throws Exception {
        Properties p = kafka();
        p.setProperty(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.setProperty(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }

    int partitions(String topic) throws Exception {
        try (Admin admin = Admin.create(kafka())) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        }
    }

    long endOffsets(String topic) throws Exception {
        try (Admin admin = Admin.create(kafka())) {
            int n = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> q = new HashMap<>();
            for (int i = 0; i < n; i++) {
                q.put(new TopicPartition(topic, i), OffsetSpec.latest());
            }
            return admin.listOffsets(q).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        }
    }

    /**
     * Waits until consumer group {@code group} has committed every record of {@code topic} present now: what it does
     * with a record (report-service: store it, send its alert) is done before its offset is committed, so after this
     * nothing more comes of those records. Stands where a test would otherwise sleep "until nothing else arrives".
     */
    void awaitConsumed(String group, String topic, Duration timeout) throws Exception {
        long end = endOffsets(topic);
        await(() -> {
            try (Admin admin = Admin.create(kafka())) {
                long committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                        .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null).mapToLong(e -> e.getValue().offset()).sum();
                return committed >= end ? true : null;
            } catch (Exception notYet) {
                return null;
            }
        }, timeout, group + " to consume " + topic + " up to " + end);
    }

    String log(String service) throws IOException {
        Path f = dir.resolve("logs").resolve(service + ".log");
        return Files.exists(f) ? Files.readString(f) : "";
    }

    long pid(String service) {
        return Long.parseLong(env.get("PID_" + service.toUpperCase().replace('-', '_')));
    }

    @Override
    public void close() throws InterruptedException {
        for (Process w : extraWorkers) {
            w.destroy();
            if (!w.waitFor(60, TimeUnit.SECONDS)) {
                w.destroyForcibly();
            }
        }
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
