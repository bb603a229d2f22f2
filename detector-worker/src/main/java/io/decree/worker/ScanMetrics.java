package io.decree.worker;

import io.decree.contract.ScanExit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * What an operator watches on a worker, at /q/metrics: how long scans take and how they end (a verdict, or a failure
 * and its kind), the work per scan, scans in hand, and records dead-lettered. Outcome and reason are small fixed sets,
 * never free text, so the series stay few.
 */
@ApplicationScoped
public class ScanMetrics {

    /** Why a request ended without a verdict: the label of decree_scans_total{outcome="failed"}. */
    enum Failure {
        TIME_LIMIT("time-limit"), REJECTED_MODEL("rejected-model"), DEVICE_MEMORY("device-memory"), INTERNAL("internal-error"),
        CRASHED("crashed"), CHILD_FAILED("child-failed"), UNKNOWN_SHADOW_SET("unknown-shadow-set"), MISSING_BASE("missing-base"),
        STORE_UNAVAILABLE("store-unavailable");

        final String label;

        Failure(String label) {
            this.label = label;
        }

        static Failure of(ChildScan.Result r) {
            if (r.timedOut()) {
                return TIME_LIMIT;
            }
            return switch (r.exitCode()) {
                case ScanExit.REJECTED -> REJECTED_MODEL;
                case ScanExit.OUT_OF_MEMORY -> DEVICE_MEMORY;
                case ScanExit.INTERNAL -> INTERNAL;
                default -> r.exitCode() > 128 ? CRASHED : CHILD_FAILED;
            };
        }
    }

    private final MeterRegistry registry;

    ScanMetrics(MeterRegistry registry, ScanWatch watch) {
        this.registry = registry;
        Gauge.builder("decree.scans.in.flight", watch, ScanWatch::inFlight).description("scan requests in hand").register(registry);
    }

    /** A verdict: {@code fromEvidence} when it was answered from a scan already stored rather than scanned. */
    void verdict(String verdict, Duration took, long imagePasses, boolean fromEvidence) {
        String outcome = verdict;
        timer(outcome, fromEvidence ? "stored-evidence" : "scan").record(took);
        counter(outcome, "none").increment();
        if (!fromEvidence && imagePasses > 0) {
            DistributionSummary.builder("decree.scan.image.passes").description("images through the encoder's forward and backward per scan")
                    .register(registry).record(imagePasses);
        }
    }

    void failure(Failure why, Duration took) {
        timer("failed", "scan").record(took);
        counter("failed", why.label).increment();
    }

    /** A scan whose window probes ran out of device memory together and went on apart (its verdict stands). */
    void probesFellBack() {
        Counter.builder("decree.scan.probes.fell.back").description("scans whose window probes did not fit the device together")
                .register(registry).increment();
    }

    /** A scan tried again with oneDNN's instruction set capped after its child crashed in oneDNN's kernels. */
    void nativeCrashRetried() {
        Counter.builder("decree.scan.native.crash.retries").description("scans tried again with oneDNN capped after a crash in it")
                .register(registry).increment();
    }

    void deadLettered(String topic) {
        Counter.builder("decree.dead.letters").description("records sent to a dead-letter topic").tag("topic", topic)
                .register(registry).increment();
    }

    private Timer timer(String outcome, String source) {
        return Timer.builder("decree.scan.duration").description("from request in hand to result ready")
                .tag("outcome", outcome).tag("source", source).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofSeconds(1)).maximumExpectedValue(Duration.ofHours(3)).register(registry);
    }

    private Counter counter(String outcome, String reason) {
        return Counter.builder("decree.scans").description("scan requests by how they ended").tag("outcome", outcome)
                .tag("reason", reason).register(registry);
    }
}
