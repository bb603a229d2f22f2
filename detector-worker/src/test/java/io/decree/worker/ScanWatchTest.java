package io.decree.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

class ScanWatchTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final ScanWatch watch = new ScanWatch(Duration.ofMinutes(130), now::get);

    @Test
    void upWhileNothingIsInHand() {
        assertEquals(HealthCheckResponse.Status.UP, watch.call().getStatus());
    }

    @Test
    void aScanAsLongAsTheLimitStaysUpAndOneHeldPastItGoesDown() {
        try (ScanWatch.InHand scan = watch.begin("encoder abc")) {
            now.addAndGet(Duration.ofMinutes(67).toNanos()); // a real MobileNetV2 scan on 2 cores
            assertEquals(HealthCheckResponse.Status.UP, watch.call().getStatus());
            now.addAndGet(Duration.ofMinutes(63).toNanos());
            assertEquals(HealthCheckResponse.Status.UP, watch.call().getStatus(), "exactly the limit");
            now.addAndGet(1);
            HealthCheckResponse r = watch.call();
            assertEquals(HealthCheckResponse.Status.DOWN, r.getStatus());
            assertEquals("7800 s", r.getData().orElseThrow().get("encoder abc"));
        }
        assertEquals(0, watch.inFlight());
        assertEquals(HealthCheckResponse.Status.UP, watch.call().getStatus(), "let go: up again");
    }

    @Test
    void eachRequestIsWatchedOnItsOwn() {
        ScanWatch.InHand first = watch.begin("encoder a");
        now.addAndGet(Duration.ofMinutes(100).toNanos());
        try (ScanWatch.InHand second = watch.begin("encoder b")) {
            assertEquals(2, watch.inFlight());
            first.close();
            now.addAndGet(Duration.ofMinutes(100).toNanos());
            assertEquals(HealthCheckResponse.Status.UP, watch.call().getStatus(), "b is 100 min in, a was let go");
        }
    }
}
