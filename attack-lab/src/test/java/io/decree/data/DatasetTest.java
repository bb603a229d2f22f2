package io.decree.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.decree.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Debian's dataset-fashion-mnist (gzipped IDX), as the zoo reads it. */
class DatasetTest {

    static Path fashionMnist() {
        Path dir = Dataset.defaultDir("fashion-mnist");
        io.decree.SharedData.require(Files.isRegularFile(dir.resolve("t10k-images-idx3-ubyte.gz")),
                "Fashion-MNIST not installed at " + dir + " (apt-get install dataset-fashion-mnist)");
        return dir;
    }

    @Test
    void readsFashionMnistAsPaddedGreyRgb() {
        Dataset test = Dataset.load("fashion-mnist", fashionMnist(), Dataset.Split.TEST);
        assertEquals(10_000, test.size());
        int[] perClass = new int[10];
        for (int i = 0; i < test.size(); i++) {
            perClass[test.labels()[i]]++;
        }
        for (int c : perClass) {
            assertEquals(1000, c, "Fashion-MNIST's test split has 1000 images per class");
        }
        float[] x = test.chw(0);
        assertEquals(3 * 32 * 32, x.length);
        assertEquals(0f, x[0], "the 2-pixel border is padding");
        float max = 0;
        for (int i = 0; i < 32 * 32; i++) {
            assertEquals(x[i], x[32 * 32 + i], "grey: the three channels are equal");
            max = Math.max(max, x[i]);
        }
        assertTrue(max > 0.5f, "an image, not a blank");
    }

    @Test
    void exportWritesPngsAndTheirLabels(@TempDir Path tmp) throws IOException {
        Dataset test = Dataset.load("fashion-mnist", fashionMnist(), Dataset.Split.TEST);
        Path dir = ImageFolder.export(test, 20, 1, tmp.resolve("imgs"));
        Map<String, String> labels = ImageFolder.labels(dir);
        assertEquals(20, labels.size());
        assertTrue(Files.isRegularFile(dir.resolve("00019.png")));
        assertTrue(Dataset.FASHION_CLASSES.containsAll(labels.values()));
    }

    @Test
    void aFileThatIsNotIdxIsAClearError(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("t10k-images-idx3-ubyte"), "not an idx file at all");
        BadInputException e = assertThrows(BadInputException.class, () -> Dataset.load("mnist", tmp, Dataset.Split.TEST));
        assertTrue(e.getMessage().contains("not an IDX image file"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> Dataset.load("cifar", tmp, Dataset.Split.TEST));
        assertTrue(e.getMessage().contains("unknown dataset"), e.getMessage());
    }
}
