package io.decree.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.decree.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationTest {

    private static Evaluation.Row row(boolean trojaned, double pl1, double threshold) {
        return new Evaluation.Row("m", trojaned, pl1, true, pl1 < threshold ? "trojaned" : "clean", 10, 1000);
    }

    @Test
    void countsRatesAndRankSeparation() {
        double t = 0.015;
        Evaluation e = Evaluation.of(List.of(row(true, 0.010, t), row(true, 0.020, t), row(false, 0.030, t),
                row(false, 0.012, t)), t);
        assertEquals(0.5, e.accuracy());
        assertEquals(0.5, e.tpr());
        assertEquals(0.5, e.fpr());
        // Trojaned 0.010 beats both clean; 0.020 beats 0.030 only: 3 of 4 pairs.
        assertEquals(0.75, e.auroc());
        assertEquals(10.0, e.medianSeconds());
    }

    @Test
    void aPixelRuleIsJudgedAndWrittenInPixels() {
        // 158 px: a 32x32 encoder's threshold is 15.4 % of its image, a 150x150 one's 0.70 %.
        ZooEvaluator.Options px = new ZooEvaluator.Options(0.13, null, null, 1000, null, false, true, 158, null, 0);
        io.decree.encoder.InputSpec small = new io.decree.encoder.InputSpec(new int[] {32, 32}, null, null, null);
        io.decree.encoder.InputSpec large = new io.decree.encoder.InputSpec(new int[] {150, 150}, null, null, null);
        assertEquals(158 / 1024.0, px.thresholdFor(small), 1e-12);
        assertEquals(158 / 22500.0, px.thresholdFor(large), 1e-12);
        ZooEvaluator.Options huge = new ZooEvaluator.Options(0.13, null, null, 1000, null, false, true, 5000, null, 0);
        assertEquals(1.0, huge.thresholdFor(small), 0, "more pixels than a 32x32 input has: the whole image, not a failed scan");
        ZooEvaluator.Options share = new ZooEvaluator.Options(0.13, null, null, 1000, null, false, true, 0, null, 0);
        assertEquals(0.13, share.thresholdFor(large), 0, "off: the share of the image, whatever the size");

        Evaluation e = Evaluation.of(List.of(row(true, 101.0, 158), row(false, 247.0, 158), row(false, 150.0, 158)), 158,
                Evaluation.AREA_PX);
        assertEquals(2 / 3.0, e.accuracy(), 1e-12, "150 px is below 158 px: flagged");
        assertTrue(e.markdown().startsWith("| model | label | trigger area (px) |"), e.markdown());
        assertTrue(e.markdown().contains("at the fixed threshold 158.0 px"), e.markdown());
        assertTrue(Evaluation.of(List.of(row(true, 0.01, 0.015)), 0.015).markdown().contains("threshold 0.0150"), "PL1s as before");
    }

    @Test
    void tiesCountHalf() {
        Evaluation e = Evaluation.of(List.of(row(true, 0.02, 0.015), row(false, 0.02, 0.015)), 0.015);
        assertEquals(0.5, e.auroc());
    }

    @Test
    void aSearchThatNeverReachedTheTargetIsCleanAtAnyThreshold() {
        Evaluation e = Evaluation.of(List.of(new Evaluation.Row("t", true, 0.001, false, "clean", 1, 1000),
                new Evaluation.Row("c", false, 0.5, true, "clean", 1, 1000)), 0.015);
        assertEquals(0.0, e.tpr());
        assertEquals(0.0, e.auroc(), "a trojaned encoder whose search failed ranks as the cleanest");
    }

    @Test
    void fittedThresholdSitsInTheWidestGapThatSeparatesBest() {
        List<Evaluation.Row> rows = List.of(row(true, 0.005, 1), row(true, 0.010, 1), row(false, 0.040, 1), row(false, 0.100, 1));
        double t = Evaluation.fitThreshold(rows);
        assertEquals(Math.sqrt(0.010 * 0.040), t, 1e-12);
        // A clean encoder between two trojaned ones: 0.0063 and 0.0316 both leave one error; the wider gap wins.
        double t2 = Evaluation.fitThreshold(List.of(row(true, 0.005, 1), row(false, 0.008, 1), row(true, 0.010, 1),
                row(false, 0.100, 1)));
        assertEquals(Math.sqrt(0.010 * 0.100), t2, 1e-12);
    }

    @Test
    void heldOutFoldsFitOnOneHalfAndReportOnTheOther() {
        List<Evaluation.Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            rows.add(new Evaluation.Row("t" + i, true, 0.005 + 0.001 * i, true, "trojaned", 1, 1000));
            rows.add(new Evaluation.Row("c" + i, false, 0.05 + 0.01 * i, true, "clean", 1, 1000));
        }
        Evaluation e = Evaluation.of(rows, 0.015);
        assertEquals(2, e.heldOut().size());
        for (Evaluation.Fold f : e.heldOut()) {
            assertEquals(6, f.fitOn().size());
            assertTrue(f.fitOn().stream().noneMatch(f.reportOn()::contains), "the halves are disjoint");
            assertEquals(3, f.fitOn().stream().filter(m -> m.startsWith("t")).count(), "each half has half of each label");
            assertEquals(1.0, f.accuracy());
        }
        assertTrue(e.markdown().contains("Threshold fitted on half A (6 encoders"), e.markdown());
    }

    @Test
    void crossValidationJudgesEveryEncoderOnceAtTheThresholdOfTheOtherHalf() {
        List<Evaluation.Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rows.add(new Evaluation.Row("t" + i, true, 0.005 + 0.001 * i, true, "trojaned", 1, 1000));
            rows.add(new Evaluation.Row("c" + i, false, 0.05 + 0.01 * i, true, "clean", 1, 1000));
        }
        // One trojan far above every clean encoder: whichever half holds it, the other half's
        // threshold (fitted below the clean ones) misses it, and its own half's fit is no help to it.
        rows.add(new Evaluation.Row("t9", true, 0.5, true, "clean", 1, 1000));
        rows.add(new Evaluation.Row("c9", false, 0.2, true, "clean", 1, 1000));
        Evaluation e = Evaluation.of(rows, 0.015);
        Evaluation.Pooled cv = e.crossValidated();
        assertEquals(rows.size(), cv.encoders(), "each encoder judged once");
        assertEquals(rows.size() - 1, cv.correct(), e.markdown());
        assertEquals(4.0 / 5, cv.tpr(), 1e-12);
        assertEquals(0.0, cv.fpr());
        double byFolds = e.heldOut().stream().mapToDouble(f -> f.accuracy() * f.reportOn().size()).sum() / rows.size();
        assertEquals(byFolds, cv.accuracy(), 1e-12, "the pooled accuracy is the folds' accuracies weighted by size");
        assertTrue(e.markdown().contains("two-fold cross-validation): 9 of 10 right"), e.markdown());
    }

    @Test
    void noHeldOutFiguresWhenAHalfWouldLackALabel() {
        // One trojaned encoder: only one half can hold it, so no fold can be fitted and judged.
        Evaluation e = Evaluation.of(List.of(row(true, 0.005, 1), row(false, 0.05, 1), row(false, 0.06, 1),
                row(false, 0.07, 1)), 0.015);
        assertTrue(e.heldOut().isEmpty(), e.heldOut().toString());
        assertEquals(null, e.crossValidated(), "nor a cross-validated figure");
    }

    @Test
    void writesAPlotAPersonCanRead(@TempDir Path tmp) throws IOException {
        Evaluation e = Evaluation.of(List.of(row(true, 0.01, 0.015), row(false, 0.05, 0.015)), 0.015);
        Pl1Plot.write(e, tmp.resolve("pl1.png"));
        assertTrue(Files.size(tmp.resolve("pl1.png")) > 1000);
    }

    @Test
    void badManifestsAreClearErrors(@TempDir Path tmp) throws IOException {
        assertThrows(BadInputException.class, () -> Zoo.read(tmp));
        Files.writeString(tmp.resolve("zoo.json"), "{\"encoders\":[{\"model\":\"a.pt\",\"label\":\"maybe\",\"images\":\"x\"}]}");
        BadInputException e = assertThrows(BadInputException.class, () -> Zoo.read(tmp));
        assertTrue(e.getMessage().contains("maybe"), e.getMessage());
        Files.writeString(tmp.resolve("zoo.json"), "{\"encoders\":[{\"label\":\"clean\",\"images\":\"x\"}]}");
        e = assertThrows(BadInputException.class, () -> Zoo.read(tmp));
        assertTrue(e.getMessage().contains("\"model\""), e.getMessage());
    }

    @Test
    void aRunWithOneLabelWritesNullRatesNotTheStringNaN() throws IOException {
        // e.g. `decree eval --only simclr-r16-mnist`: no trojaned encoder, so TPR and AUROC are undefined.
        Evaluation e = Evaluation.of(List.of(row(false, 0.03, 0.015), row(false, 0.05, 0.015)), 0.015);
        JsonNode json = new ObjectMapper().readTree(e.json());
        assertTrue(json.get("tpr").isNull(), json.toString());
        assertTrue(json.get("auroc").isNull(), json.toString());
        assertEquals(1.0, json.get("accuracy").asDouble());
        assertEquals(0.0, json.get("fpr").asDouble());
        assertTrue(json.get("fpr").isNumber());
        assertTrue(e.markdown().contains("accuracy 1.000, TPR n/a, FPR 0.000, AUROC of PL1 n/a"), e.markdown());
    }

    @Test
    void eachEncodersImagePassesAreShownWithTheMedianAndTheMaximum() throws IOException {
        List<Evaluation.Row> rows = List.of(new Evaluation.Row("a", true, 0.01, true, "trojaned", 5, 3000),
                new Evaluation.Row("b", false, 0.05, true, "clean", 9, 47_680),
                new Evaluation.Row("c", false, 0.06, true, "clean", 7, 12_000));
        Evaluation e = Evaluation.of(rows, 0.015);
        assertEquals(12_000, e.medianImagePasses());
        assertEquals(47_680, e.maxImagePasses());
        assertTrue(e.markdown().contains("| b | clean | 0.0500 | clean | 9.0 | 47680 |"), e.markdown());
        assertTrue(e.markdown().contains("image-passes per encoder: median 12000, max 47680"), e.markdown());
        assertEquals(47_680, new ObjectMapper().readTree(e.json()).at("/rows/1/imagePasses").asLong());
    }
}
