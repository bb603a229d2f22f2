package io.decree.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The events' contract for consumers that are not Java (security tooling reading backdoor-alerts, dashboards): a JSON
 * Schema of every event as it goes on the wire, written from the records themselves and committed as
 * docs/api/events.schema.json, so that a change of an event is a reviewed change of that file (as OpenApiContractTest
 * does for the HTTP APIs).
 */
class EventSchemaContractTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Path COMMITTED = Path.of("..", "docs", "api", "events.schema.json");

    static ObjectNode schema() {
        ObjectNode root = F.objectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.put("title", "decree events");
        root.put("description", "Every event on decree's Kafka topics: CloudEvents 1.0 structured JSON, the record keyed by"
                + " data.sha256. Fields are added, never changed in meaning (a consumer ignores fields it does not know);"
                + " a changed meaning is a new type (.v2). Written from decree-events by EventSchemaContractTest.");
        ArrayNode oneOf = root.putArray("oneOf");
        ObjectNode defs = root.putObject("$defs");
        for (Map.Entry<String, Events.Kind> t : new TreeMap<>(Events.types()).entrySet()) {
            String name = t.getValue().data().getSimpleName();
            oneOf.addObject().put("$ref", "#/$defs/" + name + "Event");
            ObjectNode event = defs.putObject(name + "Event");
            event.put("description", "on topic " + t.getValue().topic());
            event.put("type", "object");
            ArrayNode required = event.putArray("required");
            List.of("specversion", "id", "source", "type", "subject", "time", "datacontenttype", "data").forEach(required::add);
            ObjectNode p = event.putObject("properties");
            p.putObject("specversion").put("const", CloudEvent.SPEC_VERSION);
            p.putObject("id").put("type", "string");
            p.putObject("source").put("type", "string");
            p.putObject("type").put("const", t.getKey());
            p.putObject("subject").put("type", "string").put("description", "data.sha256");
            p.putObject("time").put("type", "string").put("format", "date-time");
            p.putObject("datacontenttype").put("const", "application/json");
            p.putObject("traceparent").put("type", "string").put("description", "W3C trace context; absent when untraced");
            p.putObject("data").put("$ref", "#/$defs/" + name);
            defs.set(name, data(t.getValue().data()));
        }
        return root;
    }

    private static ObjectNode data(Class<?> record) {
        ObjectNode s = F.objectNode().put("type", "object");
        ArrayNode required = s.putArray("required");
        ObjectNode p = s.putObject("properties");
        for (RecordComponent c : record.getRecordComponents()) {
            required.add(c.getName());
            // Every field is written, null included; only sha256 (checked on parse) and primitives are never null.
            p.set(c.getName(), type(c.getGenericType(), !c.getType().isPrimitive() && !c.getName().equals("sha256")));
        }
        return s;
    }

    private static ObjectNode type(Type t, boolean nullable) {
        ObjectNode s = F.objectNode();
        String json = t == String.class ? "string"
                : t == int.class || t == long.class || t == Integer.class || t == Long.class ? "integer"
                : t == double.class || t == Double.class ? "number"
                : t == boolean.class ? "boolean"
                : t instanceof ParameterizedType pt && pt.getRawType() == List.class ? "array"
                : t instanceof ParameterizedType pt && pt.getRawType() == Map.class ? "object"
                : null;
        if (json == null) {
            throw new IllegalStateException("no JSON type for " + t + ": add it here");
        }
        if (nullable) {
            s.putArray("type").add(json).add("null");
        } else {
            s.put("type", json);
        }
        if (json.equals("array")) {
            s.set("items", type(((ParameterizedType) t).getActualTypeArguments()[0], false));
        }
        return s;
    }

    @Test
    void theCommittedSchemaIsTheOneTheEventsDefine() throws IOException {
        String generated = Events.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(schema()) + "\n";
        Path written = Path.of("target", "events.schema.json");
        Files.writeString(written, generated);
        assertTrue(Files.isRegularFile(COMMITTED), COMMITTED + " is missing: copy " + written + " there");
        assertEquals(Files.readString(COMMITTED), generated,
                "an event changed: review the difference and copy " + written + " to " + COMMITTED);
    }

    @Test
    void everyEventOnTheWireHasExactlyTheFieldsTheSchemaRequires() throws IOException {
        ObjectNode defs = (ObjectNode) schema().get("$defs");
        List<String> seen = new ArrayList<>();
        for (EventData d : EventsTest.samples()) {
            JsonNode wire = Events.JSON.readTree(Events.toJson(CloudEvent.of("/decree/test", d)));
            String name = d.getClass().getSimpleName();
            List<String> fields = new ArrayList<>();
            wire.get("data").fieldNames().forEachRemaining(fields::add);
            List<String> required = new ArrayList<>();
            defs.get(name).get("required").forEach(n -> required.add(n.asText()));
            assertEquals(required.stream().sorted().toList(), fields.stream().sorted().toList(), name);
            defs.get(name + "Event").get("required").forEach(n -> assertTrue(wire.hasNonNull(n.asText()), name + " " + n));
            assertEquals(wire.get("type").asText(), defs.get(name + "Event").at("/properties/type/const").asText());
            seen.add(name);
        }
        assertEquals(Events.types().size(), seen.stream().distinct().count(), "a sample of every type: " + seen);
    }
}
