package io.decree.worker;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.decree.contract.EvidenceFiles;
import io.decree.contract.ScanOutcome;
import io.decree.contract.ScanProgressFile;
import io.decree.contract.ScanSettings;
import io.decree.events.CloudEvent;
import io.decree.events.EventRecords;
import io.decree.events.EncoderRegistered;
import io.decree.events.EventData;
import io.decree.events.EventFormatException;
import io.decree.events.Events;
import io.decree.events.ScanCompleted;
import io.decree.events.ScanFailed;
import io.decree.events.ScanKey;
import io.decree.events.ScanProgress;
import io.decree.events.Topics;
import io.decree.events.Traces;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.quarkus.runtime.ShutdownEvent;
import io.decree.store.ObjectStore;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * Turns each {@link EncoderRegistered} into one {@link ScanCompleted} or {@link ScanFailed} on {@code scan-results}.
 * The incoming record is acknowledged (and its offset committed) only after the result is on Kafka, so a worker that
 * dies mid-scan leaves the request to another one. A request whose scan key already has evidence in the bucket is
 * answered from that evidence instead of being scanned again.
 */
@ApplicationScoped
public class ScanRequests {
    private static final Logger LOG = Logger.getLogger(ScanRequests.class);
    static final String SOURCE = "/decree/detector-worker";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    WorkerSettings settings;

    @Inject
    @Channel("scan-results")
    MutinyEmitter<String> results;

    @ConfigProperty(name = "quarkus.application.version")
    String detectorVersion;

    @Inject
    ObjectStore store;

    @Inject
    @Channel("encoder-registered-dlq")
    MutinyEmitter<String> deadLetters;

    @Inject
    ScanWatch watch;

    @Inject
    ScanMetrics metrics;

    @Inject
    DetectorAnnouncement detector;

    @Inject
    Tracer tracer;

    @Inject
    @Channel("scan-progress")
    MutinyEmitter<String> progress;

    /** A request's result, and for the metrics how it came about. */
    private record Outcome(EventData data, ScanMetrics.Failure failure, boolean fromEvidence, long imagePasses) {
    }

    private volatile boolean draining;

    /**
     * Unparseable records go to the dead-letter topic with the reason and are acknowledged. Any other exception
     * fails the channel without committing (failure-strategy=fail): the record is scanned again elsewhere.
     */
    @Incoming("encoder-registered")
    @Blocking(value = "scans", ordered = false)
    public void onEncoderRegistered(ConsumerRecord<String, String> record) throws IOException, InterruptedException {
        if (draining) {
            // Shutting down: don't start a scan this pod may not finish; uncommitted, it goes to another worker.
            throw new IllegalStateException("worker is draining; " + record.topic() + "-" + record.partition() + "@"
                    + record.offset() + " left for another worker");
        }
        EncoderRegistered req;
        String requestId;
        CloudEvent<EncoderRegistered> event;
        try {
            event = Events.parse(record.value(), EncoderRegistered.class);
            req = event.data();
            requestId = event.id() != null ? event.id() : record.partition() + "@" + record.offset();
        } catch (EventFormatException e) {
            LOG.warnf("%s-%d@%d is not an EncoderRegistered event, dead-lettered: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            deadLetters.sendMessageAndAwait(KafkaRecord.of(record.key(), record.value())
                    .withHeader(Topics.REASON_HEADER, e.getMessage())
                    .withHeader("dead-letter-topic", record.topic())
                    .withHeader("dead-letter-offset", record.partition() + "@" + record.offset()));
            metrics.deadLettered(Topics.deadLetter(record.topic()));
            return;
        }
        // Every log line of this request carries the encoder (and, once known, the scan id): in JSON logs, fields.
        MDC.put("sha256", req.sha256());
        // The scan continues the trace of the upload (or rescan request) that asked for it; its result carries it on.
        Span span = tracer.spanBuilder("scan " + req.name()).setParent(Traces.parentOf(event)).setSpanKind(SpanKind.CONSUMER)
                .setAttribute("decree.sha256", req.sha256()).setAttribute("decree.rescan", req.rescan()).startSpan();
        try (Scope scope = span.makeCurrent(); ScanWatch.InHand inHand = watch.begin("encoder " + req.sha256())) {
            handle(req, requestId);
        } catch (IOException | InterruptedException | RuntimeException e) {
            span.recordException(e);
            throw e;
        } finally {
            span.end();
            MDC.remove("sha256");
            MDC.remove("scanId");
        }
    }

