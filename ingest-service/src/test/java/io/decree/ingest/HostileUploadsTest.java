package io.decree.ingest;

import static io.decree.ingest.UploadRequests.torchScript;
import static io.decree.ingest.UploadRequests.upload;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The hostile-input suite at the door: each upload an attacker or a broken client sends is refused with its status and
 * a reason naming the problem, nothing is stored in the bucket, nothing is published for a worker, and the service
 * stays healthy. (What only a scan can find — a model whose forward never returns, crashes, or gives NaN or 4-D
 * outputs — is the worker's part: PipelineIT, ScanCommandIT.) Prints the table of cases for the docs.
 */
@QuarkusTest
@WithTestResource(StoreAndChannels.class)
class HostileUploadsTest {

    @Inject
    @Any
    InMemoryConnector connector;

    @Inject
    ObjectStore store;

    /** A hostile upload, what it must get, and what its reason must say. */
    private record Case(String what, String fileName, byte[] file, String[] fields, int status, String reason, String field) {
        Case(String what, String fileName, byte[] file, String[] fields, int status, String reason) {
            this(what, fileName, file, fields, status, reason, fields.length > 0 ? fields[0] : "file");
        }
    }

    private static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] layout(String... extra) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (String e : List.of("m/data.pkl", "m/version", "m/code/__torch__/m.py")) {
            entries.put(e, e.getBytes(StandardCharsets.UTF_8));
        }
        for (String e : extra) {
            entries.put(e, "payload".getBytes(StandardCharsets.UTF_8));
        }
        return zip(entries);
    }

    /** A pickle whose loading would run {@code os.system}: the classic payload (never loaded here or anywhere in decree). */
    private static final byte[] PICKLE_PAYLOAD = "cos\nsystem\n(S'touch /tmp/decree-pwned'\ntR.".getBytes(StandardCharsets.ISO_8859_1);

    private static byte[] zipBomb() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (String e : List.of("m/data.pkl", "m/version", "m/code/__torch__.py")) {
                z.putNextEntry(new ZipEntry(e));
                z.write(1);
                z.closeEntry();
            }
            z.putNextEntry(new ZipEntry("m/data/0"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) {
                z.write(zeros); // 64 MB of zeros deflate to about 64 KB
            }
            z.closeEntry();
        }
        return bytes.toByteArray();
    }

    private static String[] fields(String... f) {
        return f;
    }

    @Test
    void everyHostileUploadIsRefusedWithItsReasonAndLeavesNothingBehind() throws IOException {
        InMemorySink<String> registered = connector.sink("encoder-registered");
        registered.clear();
        int objectsBefore = store.list("").size();
        List<Case> cases = List.of(
                new Case("empty file", "m.pt", new byte[0], fields(), 422, "not a TorchScript archive"),
                new Case("text", "m.pt", "these are not weights".getBytes(StandardCharsets.UTF_8), fields(), 422,
                        "not a TorchScript archive"),
                new Case("raw pickle with an os.system payload", "m.pkl", PICKLE_PAYLOAD, fields(), 422, "not a readable zip"),
                new Case("torch.save() zip whose data.pkl carries the payload", "m.pt",
                        zip(Map.of("archive/data.pkl", PICKLE_PAYLOAD, "archive/version", "3".getBytes(StandardCharsets.UTF_8))),
                        fields(), 422, "no code/ folder"),
                new Case("traversal entry", "m.pt", layout("m/../../etc/cron.d/evil"), fields(), 422, "unsafe path"),
                new Case("absolute entry", "m.pt", zip(Map.of("/etc/passwd", new byte[1])), fields(), 422, "unsafe path"),
                new Case("zip bomb (64 MB of zeros in 64 KB)", "m.pt", zipBomb(), fields(), 422, "beyond the"),
                new Case("over the upload limit", "m.pt", new byte[(int) StoreAndChannels.MAX_UPLOAD + 1], fields(), 413,
                        "over the limit"),
                new Case("5,000-character file name", "a".repeat(4997) + ".pt", torchScript("long"), fields(), 400, "over the limit of 255"),
                new Case("spec that is not JSON", "m.pt", torchScript("spec"), fields("spec", "{nope"), 422,
                        "input spec is not a JSON object"),
                new Case("shadow set that is a path", "m.pt", torchScript("shadow"), fields("shadowImages", "../../etc"), 422,
                        "shadowImages must name a shadow-image set"),
                new Case("shadow set of 5,000 characters", "m.pt", torchScript("shadow-long"), fields("shadowImages", "a".repeat(5000)),
                        422, "at most 64"),
                new Case("base that is a path", "m.pt", torchScript("base"), fields("baseModel", "../etc/passwd"), 422,
                        "64 lower-case hex digits"),
                new Case("base that is not registered", "m.pt", torchScript("base2"), fields("baseModel", "e".repeat(64)), 422,
                        "is not registered"),
                new Case("rescan forced by an uploader", "m.pt", torchScript("rescan"), fields("rescan", "true"), 403, "admin right"));
        List<String> table = new ArrayList<>();
        for (Case c : cases) {
            var answer = upload(StoreAndChannels.UPLOADER_KEY, c.fileName(), c.file(), c.fields()).then().extract();
            assertTrue(String.valueOf(answer.contentType()).startsWith("application/problem+json"),
                    c.what() + ": an RFC 9457 problem, got " + answer.statusCode() + " " + answer.contentType() + " " + answer.body().asString());
            String reason = answer.path("detail");
            assertEquals(c.status(), (int) answer.path("status"), c.what());
            assertEquals(c.field(), answer.path("field"), c.what() + ": the field at fault");
            assertEquals(reason, answer.path("reason"), "reason, as the first API version said it");
            table.add("| " + c.what() + " | " + answer.statusCode() + " | " + reason + " |");
            assertEquals(c.status(), answer.statusCode(), c.what() + ": " + answer.body().asString());
            assertTrue(reason != null && reason.contains(c.reason()), c.what() + ": " + reason);
            assertTrue(reason.length() < 600, c.what() + ": the reason is a sentence, not the input echoed: " + reason.length());
        }
        System.out.println("| hostile upload | status | reason |\n|---|---|---|\n" + String.join("\n", table));
        assertEquals(0, registered.received().size(), "nothing published for a worker: " + registered.received());
        assertEquals(objectsBefore, store.list("").size(), "nothing stored in the bucket");
        // The authentication layer's refusal is a problem too (a wrong key; no key at all).
        for (String key : new String[] {"not-a-configured-key", null}) {
            var req = given().multiPart("file", "m.pt", torchScript("anonymous"), "application/octet-stream");
            var refused = (key == null ? req : req.header("X-API-Key", key)).when().post("/api/encoders").then().extract();
            assertEquals(401, refused.statusCode(), refused.body().asString());
            assertTrue(String.valueOf(refused.contentType()).startsWith("application/problem+json"), refused.contentType());
            assertTrue(String.valueOf(refused.body().asString()).contains("X-API-Key"), key + ": " + refused.headers() + " / "
                    + refused.body().asString());
        }
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/health/ready").then().statusCode(200);
    }
}
