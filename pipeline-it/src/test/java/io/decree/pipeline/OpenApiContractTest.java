package io.decree.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The REST APIs' contract: the OpenAPI document each service generates from its code at build (target/openapi) is the
 * one committed in docs/api, so an API change is a reviewed change of that file, never a surprise to its clients.
 */
class OpenApiContractTest {

    @ParameterizedTest
    @ValueSource(strings = {"ingest-service", "report-service"})
    void theCommittedSpecIsTheOneTheCodeGenerates(String service) throws IOException {
        Path generated = Path.of("..", service, "target", "openapi", "openapi.yaml");
        Path committed = Path.of("..", "docs", "api", service + ".yaml");
        assertTrue(Files.isRegularFile(generated), generated + " is missing: build " + service + " (mvn package) first");
        assertTrue(Files.isRegularFile(committed), committed + " is missing: copy " + generated + " there");
        assertEquals(Files.readString(committed), Files.readString(generated),
                "the API of " + service + " changed: review the difference and copy " + generated + " to " + committed);
    }
}