    /**
     * On SIGTERM (a scale-down, a rollout) the worker takes no new request, lets the scan in flight finish and
     * publish (within the scan time limit), and only then lets Quarkus stop the Kafka connector and commit.
     */
    void drain(@Observes ShutdownEvent event) throws InterruptedException {
        draining = true;
        long end = System.nanoTime() + ConsumerLimits.handlingLimit(settings).toNanos();
        if (watch.inFlight() > 0) {
            LOG.infof("shutting down: waiting for %d scan(s) in flight", watch.inFlight());
        }
        while (watch.inFlight() > 0 && System.nanoTime() < end) {
            Thread.sleep(500);
        }
    }

    /** @param requestId the event's id: a rescan's scan id is derived from it, so each rescan is recorded on its own */
    private void handle(EncoderRegistered req, String requestId) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Outcome result;
        String configHash = "unknown";
        try {
            // The spec that takes effect (the event's, else the one stored beside the model) is hashed, not how it came.
            Map<String, Object> spec = req.inputSpec();
            if (spec == null && store.exists(ObjectStore.specKey(req.sha256()))) {
                spec = JSON.readValue(store.getText(ObjectStore.specKey(req.sha256())), new TypeReference<Map<String, Object>>() { });
            }
            configHash = ScanKey.sha256(settings.scanSettings().canonical(req.shadowImages(), spec, req.baseModel())).substring(0, 16);
            result = scan(req, new ScanKey(req.sha256(), detectorVersion, configHash, req.rescan() ? requestId : null), spec);
        } catch (ObjectStore.StoreException e) {
            ScanKey key = new ScanKey(req.sha256(), detectorVersion, configHash, req.rescan() ? requestId : null);
            // The store is down: no verdict, and the request is worth retrying later.
            result = new Outcome(new ScanFailed(key.scanId(), req.sha256(), req.name(), e.getMessage(), true, detectorVersion,
                    configHash, detector.id()), ScanMetrics.Failure.STORE_UNAVAILABLE, false, 0);
        }
        // The trace goes on twice: in the event (its traceparent) and in the record's headers (the connector's publish span).
        Context trace = Context.current();
        results.sendMessageAndAwait(EventRecords.of(CloudEvent.of(SOURCE, result.data()), trace));
        Span.current().setAttribute("decree.outcome", result.data() instanceof ScanCompleted c ? c.verdict() : "failed");
        java.time.Duration took = java.time.Duration.ofNanos(System.nanoTime() - t0);
        if (result.data() instanceof ScanCompleted c) {
            metrics.verdict(c.verdict(), took, result.imagePasses(), result.fromEvidence());
        } else {
            metrics.failure(result.failure(), took);
        }
    }

    private Outcome scan(EncoderRegistered req, ScanKey key, Map<String, Object> spec) throws IOException, InterruptedException {
        MDC.put("scanId", key.scanId());
        String prefix = key.evidencePrefix();
        // A rescan has its own prefix: evidence there is from this very request, delivered again.
        if (store.exists(prefix + EvidenceFiles.REPORT)) {
            LOG.infof("scan %s of %s: evidence exists, republishing its result", key.scanId(), req.sha256());
            List<String> stored = store.list(prefix).stream().map(i -> i.objectName())
                    .sorted(Comparator.comparing((String k) -> !k.endsWith("/" + EvidenceFiles.REPORT)).thenComparing(k -> k)).toList();
            return new Outcome(completed(req, key, ScanOutcome.parse(store.getText(prefix + EvidenceFiles.REPORT)), stored), null, true, 0);
        }
        Path shadow = settings.shadowSets().containsKey(req.shadowImages()) ? Path.of(settings.shadowSets().get(req.shadowImages())) : null;
        if (shadow == null) {
            return new Outcome(failed(req, key, "unknown shadow-image set '" + req.shadowImages() + "' (this worker has "
                    + settings.shadowSets().keySet() + ")", false), ScanMetrics.Failure.UNKNOWN_SHADOW_SET, false, 0);
        }
        String base = req.baseModel();
        if (base != null && !store.exists(ObjectStore.modelKey(base))) {
            return new Outcome(failed(req, key, "baseModel " + base + " is not in the bucket: register the upstream checkpoint, "
                    + "then rescan", false), ScanMetrics.Failure.MISSING_BASE, false, 0);
        }
        Path dir = Path.of(settings.workDir()).resolve(key.scanId());
        deleteTree(dir);
        Files.createDirectories(dir);
        try {
            Path model = dir.resolve("model.pt");
            store.download(req.objectKey(), model);
            if (spec != null) {
                Files.writeString(dir.resolve("model.json"), JSON.writeValueAsString(spec));
            }
            Path out = dir.resolve("out");
            // Named by its hash: the verdict's explanation names the file ("... that of the clean reference <name>").
            String baseStem = base == null ? null : "base-" + base.substring(0, 12);
            Path baseline = base == null ? null : dir.resolve(baseStem + ".pt");
            // The base ratio and the reference ratio scan the base on its own first (kept per base, reused by every model
            // fine-tuned from it); the fixed contrast threshold only searches through both at once.
            String baselineCache = base == null || !settings.scanSettings().scansBaseAlone() ? null : baselineCache(req, base);
            boolean cached = false;
            if (base != null) {
                store.download(ObjectStore.modelKey(base), baseline);
                if (store.exists(ObjectStore.specKey(base))) {
                    Files.writeString(dir.resolve(baseStem + ".json"), store.getText(ObjectStore.specKey(base)));
                }
                // The base's scan from an earlier differential scan on this shadow set: the CLI reuses it if it matches.
                cached = baselineCache != null && store.exists(baselineCache);
                if (cached) {
                    Files.createDirectories(out.resolve("baseline"));
                    store.download(baselineCache, out.resolve("baseline/report.json"));
                }
            }
            LOG.infof("scan %s of %s (%s) started%s", key.scanId(), req.sha256(), req.name(),
                    base == null ? "" : " against base " + base + (cached ? " (its scan reused)" : ""));
            progress(req, key, ScanProgressFile.starting());
            ChildScan.Result r = ChildScan.run(settings, model, "s3://" + store.bucket() + "/" + req.objectKey(),
                    "s3://" + store.bucket() + "/" + prefix, shadow, out, baseline, settings.scanTimeout(), p -> progress(req, key, p));
            if (r.cappedAfter() != null) {
                LOG.warnf("scan %s of %s crashed in libtorch's oneDNN (%s) and was tried again with ONEDNN_MAX_CPU_ISA=%s",
                        key.scanId(), req.sha256(), r.cappedAfter(), settings.nativeCrashIsa());
                metrics.nativeCrashRetried();
            }
            if (!cached && baselineCache != null && Files.exists(out.resolve("baseline/report.json"))) {
                store.upload(baselineCache, out.resolve("baseline/report.json"), "application/json", Map.of());
            }
            if (!r.verdict()) {
                String reason = ChildScan.redact(r.reason(settings.scanTimeout()), baseline == null
                        ? Map.of(model, req.name(), dir, "(scan folder)", shadow, "shadow set '" + req.shadowImages() + "'")
                        : Map.of(model, req.name(), baseline, "base " + base, dir, "(scan folder)", shadow,
                                "shadow set '" + req.shadowImages() + "'"));
                LOG.warnf("scan %s of %s failed: %s", key.scanId(), req.sha256(), reason);
                return new Outcome(failed(req, key, reason, r.retryable()), ScanMetrics.Failure.of(r), false, 0);
            }
            // report.json last: its presence means the evidence is complete.
            ScanOutcome report = ScanOutcome.read(out.resolve(EvidenceFiles.REPORT));
            List<String> stored = new ArrayList<>();
            for (String f : EvidenceFiles.ALL) {
                if (!f.equals(EvidenceFiles.REPORT) && Files.exists(out.resolve(f))) {
                    stored.add(prefix + f);
                    store.upload(prefix + f, out.resolve(f), EvidenceFiles.contentType(f), Map.of());
                }
            }
            store.upload(prefix + EvidenceFiles.REPORT, out.resolve(EvidenceFiles.REPORT), EvidenceFiles.contentType(EvidenceFiles.REPORT), Map.of());
            stored.add(0, prefix + EvidenceFiles.REPORT);
            LOG.infof("scan %s of %s: %s, PL1 %.4f", key.scanId(), req.sha256(), report.verdict(), report.pl1Norm());
            if (ScanOutcome.probesFellBack(Files.readString(out.resolve(EvidenceFiles.REPORT)))) {
                LOG.warnf("scan %s: the window probes ran out of device memory together and went on apart; "
                        + "decree.worker.probes-together below its %s saves that try", key.scanId(),
                        settings.probesTogether().map(n -> "value " + n).orElse("default (100 on a GPU)"));
                metrics.probesFellBack();
            }
            return new Outcome(completed(req, key, report, stored), null, false, report.imagePasses());
        } finally {
            deleteTree(dir);
        }
    }

    /**
     * Publishes where the scan is ({@code decree scan --progress-file}'s JSON) as a {@link ScanProgress}, not awaited:
     * progress is informational, and a slow broker must not hold up the scan.
     */
    private void progress(EncoderRegistered req, ScanKey key, ScanProgressFile n) {
        ScanProgress p = new ScanProgress(key.scanId(), req.sha256(), req.name(), n.phase(), n.step(), n.maxSteps(), n.bestPl1(),
                n.elapsedSeconds(), detectorVersion);
        progress.sendMessage(EventRecords.of(CloudEvent.of(SOURCE, p), Context.current()))
                .subscribe().with(ok -> { }, e -> LOG.debugf("progress of scan %s not sent: %s", key.scanId(), e.getMessage()));
    }

    /**
     * Where the base's own report.json is kept for later differential scans against it: per base, detector version and
     * what its scan depends on (shadow set, the base's spec, the search), never per model.
     */
    private String baselineCache(EncoderRegistered req, String base) throws IOException {
        Map<String, Object> baseSpec = store.exists(ObjectStore.specKey(base))
                ? JSON.readValue(store.getText(ObjectStore.specKey(base)), new TypeReference<Map<String, Object>>() { }) : null;
        ScanSettings scan = settings.scanSettings();
        String hash = ScanKey.sha256(scan.canonical(req.shadowImages(), baseSpec, null) + ";search=" + scan.differentialSearch())
                .substring(0, 16);
        return "baselines/" + base + "/" + detectorVersion + "-" + hash + "/report.json";
    }

    private ScanCompleted completed(EncoderRegistered req, ScanKey key, ScanOutcome report, List<String> keys) {
        return new ScanCompleted(key.scanId(), req.sha256(), req.name(), report.verdict(), report.pl1Norm(), report.threshold(),
                report.similarity(), report.steps(), report.seconds(), report.seed(), key.detectorVersion(), key.configHash(),
                report.device(), store.bucket(), keys, report.rule(), report.score(), req.baseModel(), detector.id());
    }

    private ScanFailed failed(EncoderRegistered req, ScanKey key, String reason, boolean retryable) {
        return new ScanFailed(key.scanId(), req.sha256(), req.name(), reason, retryable, key.detectorVersion(), key.configHash(),
                detector.id());
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
