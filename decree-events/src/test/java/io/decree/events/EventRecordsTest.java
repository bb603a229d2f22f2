package io.decree.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.util.List;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

class EventRecordsTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN = "00f067aa0ba902b7";
    private static final BackdoorAlert ALERT = new BackdoorAlert("a".repeat(64), "m.pt", "id1", 0.01, 0.015, "0.1.0",
            "encoders", List.of("scans/id1/trigger.png"));

    @Test
    void aRecordIsKeyedByItsSha256AndCarriesItsTraceInTheEventAndTheHeaders() throws Exception {
        Context trace = Context.root().with(Span.wrap(SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(),
                TraceState.getDefault())));
        Message<String> record = EventRecords.of(CloudEvent.of("/decree/test", ALERT), trace);

        assertEquals(ALERT.sha256(), record.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow().getKey());
        CloudEvent<BackdoorAlert> sent = Events.parse(record.getPayload(), BackdoorAlert.class);
        assertEquals("00-" + TRACE + "-" + SPAN + "-01", sent.traceparent());
        assertEquals(ALERT, sent.data());
        assertEquals(TRACE, Span.fromContext(record.getMetadata(TracingMetadata.class).orElseThrow().getCurrentContext())
                .getSpanContext().getTraceId());
    }

    @Test
    void anEventRaisedOutsideATraceGoesUntraced() throws Exception {
        Message<String> record = EventRecords.of(CloudEvent.of("/decree/test", ALERT), Context.root());

        assertNull(Events.parse(record.getPayload(), BackdoorAlert.class).traceparent());
        assertEquals(ALERT.sha256(), record.getMetadata(OutgoingKafkaRecordMetadata.class).orElseThrow().getKey());
    }
}
