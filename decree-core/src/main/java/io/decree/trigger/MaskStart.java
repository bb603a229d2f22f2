package io.decree.trigger;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Where one attempt of the search puts its mask at step 0.
 *
 * <p>The paper starts once, from a uniform random mask over the whole image. On our zoo that start
 * often settles on a diffuse trigger that erases the image's content (MNIST: a speckle over the
 * digit strokes, PL1 0.09-0.12) and never moves to a backdoor patch elsewhere, because a random
 * pattern inside a patch-sized corner gives no gradient toward the backdoor's exact pattern.
 * Started with the mask open on a window around that corner, the same optimisation found the
 * patch (bad-r16-mnist-checker4-tl: PL1 0.0948 from the uniform start, 0.0075 from the window).
 * So besides the paper's start, the search also starts from a grid of overlapping windows; a
 * trigger up to about 2/5 of a window's side (5 px at 32x32 with the 5x5 grid) lies wholly inside one.
 *
 * @param top  first row of the window, pixels (whole image for the uniform start)
 * @param left first column of the window, pixels
 * @param side window side in pixels; 0 for the paper's uniform start
 */
record MaskStart(int top, int left, int side) {

    /** Mask value inside a window at step 0. */
    static final double OPEN = 0.9;
    /** Outside a window the mask starts uniform in (0, CLOSED): nearly shut, still with a gradient. */
    static final double CLOSED = 0.02;

    static MaskStart uniform() {
        return new MaskStart(0, 0, 0);
    }

    boolean isUniform() {
        return side == 0;
    }

    /**
     * The paper's uniform start, then {@code grid x grid} windows of side about 1.5 H/grid that
     * together cover the image with overlap (grid 0 or 1: the uniform start only).
     */
    static List<MaskStart> plan(int height, int width, int grid) {
        List<MaskStart> starts = new ArrayList<>();
        starts.add(uniform());
        if (grid < 2) {
            return starts;
        }
        int side = Math.min(Math.min(height, width), (int) Math.ceil(1.5 * Math.min(height, width) / grid));
        for (int i = 0; i < grid; i++) {
            for (int j = 0; j < grid; j++) {
                starts.add(new MaskStart(offset(height, side, grid, i), offset(width, side, grid, j), side));
            }
        }
        return starts;
    }

    private static int offset(int extent, int side, int grid, int i) {
        return (int) Math.round((extent - side) * (double) i / (grid - 1));
    }

    /** The mask's initial theta on the grid of {@code cell x cell} pixel blocks. */
    float[] theta(int height, int width, int cell, Random rnd) {
        int gh = (height + cell - 1) / cell;
        int gw = (width + cell - 1) / cell;
        float[] init = new float[gh * gw];
        for (int r = 0; r < gh; r++) {
            for (int c = 0; c < gw; c++) {
                double value;
                if (isUniform()) {
                    value = rnd.nextDouble();
                } else {
                    // A cell belongs to the window when its centre pixel does.
                    int y = Math.min(height - 1, r * cell + cell / 2);
                    int x = Math.min(width - 1, c * cell + cell / 2);
                    boolean inside = y >= top && y < top + side && x >= left && x < left + side;
                    value = inside ? OPEN : rnd.nextDouble() * CLOSED;
                }
                init[r * gw + c] = Squash.inverse(value);
            }
        }
        return init;
    }

    @Override
    public String toString() {
        return isUniform() ? "uniform" : "window " + side + "px at (" + top + "," + left + ")";
    }
}
