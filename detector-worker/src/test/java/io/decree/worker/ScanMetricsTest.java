package io.decree.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.decree.contract.ScanExit;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What an operator's dashboard counts: failures by whose fault they were, and scans whose probes did not fit the GPU. */
class ScanMetricsTest {

    @Test
    void failuresAreCountedByReasonAndFallbacksOnTheirOwn() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ScanMetrics metrics = new ScanMetrics(registry, new ScanWatch(Duration.ofMinutes(130), System::nanoTime));
        metrics.failure(ScanMetrics.Failure.of(new ChildScan.Result(ScanExit.OUT_OF_MEMORY, false, "")), Duration.ofSeconds(3));
        metrics.failure(ScanMetrics.Failure.of(new ChildScan.Result(ScanExit.INTERNAL, false, "")), Duration.ofSeconds(1));
        metrics.failure(ScanMetrics.Failure.of(new ChildScan.Result(ScanExit.INTERNAL, false, "")), Duration.ofSeconds(1));
        metrics.verdict("clean", Duration.ofSeconds(23), 8_872, false);
        metrics.probesFellBack();
        assertEquals(1.0, registry.get("decree.scans").tag("outcome", "failed").tag("reason", "device-memory").counter().count());
        assertEquals(2.0, registry.get("decree.scans").tag("outcome", "failed").tag("reason", "internal-error").counter().count());
        assertEquals(1.0, registry.get("decree.scans").tag("outcome", "clean").counter().count(), "the verdict stands");
        assertEquals(1.0, registry.get("decree.scan.probes.fell.back").counter().count());
    }
}
