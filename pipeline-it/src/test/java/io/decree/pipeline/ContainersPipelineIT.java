package io.decree.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.decree.SharedData;
import io.decree.client.IngestClient;
import io.decree.devstack.KafkaServer;
import io.decree.devstack.ModelCopies;
import io.decree.events.ScanKey;
import io.decree.events.Topics;
import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.SetBucketNotificationArgs;
import io.minio.UploadObjectArgs;
import io.minio.messages.EventType;
import io.minio.messages.NotificationConfiguration;
import io.minio.messages.QueueConfiguration;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The pipeline on the servers a user runs in production, as containers (Testcontainers' Kafka and PostgreSQL, MinIO
 * with its own bucket notifications to Kafka), the three services as their built jars beside them: a model put into
 * the bucket's {@code incoming/} is registered from MinIO's event, scanned and stored; one uploaded through the API
 * too. Needs a Docker engine: without one it is skipped, saying so, and {@link PipelineIT} covers the same path on the
 * embedded servers (S3Proxy has no bucket notifications: there ingest's reconciler registers {@code incoming/}).
 */
// Not SharedData.require: no Docker engine is a property of the machine, not missing data, and CI has none.
@EnabledIf(value = "docker", disabledReason = "no Docker engine here: the Testcontainers run of the pipeline is skipped; "
        + "PipelineIT covers the same path on the embedded Kafka, S3Proxy and PostgreSQL")
class ContainersPipelineIT {
    private static final String ACCESS = "decree";
    private static final String SECRET = "decree-secret-key";
    private static final String KEY = "containers-admin-key";
    private static final int INGEST = 18380;
    private static final int REPORT = INGEST + 1;
    private static final int WORKER = INGEST + 2;

    @TempDir
    static Path work;

    private static Network network;
    private static final List<GenericContainer<?>> containers = new ArrayList<>();
    private static final List<Process> services = new ArrayList<>();
    private static MinioClient minio;

    static boolean docker() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Path shared = SharedData.dir();
        Path root = Path.of(System.getProperty("decree.root", "..")).toAbsolutePath().normalize();
        network = Network.newNetwork();
        KafkaContainer kafka = new KafkaContainer("apache/kafka:3.9.1").withNetwork(network).withListener("kafka:19092");
        PostgreSQLContainer postgres = new PostgreSQLContainer("postgres:16-alpine").withDatabaseName("decree").withNetwork(network);
        GenericContainer<?> minioServer = new GenericContainer<>("minio/minio:RELEASE.2025-04-22T22-12-26Z").withNetwork(network)
                .withCommand("server", "/data").withExposedPorts(9000)
                .withEnv(Map.of("MINIO_ROOT_USER", ACCESS, "MINIO_ROOT_PASSWORD", SECRET,
                        "MINIO_NOTIFY_KAFKA_ENABLE_PRIMARY", "on", "MINIO_NOTIFY_KAFKA_BROKERS_PRIMARY", "kafka:19092",
                        "MINIO_NOTIFY_KAFKA_TOPIC_PRIMARY", Topics.BUCKET_NOTIFICATIONS))
                .waitingFor(Wait.forHttp("/minio/health/live").forPort(9000));
        containers.addAll(List.of(kafka, postgres, minioServer));
        kafka.start();
        KafkaServer.createTopics(kafka.getBootstrapServers());
        postgres.start();
        minioServer.start();
        String s3 = "http://" + minioServer.getHost() + ":" + minioServer.getMappedPort(9000);
        minio = MinioClient.builder().endpoint(s3).credentials(ACCESS, SECRET).build();
        if (!minio.bucketExists(BucketExistsArgs.builder().bucket("decree").build())) {
            minio.makeBucket(MakeBucketArgs.builder().bucket("decree").build());
        }
        // What docker-compose's minio-setup does with mc: put events of incoming/ to the Kafka target.
        QueueConfiguration events = new QueueConfiguration();
        events.setQueue("arn:minio:sqs::PRIMARY:kafka");
        events.setEvents(List.of(EventType.OBJECT_CREATED_ANY));
        events.setPrefixRule("incoming/");
        NotificationConfiguration notifications = new NotificationConfiguration();
        notifications.setQueueConfigurationList(List.of(events));
        minio.setBucketNotification(SetBucketNotificationArgs.builder().bucket("decree").config(notifications).build());

        Map<String, String> common = new HashMap<>();
        common.put("KAFKA_BOOTSTRAP_SERVERS", kafka.getBootstrapServers());
        common.put("DECREE_S3_ENDPOINT", s3);
        common.put("DECREE_S3_ACCESS_KEY", ACCESS);
        common.put("DECREE_S3_SECRET_KEY", SECRET);
        common.put("DECREE_AUTH_API_KEYS", "ops:admin:" + ScanKey.sha256(KEY));
        common.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        Map<String, String> report = new HashMap<>(common);
        report.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://" + postgres.getHost() + ":" + postgres.getMappedPort(5432) + "/decree");
        report.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.getJdbcUrl());
        report.put("QUARKUS_DATASOURCE_USERNAME", postgres.getUsername());
        report.put("QUARKUS_DATASOURCE_PASSWORD", postgres.getPassword());
        Map<String, String> worker = new HashMap<>(common);
        worker.put("DECREE_WORKER_CLI_HOME", root.resolve("decree-cli/target").toString());
        worker.put("DECREE_WORKER_WORK_DIR", work.resolve("worker").toString());
        worker.put("DECREE_WORKER_SHADOW_SETS_PHOTOS", shared.resolve("images/photos").toString());
        // The paper's single start, as PipelineIT: this test is about the servers, not the search.
        worker.put("DECREE_WORKER_SCAN_WINDOW_GRID", "0");
        launch(root, "ingest-service", INGEST, common);
        launch(root, "report-service", REPORT, report);
        launch(root, "detector-worker", WORKER, worker);
    }

    private static void launch(Path root, String service, int port, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m", "-jar",
                root.resolve(service + "/target/quarkus-app/quarkus-run.jar").toString())
                .redirectErrorStream(true).redirectOutput(work.resolve(service + ".log").toFile());
        pb.environment().putAll(env);
        pb.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
        services.add(pb.start());
        long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!up(port)) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException(service + " did not come up:\n" + Files.readString(work.resolve(service + ".log")));
            }
            Thread.sleep(500);
        }
    }

    private static boolean up(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (java.io.IOException notYet) {
            return false;
        }
    }

    @AfterAll
    static void stop() {
        services.forEach(Process::destroy);
        containers.forEach(GenericContainer::stop);
        if (network != null) {
            network.close();
        }
    }

    /** The encoder's latest scan from report-service, once it has one (at most 10 minutes). */
    private static JsonNode verdictOf(IngestClient client, String sha) throws Exception {
        ObjectMapper json = new ObjectMapper();
        long end = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < end) {
            IngestClient.Answer a = client.report("/api/encoders/" + sha);
            if (a.status() == 200 && json.readTree(a.body()).path("scans").size() > 0) {
                return json.readTree(a.body()).path("scans").get(0);
            }
            Thread.sleep(2000);
        }
        throw new AssertionError("no verdict for " + sha + " in 10 minutes; see the service logs in " + work);
    }

    @Test
    void aModelPutIntoTheBucketIsRegisteredByMinioNotificationsAndAnUploadThroughTheApiToo() throws Exception {
        IngestClient client = new IngestClient(URI.create("http://127.0.0.1:" + INGEST), URI.create("http://127.0.0.1:" + REPORT), KEY);
        Path model = SharedData.architecture("resnet18_w16_32.pt");
        // Byte-distinct from the one uploaded below (each an encoder of its own), its input spec beside it as NAME.json.
        Path copy = ModelCopies.distinct(model, work.resolve("dropped.pt"), "containers");
        String dropped = ScanKey.sha256(copy);
        minio.uploadObject(UploadObjectArgs.builder().bucket("decree").object("incoming/dropped.json")
                .filename(work.resolve("dropped.json").toString()).build());
        minio.uploadObject(UploadObjectArgs.builder().bucket("decree").object("incoming/dropped.pt").filename(copy.toString()).build());
        JsonNode fromBucket = verdictOf(client, dropped);
        assertEquals("completed", fromBucket.path("status").asText(), fromBucket.toString());

        IngestClient.Answer upload = client.upload(model, "photos", false);
        assertEquals(202, upload.status(), upload.body());
        JsonNode fromApi = verdictOf(client, ScanKey.sha256(model));
        assertTrue(List.of("clean", "trojaned").contains(fromApi.path("verdict").asText()), fromApi.toString());
    }
}
