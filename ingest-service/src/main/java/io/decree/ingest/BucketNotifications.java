package io.decree.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.decree.store.ObjectStore;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * MinIO's bucket notifications, published by MinIO itself to Kafka (S3 event JSON, {@code Records[].s3}): every
 * {@code s3:ObjectCreated:*} event (Put, Post, Copy, CompleteMultipartUpload) under the watch prefix of our bucket
 * registers that object. A record that is not such JSON fails and goes to the dead-letter topic with the reason.
 */
@ApplicationScoped
public class BucketNotifications {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ObjectStore store;
    @Inject
    BucketObjects objects;

    @Incoming("bucket-notifications")
    @Blocking
    public void onNotification(String payload) throws IOException {
        JsonNode root = JSON.readTree(payload);
        JsonNode records = root == null ? null : root.get("Records");
        if (records == null || !records.isArray()) {
            throw new IllegalArgumentException("not an S3 bucket notification (no Records array)");
        }
        for (JsonNode r : records) {
            String event = r.path("eventName").asText();
            String bucket = r.path("s3").path("bucket").path("name").asText();
            // Keys in S3 events are URL-encoded (a space arrives as '+').
            String key = URLDecoder.decode(r.path("s3").path("object").path("key").asText(), StandardCharsets.UTF_8);
            String etag = r.path("s3").path("object").path("eTag").asText();
            if (event.startsWith("s3:ObjectCreated:") && bucket.equals(store.bucket()) && objects.watched(key)) {
                objects.registerOnce(key, etag, "bucket-notification");
            }
        }
    }
}
