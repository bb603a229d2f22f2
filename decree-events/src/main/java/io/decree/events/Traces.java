package io.decree.events;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The trace context an event carries ({@link CloudEvent#traceparent()}), as OpenTelemetry's: each service continues
 * the trace of the event it handles and stamps the events it raises, so that one upload is one trace from the HTTP
 * request to the alert's webhook. Only the services call this (they bring OpenTelemetry).
 */
public final class Traces {
    private static final TextMapGetter<Map<String, String>> MAP = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return List.copyOf(carrier.keySet());
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private Traces() {
    }

    /** The context to continue for an event: its traceparent as a remote parent, or the root (a new trace) without one. */
    public static Context parentOf(CloudEvent<?> event) {
        if (event.traceparent() == null) {
            return Context.root();
        }
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), Map.of("traceparent", event.traceparent()), MAP);
    }

    /** The W3C traceparent of the span in {@code context}, or null when it holds no valid span. */
    public static String traceparent(Context context) {
        if (!Span.fromContext(context).getSpanContext().isValid()) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>();
        W3CTraceContextPropagator.getInstance().inject(context, carrier, Map::put);
        return carrier.get("traceparent");
    }
}
