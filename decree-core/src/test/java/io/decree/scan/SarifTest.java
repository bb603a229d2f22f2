package io.decree.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.decree.encoder.InputSpec;
import io.decree.trigger.Acceptance;
import java.util.List;
import org.junit.jupiter.api.Test;

class SarifTest {
    private static ScanReport report(Verdict verdict, double pl1) {
        EncoderFile enc = new EncoderFile("m.pt", "ab".repeat(32), 1234, new InputSpec(new int[] {32, 32}, null, null, null), 512);
        return new ScanReport(verdict, null, pl1, 0.015, 0.99, null, new Acceptance(pl1, pl1 * 1.2, 0.992, 3), true, 120, true, 9.5, 3840, 0,
                List.of(), List.of(), 100, enc,
                new ScanReport.Images("photos", 50, 50, 0), null, "cpu()", "contiguous", "0.1.0", List.of());
    }

    @Test
    void trojanedVerdictIsOneErrorResultOnTheModelAndValidates() {
        ObjectNode sarif = Sarif.of(report(Verdict.TROJANED, 0.01), "models/m.pt", List.of("scans/x/trigger.png"));
        assertTrue(SarifSchema.problems(sarif).isEmpty(), SarifSchema.problems(sarif).toString());
        JsonNode results = sarif.at("/runs/0/results");
        assertEquals(1, results.size());
        assertEquals(Sarif.RULE_ID, results.get(0).get("ruleId").asText());
        assertEquals("error", results.get(0).get("level").asText());
        assertEquals("models/m.pt", results.at("/0/locations/0/physicalLocation/artifactLocation/uri").asText());
        assertEquals("ab".repeat(32), sarif.at("/runs/0/artifacts/0/hashes/sha-256").asText());
    }

    @Test
    void cleanVerdictHasNoResultButKeepsTheFigures() {
        ObjectNode sarif = Sarif.of(report(Verdict.CLEAN, 0.1), "models/m.pt", List.of());
        assertTrue(SarifSchema.problems(sarif).isEmpty(), SarifSchema.problems(sarif).toString());
        assertEquals(0, sarif.at("/runs/0/results").size());
        assertEquals(0.1, sarif.at("/runs/0/properties/pl1Norm").asDouble());
    }

    @Test
    void theSchemaCatchesABrokenDocument() {
        ObjectNode sarif = Sarif.of(report(Verdict.TROJANED, 0.01), "models/m.pt", List.of());
        ((ObjectNode) sarif.at("/runs/0/results/0")).put("level", "catastrophic");
        sarif.put("version", "1.0");
        assertFalse(SarifSchema.problems(sarif).isEmpty());
    }
}
