package io.decree.images;

import io.decree.BadInputException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * The clean, unlabeled images a scan stamps triggers on ("shadow" images in the paper), as
 * float pixels in [0,1], channel-first, at the encoder's input size.
 *
 * <p>Each image is scaled so its shorter side fits, then centre-cropped. When the folder holds
 * fewer images than {@code minCount}, random crops and flips of them fill the set up, so a batch
 * never repeats one picture exactly.
 */
public final class ShadowImages {

    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg");

    private final int height;
    private final int width;
    private final List<float[]> pixels;
    private final List<String> names;
    private final int originals;

    private ShadowImages(int height, int width, List<float[]> pixels, List<String> names, int originals) {
        this.height = height;
        this.width = width;
        this.pixels = pixels;
        this.names = names;
        this.originals = originals;
    }

    /**
     * Loads every PNG/JPEG of {@code dir} (sorted by name, so a seed gives the same set), resized
     * to height x width; augments up to {@code minCount}; uses at most {@code maxCount} originals.
     */
    public static ShadowImages load(Path dir, int height, int width, int minCount, int maxCount, long seed) {
        if (!Files.isDirectory(dir)) {
            throw new BadInputException("image folder not found: " + dir);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).filter(ShadowImages::isImageName).sorted().toList();
        } catch (IOException e) {
            throw new BadInputException("cannot list image folder " + dir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new BadInputException("image folder " + dir + " holds no PNG or JPEG image");
        }
        List<float[]> pixels = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<BufferedImage> decoded = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        for (Path f : files) {
            if (decoded.size() >= maxCount) {
                break;
            }
            BufferedImage img = read(f);
            if (img == null) {
                unreadable.add(f.getFileName().toString());
                continue;
            }
            decoded.add(img);
            names.add(f.getFileName().toString());
            pixels.add(toChw(centreCrop(img, height, width, 1.0, 0.5, 0.5, false)));
        }
        if (decoded.isEmpty()) {
            throw new BadInputException("no image in " + dir + " could be decoded (" + unreadable.size()
                    + " unreadable, e.g. " + unreadable.get(0) + ")");
        }
        int originals = decoded.size();
        Random rnd = new Random(seed);
        for (int i = 0; pixels.size() < minCount; i++) {
            BufferedImage src = decoded.get(i % originals);
            // Crops covering 70-100% of the side with a random flip: new views, same content statistics.
            double zoom = 0.7 + 0.3 * rnd.nextDouble();
            pixels.add(toChw(centreCrop(src, height, width, zoom, rnd.nextDouble(), rnd.nextDouble(), rnd.nextBoolean())));
            names.add(names.get(i % originals) + "#aug" + i);
        }
        return new ShadowImages(height, width, pixels, names, originals);
    }

    private static boolean isImageName(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(n::endsWith);
    }

    private static BufferedImage read(Path f) {
        try {
            return ImageIO.read(f.toFile());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Scales {@code img} so that a crop of {@code zoom} times its shorter side becomes the target,
     * the crop placed at relative position (fx, fy) of the free room.
     */
    static BufferedImage centreCrop(BufferedImage img, int height, int width, double zoom, double fx, double fy, boolean flip) {
        double targetAspect = (double) width / height;
        int srcW = img.getWidth();
        int srcH = img.getHeight();
        double cropH = Math.min(srcH, srcW / targetAspect) * zoom;
        double cropW = cropH * targetAspect;
        double x0 = (srcW - cropW) * fx;
        double y0 = (srcH - cropH) * fy;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        int sx1 = (int) Math.round(x0);
        int sx2 = (int) Math.round(x0 + cropW);
        if (flip) {
            int t = sx1;
            sx1 = sx2;
            sx2 = t;
        }
        g.drawImage(img, 0, 0, width, height, sx1, (int) Math.round(y0), sx2, (int) Math.round(y0 + cropH), null);
        g.dispose();
        return out;
    }

    /** An RGB image as [3,h,w] floats in [0,1]. */
    public static float[] toChw(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        float[] chw = new float[3 * h * w];
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                int i = y * w + x;
                chw[i] = ((rgb >> 16) & 0xff) / 255f;
                chw[plane + i] = ((rgb >> 8) & 0xff) / 255f;
                chw[2 * plane + i] = (rgb & 0xff) / 255f;
            }
        }
        return chw;
    }

    public int size() {
        return pixels.size();
    }

    /** How many distinct images the folder gave (the rest are augmented views of them). */
    public int originals() {
        return originals;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Pixels of image {@code i}, [3,H,W] flattened, in [0,1]. */
    public float[] pixels(int i) {
        return pixels.get(i);
    }

    public String name(int i) {
        return names.get(i);
    }

    /** All images as one flat [N,3,H,W] array. */
    public float[] flat() {
        return flat(0, pixels.size());
    }

    /** Images {@code start} to {@code start + count - 1} as one flat [count,3,H,W] array: a batch to embed. */
    public float[] flat(int start, int count) {
        int per = 3 * height * width;
        float[] all = new float[count * per];
        for (int i = 0; i < count; i++) {
            System.arraycopy(pixels.get(start + i), 0, all, i * per, per);
        }
        return all;
    }
}
