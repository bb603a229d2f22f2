package io.decree.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A client of ingest-service's {@code POST /api/encoders} and report-service's {@code GET /api/encoders/{sha256}}.
 * The JDK's HTTP client has no multipart encoder, so the form body is written here (a few lines).
 */
public final class IngestClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI ingest;
    private final URI report;
    private final String apiKey;

    public IngestClient(URI ingest, URI report) {
        this(ingest, report, null);
    }

    /** With {@code apiKey} sent as {@code X-API-Key} on every request (null: none). */
    public IngestClient(URI ingest, URI report, String apiKey) {
        this.ingest = ingest;
        this.report = report;
        this.apiKey = apiKey;
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        return apiKey == null ? b : b.header("X-API-Key", apiKey);
    }

    /** The HTTP status and JSON body of an upload. */
    public record Answer(int status, String body) {
    }

    /** Uploads {@code model} (and {@code MODEL.json} beside it, if any) for a scan with the named shadow-image set. */
    public Answer upload(Path model, String shadowImages, boolean rescan) throws IOException, InterruptedException {
        return upload(model, shadowImages, rescan, null);
    }

    /** The same, for a differential scan against {@code baseModel} (the sha256 of a registered encoder; null: none). */
    public Answer upload(Path model, String shadowImages, boolean rescan, String baseModel) throws IOException, InterruptedException {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("file", model);
        String stem = model.getFileName().toString().replaceFirst("\\.pt$", "");
        Path sidecar = model.resolveSibling(stem + ".json");
        if (Files.isRegularFile(sidecar)) {
            fields.put("spec", Files.readString(sidecar));
        }
        if (shadowImages != null) {
            fields.put("shadowImages", shadowImages);
        }
        fields.put("rescan", String.valueOf(rescan));
        if (baseModel != null) {
            fields.put("baseModel", baseModel);
        }
        return post(fields);
    }

    /** A file sent under another name than its own (a name the file system could not hold, say). */
    public record NamedFile(Path file, String name) {
    }

    /** Posts a multipart form: Path and NamedFile values are sent as files, everything else as text. */
    public Answer post(Map<String, Object> fields) throws IOException, InterruptedException {
        String boundary = "decree-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<String, Object> f : fields.entrySet()) {
            body.write(("--" + boundary + "\r\n").getBytes(StandardCharsets.UTF_8));
            NamedFile file = f.getValue() instanceof Path p ? new NamedFile(p, p.getFileName().toString())
                    : f.getValue() instanceof NamedFile n ? n : null;
            if (file != null) {
                body.write(("Content-Disposition: form-data; name=\"" + f.getKey() + "\"; filename=\"" + file.name()
                        + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                body.write(Files.readAllBytes(file.file()));
            } else {
                body.write(("Content-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n" + f.getValue())
                        .getBytes(StandardCharsets.UTF_8));
            }
            body.write("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest req = request(ingest.resolve("/api/encoders")).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
        return new Answer(res.statusCode(), res.body());
    }

    /** A GET on report-service, e.g. {@code /api/scans/<id>/sarif}. */
    public Answer report(String path) throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(request(report.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(res.statusCode(), res.body());
    }

    /** A POST without a body on ingest-service, e.g. {@code /api/encoders/<sha>/rescan}. */
    public Answer postIngest(String path) throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(request(ingest.resolve(path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(res.statusCode(), res.body());
    }

    /** The report-service view of an encoder, or null while it has none. */
    public String encoder(String sha256) throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(request(report.resolve("/api/encoders/" + sha256))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return res.statusCode() == 200 ? res.body() : null;
    }
}
