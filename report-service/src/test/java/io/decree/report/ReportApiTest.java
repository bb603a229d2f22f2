package io.decree.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The read API's refusals and misses, as its OpenAPI document (docs/api/report-service.yaml) promises them. */
@QuarkusTest
@WithTestResource(DatabaseAndChannels.class)
class ReportApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI base;

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve(path)).header("X-API-Key", "test-reader-key")
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode problem(HttpResponse<String> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse("").split(";")[0], r.body());
        JsonNode p = JSON.readTree(r.body());
        assertEquals(status, p.get("status").asInt(), r.body());
        return p;
    }

    @Test
    void aMissingEncoderOrScanIsAProblemThatNamesIt() throws Exception {
        String sha = "7".repeat(64);
        assertEquals("no encoder " + sha, problem(get("api/encoders/" + sha), 404).get("detail").asText());
        String scan = "0".repeat(32);
        assertEquals("no scan " + scan, problem(get("api/scans/" + scan + "/sarif"), 404).get("detail").asText());
        assertEquals("no scan " + scan, problem(get("api/scans/" + scan + "/evidence/report.json"), 404).get("detail").asText());
    }

    @Test
    void aBadRequestIsAProblemThatSaysWhy() throws Exception {
        assertEquals("sha256 must be 64 lower-case hex digits", problem(get("api/encoders/not-a-sha"), 400).get("detail").asText());
        assertTrue(problem(get("api/scans?size=0"), 400).get("detail").asText().startsWith("page >= 0 and 1 <= size <= "));
    }

    @Test
    void aMissingEncodersPageStaysAPageNotAnApiProblem() throws Exception {
        HttpResponse<String> r = get("encoders/" + "7".repeat(64));
        assertEquals(404, r.statusCode(), r.body());
        assertFalse(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), r.headers().map().toString());
    }
}
