package io.decree.ingest;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.decree.events.CloudEvent;
import io.decree.events.EventRecords;
import io.decree.events.EncoderRegistered;
import io.decree.events.ScanKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.decree.store.ObjectStore;
import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.reactive.messaging.MutinyEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

/** Puts a model into the bucket under its SHA-256 and publishes {@link EncoderRegistered}, once per content. */
@ApplicationScoped
public class Registrar {
    private static final Logger LOG = Logger.getLogger(Registrar.class);
    static final String SOURCE = "/decree/ingest-service";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ObjectStore store;

    @Inject
    @Channel("encoder-registered")
    MutinyEmitter<String> registered;

    @Inject
    Tracer tracer;

    @ConfigProperty(name = "decree.ingest.max-upload-bytes")
    MemorySize maxUpload;

    @ConfigProperty(name = "decree.ingest.default-shadow-images")
    String defaultShadowImages;

    /** What happened to one registration request. */
    /**
     * What became of an upload or a rescan request. A refusal ({@code rejected}) names its reason and, where one form
     * field or parameter is at fault, that field; the HTTP layer sends it as an RFC 9457 problem ({@link Problems}).
     */
    public record Outcome(String sha256, String status, String objectKey, String reason, String field) {
        Outcome(String sha256, String status, String objectKey, String reason) {
            this(sha256, status, objectKey, reason, null);
        }

        static Outcome rejected(String reason) {
            return rejected(null, reason);
        }

        static Outcome rejected(String field, String reason) {
            return new Outcome(null, "rejected", null, reason, field);
        }
    }

    long maxUploadBytes() {
        return maxUpload.asLongValue();
    }

    /**
     * Registers a local copy of a model. A rejected file yields status {@code rejected} with the reason; the same
     * bytes registered before yield {@code already-registered} and no event, unless {@code rescan} or a
     * {@code baseModel} (a differential scan is another scan; the worker answers one it has done from its evidence).
     *
     * @param baseModel the sha256 of a registered encoder this one was fine-tuned from, or null
     */
    public Outcome register(Path file, String name, String specJson, String shadowImages, String registeredBy, boolean rescan,
            String baseModel) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (size > maxUploadBytes()) {
            return Outcome.rejected("file", "file of " + size + " bytes is over the limit of " + maxUploadBytes());
        }
        if (shadowProblem(shadowImages) != null) {
            return Outcome.rejected("shadowImages", shadowProblem(shadowImages));
        }
        String problem = TorchScriptCheck.problem(file, 4 * maxUploadBytes());
        if (problem != null) {
            return Outcome.rejected("file", problem);
        }
        Map<String, Object> spec = null;
        if (specJson != null && !specJson.isBlank()) {
            try {
                spec = JSON.readValue(specJson, new TypeReference<Map<String, Object>>() { });
            } catch (IOException e) {
                return Outcome.rejected("spec", "input spec is not a JSON object: " + e.getMessage());
            }
        }
        String sha;
        try {
            sha = ScanKey.sha256(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String baseProblem = baseProblem(baseModel, sha);
        if (baseProblem != null) {
            return Outcome.rejected("baseModel", baseProblem);
        }
        String key = ObjectStore.modelKey(sha);
        boolean known = store.exists(key);
        if (known && !rescan && baseModel == null) {
            return new Outcome(sha, "already-registered", key, null);
        }
        String safeName = name == null ? sha + ".pt" : name.replaceAll("[^A-Za-z0-9._-]", "_");
        if (!known) {
            store.upload(key, file, "application/zip", Map.of("name", safeName));
        }
        if (spec != null) {
            store.putText(ObjectStore.specKey(sha), specJson, "application/json");
        }
        EncoderRegistered event = new EncoderRegistered(sha, store.bucket(), key, size, safeName, spec,
                shadowImages == null || shadowImages.isBlank() ? defaultShadowImages : shadowImages, registeredBy, rescan, baseModel);
        publish(event);
        LOG.infof("registered %s (%s, %d bytes) by %s", sha, safeName, size, registeredBy);
        return new Outcome(sha, "registered", key, null);
    }

    /**
     * Puts the request on {@code encoder-registered} in a span of the current trace (the upload's HTTP request, or a new
     * one for the reconciler): the event's traceparent and the record's headers carry it to the worker.
     */
    private void publish(EncoderRegistered event) {
        Span span = tracer.spanBuilder(event.rescan() ? "request rescan" : "register encoder").setSpanKind(SpanKind.PRODUCER)
                .setAttribute("decree.sha256", event.sha256()).setAttribute("decree.registered-by", event.registeredBy()).startSpan();
        try (Scope scope = span.makeCurrent()) {
            registered.sendMessageAndAwait(EventRecords.of(CloudEvent.of(SOURCE, event), Context.current()));
        } finally {
            span.end();
        }
    }

    private static final java.util.regex.Pattern SHADOW_SET = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    /**
     * Why {@code shadowImages} cannot name a shadow-image set, or null (also for none: the default). Which sets exist is
     * the workers' configuration (an unknown name fails its scan with the names they have); a name is checked here so
     * that nothing else (a path, markup, a 5,000-character string) travels in events and pages.
     */
    static String shadowProblem(String shadowImages) {
        if (shadowImages == null || shadowImages.isBlank() || SHADOW_SET.matcher(shadowImages).matches()) {
            return null;
        }
        return "shadowImages must name a shadow-image set: lower-case letters, digits, '.', '_' or '-', at most 64";
    }

    /**
     * Why {@code baseModel} cannot be the base of encoder {@code sha}, or null (also for no base): it must be the sha256 of
     * another encoder already in the bucket, whose scan the worker can run.
     */
    String baseProblem(String baseModel, String sha) {
        if (baseModel == null) {
            return null;
        }
        if (!ScanKey.isSha256(baseModel)) {
            return "baseModel must be the sha256 of a registered encoder (64 lower-case hex digits)";
        }
        if (baseModel.equals(sha)) {
            return "baseModel is this encoder itself; name the checkpoint it was fine-tuned from";
        }
        if (!store.exists(ObjectStore.modelKey(baseModel))) {
            return "baseModel " + baseModel + " is not registered: upload the upstream checkpoint first";
        }
        return null;
    }

    /** Publishes a rescan request for an encoder already in the bucket; null when there is none. */
    public Outcome rescan(String sha, String shadowImages, String baseModel, String registeredBy) {
        String key = ObjectStore.modelKey(sha);
        var stat = store.stat(key);
        if (stat.isEmpty()) {
            return null;
        }
        if (shadowProblem(shadowImages) != null) {
            return Outcome.rejected("shadowImages", shadowProblem(shadowImages));
        }
        if (baseProblem(baseModel, sha) != null) {
            return Outcome.rejected("baseModel", baseProblem(baseModel, sha));
        }
        Map<String, Object> spec = null;
        if (store.exists(ObjectStore.specKey(sha))) {
            try {
                spec = JSON.readValue(store.getText(ObjectStore.specKey(sha)), new TypeReference<Map<String, Object>>() { });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        String name = stat.get().userMetadata().getOrDefault("name", sha + ".pt");
        EncoderRegistered event = new EncoderRegistered(sha, store.bucket(), key, stat.get().size(), name, spec,
                shadowImages == null || shadowImages.isBlank() ? defaultShadowImages : shadowImages, registeredBy, true, baseModel);
        publish(event);
        LOG.infof("rescan of %s requested by %s", sha, registeredBy);
        return new Outcome(sha, "rescan-requested", key, null);
    }
}
