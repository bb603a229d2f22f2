package io.decree.events;

import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * An event as every service puts it on Kafka: the record's key is its data's {@code sha256} (the encoder's, or a
 * worker's id), so one encoder's events share a partition and keep their order; the value is the event's CloudEvents
 * JSON stamped with the trace it was raised in, and the same trace goes in the record's headers for the connector's
 * publish span. Only the services call this (they bring SmallRye Reactive Messaging and OpenTelemetry).
 */
public final class EventRecords {
    private EventRecords() {
    }

    /** The record of {@code event}, raised in {@code trace} (a context without a valid span: untraced). */
    public static Message<String> of(CloudEvent<?> event, Context trace) {
        return Message.of(Events.toJson(event.withTraceparent(Traces.traceparent(trace))))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(event.data().sha256()).build())
                .addMetadata(TracingMetadata.withCurrent(trace));
    }
}
