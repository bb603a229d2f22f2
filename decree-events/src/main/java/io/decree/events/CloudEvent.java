package io.decree.events;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import java.util.UUID;

/**
 * A decree event in CloudEvents 1.0 structured JSON: the attributes beside the typed {@code data}.
 * This is the one JSON form of every event on every topic.
 */
@JsonPropertyOrder({"specversion", "id", "source", "type", "subject", "time", "datacontenttype", "data"})
public record CloudEvent<T extends EventData>(String specversion, String id, String source, String type,
        String subject, Instant time, String datacontenttype, T data) {

    public static final String SPEC_VERSION = "1.0";

    /** A new event about {@code data.sha256()} from {@code source} (e.g. {@code /decree/detector-worker}). */
    public static <T extends EventData> CloudEvent<T> of(String source, T data) {
        return new CloudEvent<>(SPEC_VERSION, UUID.randomUUID().toString(), source, Events.typeOf(data),
                data.sha256(), Instant.now(), "application/json", data);
    }
}
