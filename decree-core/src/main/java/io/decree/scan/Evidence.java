package io.decree.scan;

import io.decree.BadInputException;
import io.decree.images.ShadowImages;
import io.decree.trigger.InversionResult;
import io.decree.trigger.Pl1Norm;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The pictures a person looks at to judge a verdict: the recovered mask, pattern, trigger (m*p),
 * and a grid of shadow images with the trigger stamped on.
 */
public final class Evidence {
    public static final List<String> FILES = io.decree.contract.EvidenceFiles.IMAGES;
    private static final int GRID_IMAGES = 16;

    private Evidence() {
    }

    /** Writes the four PNGs into {@code dir}; nothing when no trigger reached the target. */
    public static void write(InversionResult r, ShadowImages images, Path dir) {
        if (!r.targetReached()) {
            return;
        }
        int h = r.height();
        int w = r.width();
        int plane = h * w;
        float[] m = r.mask();
        float[] p = r.pattern();
        float[] trigger = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                trigger[c * plane + i] = m[i] * p[c * plane + i];
            }
        }
        float[] maskRgb = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(m, 0, maskRgb, c * plane, plane);
        }
        save(toImage(maskRgb, h, w), dir.resolve("mask.png"));
        save(toImage(p, h, w), dir.resolve("pattern.png"));
        save(toImage(trigger, h, w), dir.resolve("trigger.png"));

        int count = Math.min(GRID_IMAGES, images.originals());
        int cols = (int) Math.ceil(Math.sqrt(count));
        int rows = (int) Math.ceil(count / (double) cols);
        BufferedImage grid = new BufferedImage(cols * w, rows * h, BufferedImage.TYPE_INT_RGB);
        for (int k = 0; k < count; k++) {
            float[] x = images.pixels(k);
            float[] stamped = new float[3 * plane];
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < plane; i++) {
                    int j = c * plane + i;
                    stamped[j] = (1 - m[i]) * x[j] + m[i] * p[j];
                }
            }
            grid.getGraphics().drawImage(toImage(stamped, h, w), (k % cols) * w, (k / cols) * h, null);
        }
        save(grid, dir.resolve("stamped.png"));
    }

    /**
     * A trigger as a scan's evidence folder holds it: mask.png (grey, the mask on every channel) and
     * pattern.png, read back to [0,1] at their 8-bit precision (within 1/510 of the search's values).
     */
    public record Trigger(int height, int width, float[] mask, float[] pattern) {
        public double pl1() {
            return Pl1Norm.of(mask, height, width);
        }
    }

    /** Reads the trigger a scan wrote into {@code dir}; a clear error when the folder holds none. */
    public static Trigger readTrigger(Path dir) {
        Path maskFile = dir.resolve("mask.png");
        Path patternFile = dir.resolve("pattern.png");
        if (!Files.isRegularFile(maskFile) || !Files.isRegularFile(patternFile)) {
            throw new BadInputException(dir + " holds no mask.png and pattern.png: not a scan's evidence folder, or the scan"
                    + " found no trigger that reached the similarity target");
        }
        BufferedImage mask = readPng(maskFile);
        BufferedImage pattern = readPng(patternFile);
        int h = mask.getHeight();
        int w = mask.getWidth();
        if (pattern.getHeight() != h || pattern.getWidth() != w) {
            throw new BadInputException(dir + ": mask.png is " + w + "x" + h + " but pattern.png is "
                    + pattern.getWidth() + "x" + pattern.getHeight());
        }
        float[] maskChw = ShadowImages.toChw(mask);
        return new Trigger(h, w, Arrays.copyOf(maskChw, h * w), ShadowImages.toChw(pattern));
    }

    private static BufferedImage readPng(Path file) {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new BadInputException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (img == null) {
            throw new BadInputException(file + " is not a PNG image");
        }
        return img;
    }

    /** A [3,h,w] image in [0,1] as an RGB image (values clamped). */
    public static BufferedImage toImage(float[] chw, int h, int w) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                img.setRGB(x, y, (byte255(chw[i]) << 16) | (byte255(chw[plane + i]) << 8) | byte255(chw[2 * plane + i]));
            }
        }
        return img;
    }

    private static int byte255(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255f)));
    }

    private static void save(BufferedImage img, Path file) {
        try {
            ImageIO.write(img, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
