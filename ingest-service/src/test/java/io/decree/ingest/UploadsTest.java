package io.decree.ingest;

import static io.decree.ingest.UploadRequests.torchScript;
import static io.decree.ingest.UploadRequests.upload;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.events.EncoderRegistered;
import io.decree.events.Events;
import io.decree.events.ScanKey;
import io.decree.store.ObjectStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.memory.InMemoryConnector;
import io.smallrye.reactive.messaging.memory.InMemorySink;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ingest-service's own rules, in-process: what is registered, published and stored for each upload, and what is refused
 * with which status and reason. Kafka is SmallRye's in-memory connector, the bucket a real S3 server (S3Proxy).
 */
@QuarkusTest
@WithTestResource(StoreAndChannels.class)
class UploadsTest {

    @Inject
    @Any
    InMemoryConnector connector;

    @Inject
    ObjectStore store;

    private InMemorySink<String> registered;

    @BeforeEach
    void emptySink() {
        registered = connector.sink("encoder-registered");
        registered.clear();
    }

    private List<EncoderRegistered> published() {
        return registered.received().stream().map(m -> Events.parse(m.getPayload(), EncoderRegistered.class).data()).toList();
    }

    @Test
    void anUploadIsStoredUnderItsHashAndPublishedOnceAndTheSameBytesAreNotPublishedAgain() throws IOException {
        byte[] model = torchScript("once");
        String sha = upload(StoreAndChannels.UPLOADER_KEY, model).then().statusCode(202).body("status", equalTo("registered"))
                .extract().path("sha256");
        assertTrue(store.exists(ObjectStore.modelKey(sha)), "the model is in the bucket under its hash");
        List<EncoderRegistered> events = published();
        assertEquals(1, events.size(), events.toString());
        assertEquals(sha, events.get(0).sha256());
        assertEquals("photos", events.get(0).shadowImages(), "the default shadow set");
        assertEquals("upload:up", events.get(0).registeredBy(), "the key's name");

        upload(StoreAndChannels.UPLOADER_KEY, model).then().statusCode(200).body("status", equalTo("already-registered"));
        assertEquals(1, published().size(), "the same bytes are not scanned twice");
    }

    @Test
    void aBaseModelMustBeAnotherRegisteredEncoderAndTravelsInTheEvent() throws IOException {
        String base = upload(StoreAndChannels.UPLOADER_KEY, torchScript("base")).then().statusCode(202).extract().path("sha256");
        byte[] child = torchScript("child");
        upload(StoreAndChannels.UPLOADER_KEY, child, "baseModel", "f".repeat(64)).then().statusCode(422)
                .body("reason", containsString("is not registered"));
        upload(StoreAndChannels.UPLOADER_KEY, child, "baseModel", "../etc/passwd").then().statusCode(422)
                .body("reason", containsString("64 lower-case hex digits"));
        assertEquals(1, published().size(), "refusals publish nothing: " + published());
        String sha = upload(StoreAndChannels.UPLOADER_KEY, child, "baseModel", base).then().statusCode(202).extract().path("sha256");
        EncoderRegistered e = published().get(1);
        assertEquals(sha, e.sha256());
        assertEquals(base, e.baseModel());
        upload(StoreAndChannels.UPLOADER_KEY, child, "baseModel", sha).then().statusCode(422)
                .body("reason", containsString("this encoder itself"));
    }

    @Test
    void aTruncatedMultipartBodyIsA400WithItsReasonAndNothingIsPublished() {
        String boundary = "decree-truncated";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.pt\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\nPK\u0003\u0004 only the first bytes of a model";
        given().header("X-API-Key", StoreAndChannels.UPLOADER_KEY)
                .contentType("multipart/form-data; boundary=" + boundary).body(body.getBytes(StandardCharsets.ISO_8859_1))
                .when().post("/api/encoders")
                .then().statusCode(400).body("reason", containsString("multipart"));
        assertEquals(0, published().size());
    }

    @Test
    void aFileNameWithCarriageReturnOrLineFeedIsNeverAServerErrorNorKept() throws IOException {
        // Raw CR/LF inside the quoted filename: the multipart parser ends the header line there, so the name it hands
        // over is cut (or the part refused); either way no control character reaches a name, a log line or an event.
        StringBuilder seen = new StringBuilder();
        for (String name : List.of("evil\r\nX-Injected: 1.pt", "evil\n.pt", "evil\r.pt")) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            String boundary = "decree-crlf";
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            body.write(torchScript("crlf " + name));
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
            var answer = given().header("X-API-Key", StoreAndChannels.UPLOADER_KEY)
                    .contentType("multipart/form-data; boundary=" + boundary).body(body.toByteArray())
                    .when().post("/api/encoders").then().extract();
            seen.append(name.replace("\r", "\\r").replace("\n", "\\n")).append(" -> ").append(answer.statusCode())
                    .append(' ').append(answer.body().asString()).append('\n');
            assertTrue(answer.statusCode() == 400 || answer.statusCode() == 202, seen.toString());
        }
        for (EncoderRegistered e : published()) {
            assertTrue(e.name().chars().noneMatch(Character::isISOControl) && !e.name().contains("Injected"), seen + e.name());
        }
    }

    @Test
    void rescanIsAnAdminRightOnUploadAsOnItsEndpoint() throws IOException {
        byte[] model = torchScript("rescan");
        String sha = upload(StoreAndChannels.UPLOADER_KEY, model).then().statusCode(202).extract().path("sha256");
        upload(StoreAndChannels.UPLOADER_KEY, model, "rescan", "true").then().statusCode(403).body("reason", containsString("admin right"));
        given().header("X-API-Key", StoreAndChannels.UPLOADER_KEY).when().post("/api/encoders/" + sha + "/rescan").then().statusCode(403);
        given().header("X-API-Key", StoreAndChannels.ADMIN_KEY).when().post("/api/encoders/" + sha + "/rescan").then().statusCode(202)
                .body("status", equalTo("rescan-requested"));
        List<EncoderRegistered> events = published();
        assertEquals(2, events.size(), events.toString());
        assertTrue(events.get(1).rescan());
        assertEquals("admin:ops", events.get(1).registeredBy());
    }
}
