package io.decree.devstack;

import io.decree.events.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/** A real Kafka broker (KRaft, one combined broker and controller) in a process of its own, and the pipeline's topics. */
public final class KafkaServer {

    /** The topics and their partition counts; more partitions than workers lets a group share them. */
    static final Map<String, Integer> TOPICS = new LinkedHashMap<>();

    static {
        TOPICS.put(Topics.ENCODER_REGISTERED, 4);
        TOPICS.put(Topics.SCAN_RESULTS, 4);
        TOPICS.put(Topics.SCAN_PROGRESS, 4);
        TOPICS.put(Topics.BACKDOOR_ALERTS, 1);
        TOPICS.put(Topics.VERDICT_CHANGES, 1);
        TOPICS.put(Topics.DETECTOR_WORKERS, 1);
        TOPICS.put(Topics.BUCKET_NOTIFICATIONS, 1);
        for (String t : List.of(Topics.ENCODER_REGISTERED, Topics.SCAN_RESULTS, Topics.BUCKET_NOTIFICATIONS, Topics.BACKDOOR_ALERTS)) {
            TOPICS.put(Topics.deadLetter(t), 1);
        }
    }

    private KafkaServer() {
    }

    /** Starts the broker on {@code port} (its controller on the next), its log in {@code kdir}, formatted on first use. */
    static ChildProcess start(Path kdir, int port, Path logs) throws IOException {
        Files.createDirectories(kdir);
        int controllerPort = port + 1;
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.setProperty("log.dirs", kdir.resolve("log").toString());
        p.setProperty("num.partitions", "4");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "4");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        Path props = kdir.resolve("server.properties");
        try (var w = Files.newBufferedWriter(props)) {
            p.store(w, "written by dev-stack");
        }
        String cp = System.getProperty("java.class.path");
        if (!Files.exists(kdir.resolve("log").resolve("meta.properties"))) {
            ChildProcess format = ChildProcess.java("kafka-format", logs, Map.of(), List.of("-Xmx256m", "-cp", cp,
                    "kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", props.toString()));
            try {
                if (format.process.waitFor() != 0) {
                    throw new IllegalStateException("kafka storage format failed; see " + format.log);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return ChildProcess.java("kafka", logs, Map.of(), List.of("-Xmx512m", "-cp", cp, "kafka.Kafka", props.toString()));
    }

    /** Creates the topics that do not exist yet, on the broker at {@code bootstrap} (host:port). */
    public static void createTopics(String bootstrap) {
        Properties p = new Properties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            var existing = admin.listTopics().names().get();
            List<NewTopic> missing = TOPICS.entrySet().stream().filter(e -> !existing.contains(e.getKey()))
                    .map(e -> new NewTopic(e.getKey(), e.getValue(), (short) 1)).toList();
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topics: " + e.getMessage(), e);
        }
    }
}
