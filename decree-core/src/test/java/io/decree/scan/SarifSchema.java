package io.decree.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;

/** The SARIF 2.1.0 JSON schema (draft-04), for tests: the problems of a document, empty when it validates. */
public final class SarifSchema {
    private static final JsonSchema SCHEMA = load();

    private SarifSchema() {
    }

    private static JsonSchema load() {
        try (InputStream in = SarifSchema.class.getResourceAsStream("/sarif/sarif-2.1.0-rtm.5.json")) {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Set<ValidationMessage> problems(JsonNode sarif) {
        return SCHEMA.validate(sarif);
    }
}
