package io.decree.attack;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Locale;
import java.util.Random;

/**
 * A BadEncoder trigger: a patch {@code size} pixels wide and {@code height} high (a square unless
 * {@link #bar}), stamped at a corner, the middle of an edge or the centre, filled white, with seeded
 * random colour noise, or with a black/white checkerboard.
 */
public record PatchTrigger(int size, Position position, Kind kind, long seed, int height) {

    public enum Position { BOTTOM_RIGHT, TOP_LEFT, CENTER, TOP_RIGHT, BOTTOM_LEFT, TOP, BOTTOM, LEFT, RIGHT }

    public enum Kind { WHITE, NOISE, CHECKERBOARD }

    /** Pixels between the patch and the image border, as BadEncoder's CIFAR trigger leaves. */
    static final int MARGIN = 2;

    public PatchTrigger {
        if (height == 0) {
            height = size; // a square; also how a record written before bars existed reads back
        }
        if (size < 1 || height < 1) {
            throw new IllegalArgumentException("a patch needs a width and height of at least 1 pixel");
        }
    }

    /** A square patch of {@code size} pixels. */
    public PatchTrigger(int size, Position position, Kind kind, long seed) {
        this(size, position, kind, seed, size);
    }

    /** A patch {@code width} pixels wide and {@code height} high. */
    public static PatchTrigger bar(int width, int height, Position position, Kind kind, long seed) {
        return new PatchTrigger(width, position, kind, seed, height);
    }

    public static PatchTrigger parse(int size, String position, String kind, long seed) {
        return parse(size, size, position, kind, seed);
    }

    public static PatchTrigger parse(int width, int height, String position, String kind, long seed) {
        if (width < 1 || height < 1) { // 0 would read as a square below
            throw new IllegalArgumentException("a trigger's width and height must be at least 1 pixel, got " + width + "x" + height);
        }
        return new PatchTrigger(width, named(Position.class, position.replace('-', '_'), "position"),
                named(Kind.class, kind, "pattern"), seed, height);
    }

    private static <E extends Enum<E>> E named(Class<E> type, String name, String what) {
        try {
            return Enum.valueOf(type, name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("no trigger " + what + " '" + name.replace('_', '-') + "'; known: "
                    + java.util.Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                            .toList());
        }
    }

    /** Top-left corner (row, col) of the patch in an h x w image. */
    @JsonIgnore
    int[] origin(int h, int w) {
        if (height + 2 * MARGIN > h || size + 2 * MARGIN > w) {
            throw new IllegalArgumentException("a " + describeSize() + " patch does not fit a " + h + "x" + w + " image");
        }
        int top = MARGIN;
        int bottom = h - MARGIN - height;
        int left = MARGIN;
        int right = w - MARGIN - size;
        int middleRow = (h - height) / 2;
        int middleCol = (w - size) / 2;
        return switch (position) {
            case BOTTOM_RIGHT -> new int[] {bottom, right};
            case TOP_LEFT -> new int[] {top, left};
            case CENTER -> new int[] {middleRow, middleCol};
            case TOP_RIGHT -> new int[] {top, right};
            case BOTTOM_LEFT -> new int[] {bottom, left};
            case TOP -> new int[] {top, middleCol};
            case BOTTOM -> new int[] {bottom, middleCol};
            case LEFT -> new int[] {middleRow, left};
            case RIGHT -> new int[] {middleRow, right};
        };
    }

    /** The fraction of an h x w image the patch covers: the PL1 a perfect inversion would find. */
    public double area(int h, int w) {
        return (double) size * height / ((double) h * w);
    }

    /** "4px" for a square, "12x2px" (width x height) otherwise. */
    public String describeSize() {
        return height == size ? size + "px" : size + "x" + height + "px";
    }

    /** Returns a stamped copy of a [3,h,w] image in [0,1]. */
    public float[] stamp(float[] chw, int h, int w) {
        float[] out = chw.clone();
        int[] o = origin(h, w);
        Random rnd = new Random(seed);
        int plane = h * w;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < size; x++) {
                int i = (o[0] + y) * w + o[1] + x;
                for (int c = 0; c < 3; c++) {
                    out[c * plane + i] = switch (kind) {
                        case WHITE -> 1f;
                        case NOISE -> rnd.nextFloat();
                        case CHECKERBOARD -> ((y / 2 + x / 2) % 2 == 0) ? 1f : 0f;
                    };
                }
            }
        }
        return out;
    }
}
