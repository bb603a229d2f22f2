package io.decree.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationTest {

    private static Evaluation.Row row(boolean trojaned, double pl1, double threshold) {
        return new Evaluation.Row("m", trojaned, pl1, pl1 < threshold ? "trojaned" : "clean", 10);
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
    void tiesCountHalf() {
        Evaluation e = Evaluation.of(List.of(row(true, 0.02, 0.015), row(false, 0.02, 0.015)), 0.015);
        assertEquals(0.5, e.auroc());
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
}
