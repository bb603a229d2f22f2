package io.decree.worker;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Default;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * The requests this worker is handling and for how long. The Kafka connector's own watch (a record unacknowledged
 * for longer than {@code throttled.unprocessed-record-max-age.ms}) cannot tell a long scan from a stuck one, and when
 * it fires the channel fails and the worker leaves its group for good; so it is off ({@link ConsumerLimits}) and this
 * check, which knows the limit, replaces it. A request may take the scan's time limit (the child process is killed
 * then) plus {@code decree.worker.transfer-allowance} for the model download, the evidence upload and publishing
 * the result. Past that something outside the child hangs: liveness goes DOWN, the orchestrator restarts the worker,
 * and the unacknowledged request is scanned again by the group.
 */
@ApplicationScoped
@Liveness
@Default // also injected as itself (ScanRequests), not only found as a health check
public class ScanWatch implements HealthCheck {
    /** One request in hand: what it is (scan id and encoder) and when it was taken. */
    record Handling(String what, long startedNanos) {
    }

    private final Map<Long, Handling> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final LongSupplier nanoTime;
    private final Duration limit;

    @Inject
    ScanWatch(WorkerSettings settings) {
        this(ConsumerLimits.handlingLimit(settings), System::nanoTime);
    }

    ScanWatch(Duration limit, LongSupplier nanoTime) {
        this.limit = limit;
        this.nanoTime = nanoTime;
    }

    /** A request in hand; closing it lets go. */
    interface InHand extends AutoCloseable {
        @Override
        void close();
    }

    /** Marks a request as in hand until the returned handle is closed. */
    InHand begin(String what) {
        long id = ids.incrementAndGet();
        inFlight.put(id, new Handling(what, nanoTime.getAsLong()));
        return () -> inFlight.remove(id);
    }

    int inFlight() {
        return inFlight.size();
    }

    @Override
    public HealthCheckResponse call() {
        long now = nanoTime.getAsLong();
        HealthCheckResponseBuilder b = HealthCheckResponse.named("scans").withData("in-flight", inFlight.size())
                .withData("limit", limit.toString());
        boolean up = true;
        for (Handling h : inFlight.values()) {
            Duration held = Duration.ofNanos(now - h.startedNanos());
            b.withData(h.what(), held.toSeconds() + " s");
            up &= held.compareTo(limit) <= 0;
        }
        return b.status(up).build();
    }
}
