package io.decree.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.Map;

/** Reads and writes events in their one JSON form. */
public final class Events {
    /** An event type of this contract: its record and the topic it goes on. */
    record Kind(Class<? extends EventData> data, String topic) {
    }

    private static final Map<String, Kind> TYPES = Map.of(
            EncoderRegistered.TYPE, new Kind(EncoderRegistered.class, Topics.ENCODER_REGISTERED),
            ScanCompleted.TYPE, new Kind(ScanCompleted.class, Topics.SCAN_RESULTS),
            ScanFailed.TYPE, new Kind(ScanFailed.class, Topics.SCAN_RESULTS),
            ScanProgress.TYPE, new Kind(ScanProgress.class, Topics.SCAN_PROGRESS),
            BackdoorAlert.TYPE, new Kind(BackdoorAlert.class, Topics.BACKDOOR_ALERTS),
            VerdictChanged.TYPE, new Kind(VerdictChanged.class, Topics.VERDICT_CHANGES),
            WorkerStarted.TYPE, new Kind(WorkerStarted.class, Topics.DETECTOR_WORKERS));

    // Unknown fields are tolerated so that a consumer keeps working when a producer adds one (same major type).
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Events() {
    }

    /** Every event type this contract knows, by its CloudEvents type (docs/api/events.schema.json is written from it). */
    static Map<String, Kind> types() {
        return TYPES;
    }

    static String typeOf(EventData data) {
        for (Map.Entry<String, Kind> t : TYPES.entrySet()) {
            if (t.getValue().data().isInstance(data)) {
                return t.getKey();
            }
        }
        throw new IllegalArgumentException("not a decree event: " + data.getClass());
    }

    public static String toJson(CloudEvent<?> event) {
        try {
            return JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write event " + event.id(), e);
        }
    }

    /** Parses a record; throws {@link EventFormatException} with a reason a person can act on. */
    public static CloudEvent<EventData> parse(String json) {
        if (json == null || json.isBlank()) {
            throw new EventFormatException("empty record");
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new EventFormatException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new EventFormatException("not a JSON object");
        }
        String spec = text(root, "specversion");
        if (!CloudEvent.SPEC_VERSION.equals(spec)) {
            throw new EventFormatException("unsupported CloudEvents specversion " + spec);
        }
        String type = text(root, "type");
        Kind kind = TYPES.get(type);
        if (kind == null) {
            throw new EventFormatException("unknown event type " + type + " (known: " + TYPES.keySet() + ")");
        }
        JsonNode dataNode = root.get("data");
        if (dataNode == null || !dataNode.isObject()) {
            throw new EventFormatException(type + " without a data object");
        }
        EventData data;
        try {
            data = JSON.treeToValue(dataNode, kind.data());
        } catch (JsonProcessingException e) {
            throw new EventFormatException("bad " + type + " data: " + e.getOriginalMessage(), e);
        }
        if (!ScanKey.isSha256(data.sha256())) {
            throw new EventFormatException(type + " without a valid sha256: " + data.sha256());
        }
        Instant time;
        try {
            time = root.hasNonNull("time") ? Instant.parse(root.get("time").asText()) : null;
        } catch (RuntimeException e) {
            throw new EventFormatException("bad time " + root.get("time"), e);
        }
        // A malformed trace context costs the event its trace, never the event.
        return new CloudEvent<>(spec, text(root, "id"), text(root, "source"), type, text(root, "subject"), time,
                text(root, "datacontenttype"), CloudEvent.validTraceparent(text(root, "traceparent")), data);
    }

    /** Parses a record that must be of one kind. */
    public static <T extends EventData> CloudEvent<T> parse(String json, Class<T> kind) {
        CloudEvent<EventData> e = parse(json);
        if (!kind.isInstance(e.data())) {
            throw new EventFormatException("expected " + kind.getSimpleName() + ", got " + e.type());
        }
        @SuppressWarnings("unchecked")
        CloudEvent<T> typed = (CloudEvent<T>) (CloudEvent<?>) e;
        return typed;
    }

    private static String text(JsonNode root, String field) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }
}
