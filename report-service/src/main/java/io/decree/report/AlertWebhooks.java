package io.decree.report;

import io.decree.events.CloudEvent;
import io.decree.events.Events;
import io.decree.events.Traces;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Optional webhook delivery of alerts: every record of {@code backdoor-alerts} (a CloudEvent in structured JSON) is
 * POSTed to each configured URL as {@code application/cloudevents+json}, signed with HMAC-SHA256 of the body in
 * {@code X-Decree-Signature: sha256=<hex>} when a secret is set. Each URL is retried on its own with exponential
 * back-off (a healthy receiver is not posted twice because another is down); a URL still failing after the last
 * attempt fails the record, which goes to {@code backdoor-alerts.dlq} with the reason, so no alert is dropped
 * silently. Its own consumer group: the webhooks neither hold up nor are held up by the Kafka consumers of alerts.
 */
@ApplicationScoped
public class AlertWebhooks {
    private static final Logger LOG = Logger.getLogger(AlertWebhooks.class);

    private final List<URI> urls;
    private final Optional<String> secret;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration timeout;
    private final HttpClient http;

    AlertWebhooks(@ConfigProperty(name = "decree.webhook.urls") Optional<List<URI>> urls,
            @ConfigProperty(name = "decree.webhook.secret") Optional<String> secret,
            @ConfigProperty(name = "decree.webhook.max-attempts", defaultValue = "8") int maxAttempts,
            @ConfigProperty(name = "decree.webhook.initial-backoff", defaultValue = "1s") Duration initialBackoff,
            @ConfigProperty(name = "decree.webhook.max-backoff", defaultValue = "5m") Duration maxBackoff,
            @ConfigProperty(name = "decree.webhook.timeout", defaultValue = "10s") Duration timeout) {
        this.urls = urls.orElse(List.of());
        this.secret = secret.filter(s -> !s.isBlank());
        this.maxAttempts = Math.max(1, maxAttempts);
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        for (URI u : this.urls) {
            if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme())) {
                throw new IllegalArgumentException("decree.webhook.urls: " + u + " is not an http(s) URL");
            }
        }
    }

    @jakarta.inject.Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    @jakarta.inject.Inject
    Tracer tracer;

    @Incoming("alert-webhooks")
    public Uni<Void> deliver(String payload) {
        if (urls.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // Only decree's own alerts are forwarded: a record that is not one fails here and is dead-lettered.
        CloudEvent<?> alert = Events.parse(payload);
        String signature = secret.map(s -> "sha256=" + hmac(s, payload)).orElse(null);
        // The delivery ends the upload's trace; receivers that trace continue it from the traceparent header.
        Span span = tracer.spanBuilder("deliver alert").setParent(Traces.parentOf(alert)).setSpanKind(SpanKind.CLIENT)
                .setAttribute("decree.sha256", alert.data().sha256()).startSpan();
        String traceparent = Traces.traceparent(Context.root().with(span));
        return Uni.join().all(urls.stream().map(u -> post(u, payload, signature, traceparent)).toList()).andCollectFailures()
                .onTermination().invoke(span::end)
                .replaceWithVoid();
    }

    private Uni<Void> post(URI url, String body, String signature, String traceparent) {
        HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/cloudevents+json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (traceparent != null) {
            req.header("traceparent", traceparent);
        }
        if (signature != null) {
            req.header("X-Decree-Signature", signature);
        }
        HttpRequest request = req.build();
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.discarding()))
                .map(resp -> {
                    if (resp.statusCode() / 100 != 2) {
                        throw new WebhookException(url + " answered HTTP " + resp.statusCode());
                    }
                    return resp;
                })
                .onFailure().invoke(e -> LOG.warnf("alert webhook %s: %s (will retry)", url, e.getMessage()))
                .onFailure().invoke(e -> registry.counter("decree.webhook.attempts", "result", "failed").increment())
                .onFailure().retry().withBackOff(initialBackoff, maxBackoff).atMost(maxAttempts - 1L)
                .onFailure().transform(e -> new WebhookException("webhook " + url + " still failing after " + maxAttempts
                        + " attempts: " + rootMessage(e)))
                .onFailure().invoke(e -> registry.counter("decree.webhook.deliveries", "result", "gave-up").increment())
                .invoke(() -> LOG.infof("alert delivered to %s", url))
                .invoke(() -> registry.counter("decree.webhook.deliveries", "result", "delivered").increment())
                .replaceWithVoid();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    static String hmac(String secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    static final class WebhookException extends RuntimeException {
        WebhookException(String message) {
            super(message);
        }
    }
}
