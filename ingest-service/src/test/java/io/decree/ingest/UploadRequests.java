package io.decree.ingest;

import static io.restassured.RestAssured.given;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Uploads as a client sends them, for the {@code @QuarkusTest}s of ingest-service. */
final class UploadRequests {
    private UploadRequests() {
    }

    /** A file with TorchScript's archive layout (what ingest checks; it never loads the model). */
    static byte[] torchScript(String salt) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (String e : List.of("m/data.pkl", "m/version", "m/code/__torch__/m.py")) {
                z.putNextEntry(new ZipEntry(e));
                z.write((e + " " + salt).getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** POST /api/encoders with the model as {@code model.pt} and the form fields given as name, value pairs. */
    static io.restassured.response.Response upload(String key, byte[] model, String... fields) {
        return upload(key, "model.pt", model, fields);
    }

    static io.restassured.response.Response upload(String key, String fileName, byte[] model, String... fields) {
        var req = given().header("X-API-Key", key).multiPart("file", fileName, model, "application/octet-stream");
        for (int i = 0; i < fields.length; i += 2) {
            req = req.multiPart(fields[i], fields[i + 1]);
        }
        return req.when().post("/api/encoders");
    }
}
