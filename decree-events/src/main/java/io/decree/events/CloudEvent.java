package io.decree.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A decree event in CloudEvents 1.0 structured JSON: the attributes beside the typed {@code data}.
 * This is the one JSON form of every event on every topic.
 *
 * @param traceparent the W3C trace context of the span that raised the event (the CloudEvents Distributed Tracing
 *                    extension): an upload's trace follows it through scan, verdict and alert; null when untraced
 */
@JsonPropertyOrder({"specversion", "id", "source", "type", "subject", "time", "datacontenttype", "traceparent", "data"})
public record CloudEvent<T extends EventData>(String specversion, String id, String source, String type,
        String subject, Instant time, String datacontenttype, @JsonInclude(JsonInclude.Include.NON_NULL) String traceparent,
        T data) {

    public static final String SPEC_VERSION = "1.0";
    /** version 00, a 16-byte trace id, an 8-byte parent id, flags; neither id all zeros (W3C Trace Context). */
    private static final Pattern TRACEPARENT = Pattern.compile("00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}");

    /** A new event about {@code data.sha256()} from {@code source} (e.g. {@code /decree/detector-worker}). */
    public static <T extends EventData> CloudEvent<T> of(String source, T data) {
        return new CloudEvent<>(SPEC_VERSION, UUID.randomUUID().toString(), source, Events.typeOf(data),
                data.sha256(), Instant.now(), "application/json", null, data);
    }

    /** This event in the trace {@code traceparent} names (ignored, the event untraced, if it is not a valid one). */
    public CloudEvent<T> withTraceparent(String traceparent) {
        return new CloudEvent<>(specversion, id, source, type, subject, time, datacontenttype, validTraceparent(traceparent), data);
    }

    /** The trace id of {@link #traceparent}, or null. */
    public String traceId() {
        return traceparent == null ? null : traceparent.substring(3, 35);
    }

    static String validTraceparent(String value) {
        return value != null && TRACEPARENT.matcher(value).matches() ? value : null;
    }
}
