package io.decree.devstack;

import io.decree.events.BackdoorAlert;
import io.decree.events.EventData;
import io.decree.events.EventFormatException;
import io.decree.events.Events;
import io.decree.events.ScanCompleted;
import io.decree.events.ScanFailed;
import io.decree.events.ScanProgress;
import io.decree.events.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Prints each scan result and alert as it arrives, as a person watching the pipeline wants to see it, and tells when
 * every expected encoder has its result (and a trojaned one its alert).
 */
final class ResultFollower implements AutoCloseable {
    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;
    /** Per SHA-256: the scan result seen (or null), and whether an alert was. Results may come before expect(). */
    private final Map<String, EventData> results = new ConcurrentHashMap<>();
    private final Set<String> alerted = ConcurrentHashMap.newKeySet();
    private final Set<String> expected = ConcurrentHashMap.newKeySet();
    private final Set<String> failed = ConcurrentHashMap.newKeySet();

    /** Waits for a result of {@code sha256} when {@code scanComing} (else it was stored before: nothing will come). */
    void expect(String sha256, boolean scanComing) {
        if (scanComing) {
            expected.add(sha256);
        }
    }

    /** An upload that was refused counts as done and failed. */
    void failed(String sha256) {
        failed.add(sha256);
    }

    boolean allDone() {
        for (String sha : expected) {
            EventData r = results.get(sha);
            if (r == null || (r instanceof ScanCompleted c && "trojaned".equals(c.verdict()) && !alerted.contains(sha))) {
                return false;
            }
        }
        return true;
    }

    boolean anyFailed() {
        return !failed.isEmpty() || expected.stream().anyMatch(sha -> results.get(sha) instanceof ScanFailed);
    }

    private ResultFollower(KafkaConsumer<String, String> consumer) {
        this.consumer = consumer;
        this.thread = new Thread(this::loop, "result-follower");
        this.thread.setDaemon(true);
    }

    static ResultFollower start(String bootstrap) {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // Its own group: watching takes nothing away from the report-service.
        p.setProperty(ConsumerConfig.GROUP_ID_CONFIG, "dev-stack-follow-" + UUID.randomUUID());
        p.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.setProperty(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.setProperty(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        KafkaConsumer<String, String> c = new KafkaConsumer<>(p);
        c.subscribe(List.of(Topics.SCAN_RESULTS, Topics.SCAN_PROGRESS, Topics.BACKDOOR_ALERTS));
        ResultFollower f = new ResultFollower(c);
        f.thread.start();
        return f;
    }

    private void loop() {
        try {
            while (true) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofSeconds(1))) {
                    System.out.println(line(r.value()));
                    record(r.value());
                }
            }
        } catch (WakeupException stopping) {
            // close() was called
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void record(String json) {
        try {
            EventData d = Events.parse(json).data();
            if (d instanceof BackdoorAlert) {
                alerted.add(d.sha256());
            } else if (!(d instanceof ScanProgress)) {
                results.put(d.sha256(), d);
            }
        } catch (EventFormatException unreadable) {
            // printed by line()
        }
    }

    static String line(String json) {
        EventData d;
        try {
            d = Events.parse(json).data();
        } catch (EventFormatException e) {
            return "dev-stack: unreadable result (" + e.getMessage() + ")";
        }
        String sha = d.sha256().substring(0, 12);
        if (d instanceof ScanCompleted c) {
            return String.format(Locale.ROOT, "VERDICT %-8s %s %s  PL1 %.4f (threshold %.4f)  %d steps  %.0f s  evidence s3://%s/%s",
                    c.verdict().toUpperCase(Locale.ROOT), c.name(), sha, c.pl1Norm(), c.threshold(), c.steps(), c.seconds(),
                    c.bucket(), c.evidenceKeys().isEmpty() ? "" : c.evidenceKeys().get(0).replaceFirst("[^/]+$", ""));
        }
        if (d instanceof ScanFailed f) {
            return "FAILED  " + f.name() + " " + sha + ": " + f.reason() + (f.retryable() ? " (retryable)" : "");
        }
        if (d instanceof ScanProgress p) {
            return "SCANNING " + p.name() + " " + sha + ": " + p.describe();
        }
        if (d instanceof BackdoorAlert a) {
            return String.format(Locale.ROOT, "ALERT   backdoor in %s %s (PL1 %.4f, detector %s)", a.name(), sha, a.pl1Norm(), a.detectorVersion());
        }
        return d.toString();
    }

    @Override
    public void close() {
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
