package io.decree.data;

import io.decree.BadInputException;
import io.decree.scan.Evidence;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * A folder of PNG images as the scanner and the attack lab read them, with the labels (if any)
 * in {@code labels.csv} ({@code file,label} per line) beside them.
 */
public final class ImageFolder {
    public static final String LABELS = "labels.csv";

    private ImageFolder() {
    }

    /** Writes {@code count} images of {@code data}, drawn with {@code seed}, as {@code 00000.png...} plus labels.csv. */
    public static Path export(Dataset data, int count, long seed, Path dir) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        if (count > order.size()) {
            throw new BadInputException(data.name() + " has only " + order.size() + " images, " + count + " asked");
        }
        try {
            Files.createDirectories(dir);
            StringBuilder labels = new StringBuilder();
            for (int k = 0; k < count; k++) {
                int i = order.get(k);
                String file = String.format("%05d.png", k);
                ImageIO.write(Evidence.toImage(data.chw(i), Dataset.SIZE, Dataset.SIZE), "png", dir.resolve(file).toFile());
                labels.append(file).append(',').append(data.className(i)).append('\n');
            }
            Files.writeString(dir.resolve(LABELS), labels);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The labels of {@code dir} by file name, or an empty map when it has no labels.csv. */
    public static Map<String, String> labels(Path dir) {
        Path f = dir.resolve(LABELS);
        Map<String, String> out = new HashMap<>();
        if (!Files.isRegularFile(f)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(f)) {
                int comma = line.indexOf(',');
                if (comma > 0) {
                    out.put(line.substring(0, comma).strip(), line.substring(comma + 1).strip());
                }
            }
            return out;
        } catch (IOException e) {
            throw new BadInputException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }
}
