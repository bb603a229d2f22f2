package io.decree.worker;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Refuses to start a worker whose limits contradict each other. One scan may hold its record for the scan time limit
 * plus the transfers around it; any other clock that watches the record must allow that, or a long scan ends the
 * consumer (the connector's age check fails the channel, and the worker leaves its group until restarted: a real
 * MobileNetV2 scan of 56-67 min against a 50-min check did exactly that).
 */
@ApplicationScoped
public class ConsumerLimits {
    static final String MAX_AGE = "mp.messaging.incoming.encoder-registered.throttled.unprocessed-record-max-age.ms";
    /** SmallRye Kafka's default when the property is absent. */
    static final long CONNECTOR_DEFAULT_MAX_AGE_MS = 60_000;
    static final String WORKER_EXECUTE_TIME = "quarkus.vertx.max-worker-execute-time";
    /** Vert.x's default when the property is absent. */
    static final Duration VERTX_DEFAULT_EXECUTE_TIME = Duration.ofSeconds(60);

    /** How long one request may be in hand: the scan's time limit plus the transfers around it. */
    static Duration handlingLimit(WorkerSettings s) {
        return s.scanTimeout().plus(s.transferAllowance());
    }

    /**
     * What is inconsistent, one sentence each (empty: nothing). {@code maxAgeMs} 0 or less is the connector's check
     * switched off, which is how this worker runs ({@link ScanWatch} watches instead).
     */
    static List<String> problems(Duration handlingLimit, long maxAgeMs, Duration workerExecuteTime) {
        List<String> out = new ArrayList<>();
        if (maxAgeMs > 0 && Duration.ofMillis(maxAgeMs).compareTo(handlingLimit) <= 0) {
            out.add(MAX_AGE + "=" + maxAgeMs + " would fail the channel while a scan may still run (scan-timeout plus "
                    + "transfer-allowance is " + handlingLimit + "); set it to 0 (the worker's own liveness check "
                    + "watches scans) or above " + handlingLimit.toMillis());
        }
        if (workerExecuteTime.compareTo(handlingLimit) <= 0) {
            out.add(WORKER_EXECUTE_TIME + "=" + workerExecuteTime + " is not above scan-timeout plus transfer-allowance ("
                    + handlingLimit + "): every long scan would be reported as a blocked thread");
        }
        return out;
    }

    // Before the messaging connectors start consuming (they observe StartupEvent at LIBRARY_BEFORE).
    void check(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event,
            WorkerSettings settings) {
        Config c = ConfigProvider.getConfig();
        List<String> p = problems(handlingLimit(settings),
                c.getOptionalValue(MAX_AGE, Long.class).orElse(CONNECTOR_DEFAULT_MAX_AGE_MS),
                c.getOptionalValue(WORKER_EXECUTE_TIME, Duration.class).orElse(VERTX_DEFAULT_EXECUTE_TIME));
        if (!p.isEmpty()) {
            throw new IllegalStateException("refusing to start, inconsistent limits: " + String.join("; ", p));
        }
        try {
            settings.scanSettings();
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("refusing to start, decree.worker.scan: " + e.getMessage());
        }
    }
}
