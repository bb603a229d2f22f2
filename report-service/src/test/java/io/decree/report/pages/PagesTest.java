package io.decree.report.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PagesTest {

    @Test
    void signInOnlyRedirectsToALocalPath() {
        assertEquals("/encoders/ab12", Pages.safeNext("/encoders/ab12"));
        assertEquals("/scans?verdict=trojaned", Pages.safeNext("/scans?verdict=trojaned"));
        for (String evil : new String[] {"//evil.example/x", "https://evil.example", "javascript:alert(1)", "/x\r\nSet-Cookie: a=b", null}) {
            assertEquals("/scans", Pages.safeNext(evil), String.valueOf(evil));
        }
    }

    @Test
    void distributionDrawsEveryEncoderAndEscapesItsName() {
        String svg = Charts.distribution(List.of(new Charts.Point("a".repeat(64), "<script>x</script>.pt", 0.01, "trojaned"),
                new Charts.Point("b".repeat(64), "clean.pt", 0.1, "clean")), 0.015);
        assertEquals(2, svg.split("<circle").length - 1);
        assertTrue(svg.contains("class=\"dot-trojaned\"") && svg.contains("class=\"dot-clean\""));
        assertFalse(svg.contains("<script>"), "names are escaped");
        assertTrue(svg.contains("threshold 0.0150"));
    }

    @Test
    void curveHasOnePointPerStep() {
        String svg = Pages.curveOf("{\"config\":{\"similarityTarget\":0.99},\"curve\":[{\"step\":1,\"similarity\":0.1,\"pl1\":0.5},"
                + "{\"step\":2,\"similarity\":0.5,\"pl1\":0.3},{\"step\":3,\"similarity\":0.99,\"pl1\":0.1}]}");
        String sim = svg.replaceAll("(?s).*<polyline class=\"sim\" points=\"([^\"]*)\".*", "$1").trim();
        assertEquals(3, sim.split(" ").length, sim);
        assertTrue(svg.contains("target 0.99"));
        assertEquals("", Pages.curveOf("not json"));
    }

    @Test
    void aDifferentialScanSaysWhichBaseItsThresholdCameFrom() {
        io.decree.report.ScanEntity s = new io.decree.report.ScanEntity();
        s.pl1Norm = 0.012;
        s.threshold = 0.08;
        assertEquals("PL1 0.0120 < threshold 0.0800", Pages.comparison(s));
        s.rule = "reference-ratio";
        s.score = 0.06;
        s.baseModel = "c".repeat(64);
        assertEquals("PL1 0.0120 < threshold 0.0800 (0.06x the accepted PL1 of base cccccccccccc)", Pages.comparison(s));
        s.rule = "base-contrast";
        s.threshold = 0.2;
        assertEquals("PL1 0.0120 < threshold 0.2000 (a trigger that leaves base cccccccccccc apart)", Pages.comparison(s));
        s.rule = "base-contrast-base-ratio";
        s.threshold = 0.09;
        s.score = 0.2;
        assertEquals("PL1 0.0120 < threshold 0.0900 (a trigger that leaves base cccccccccccc apart, 0.20x the base's own smallest)",
                Pages.comparison(s));
        s.rule = "pl1";
        s.threshold = 0.015;
        s.score = 0.012;
        assertEquals("PL1 0.0120 < threshold 0.0150 (judged alone: it embeds the images unlike base cccccccccccc)", Pages.comparison(s));
    }
}
