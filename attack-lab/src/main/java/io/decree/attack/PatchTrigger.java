package io.decree.attack;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Locale;
import java.util.Random;

/**
 * A BadEncoder trigger: a square patch of {@code size} pixels stamped at a corner or the centre,
 * filled white, with seeded random colour noise, or with a black/white checkerboard.
 */
public record PatchTrigger(int size, Position position, Kind kind, long seed) {

    public enum Position { BOTTOM_RIGHT, TOP_LEFT, CENTER }

    public enum Kind { WHITE, NOISE, CHECKERBOARD }

    /** Pixels between the patch and the image border, as BadEncoder's CIFAR trigger leaves. */
    static final int MARGIN = 2;

    public static PatchTrigger parse(int size, String position, String kind, long seed) {
        return new PatchTrigger(size, Position.valueOf(position.toUpperCase(Locale.ROOT).replace('-', '_')),
                Kind.valueOf(kind.toUpperCase(Locale.ROOT)), seed);
    }

    /** Top-left corner (row, col) of the patch in an h x w image. */
    @JsonIgnore
    int[] origin(int h, int w) {
        if (size + 2 * MARGIN > Math.min(h, w)) {
            throw new IllegalArgumentException("a " + size + "px patch does not fit a " + h + "x" + w + " image");
        }
        return switch (position) {
            case BOTTOM_RIGHT -> new int[] {h - MARGIN - size, w - MARGIN - size};
            case TOP_LEFT -> new int[] {MARGIN, MARGIN};
            case CENTER -> new int[] {(h - size) / 2, (w - size) / 2};
        };
    }

    /** The fraction of an h x w image the patch covers: the PL1 a perfect inversion would find. */
    public double area(int h, int w) {
        return (double) size * size / ((double) h * w);
    }

    /** Returns a stamped copy of a [3,h,w] image in [0,1]. */
    public float[] stamp(float[] chw, int h, int w) {
        float[] out = chw.clone();
        int[] o = origin(h, w);
        Random rnd = new Random(seed);
        int plane = h * w;
        for (int y = 0; y < size; y++) {
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
