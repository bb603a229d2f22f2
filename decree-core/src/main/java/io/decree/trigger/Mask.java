package io.decree.trigger;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * The trigger's mask m, one value in (0,1) per pixel (shape [1,1,H,W], shared by the 3 colour
 * channels), held as the free parameter theta with m = squash(theta).
 *
 * <p>theta lives on a grid of {@code cell x cell} pixel blocks (cell 1: one value per pixel, as the
 * paper). See {@link InversionConfig#maskGrid()} for why larger images use coarser cells.
 */
public final class Mask {
    private final NDArray theta;
    private final Squash squash;
    private final int height;
    private final int width;
    private final int cell;

    private Mask(NDArray theta, Squash squash, int height, int width, int cell) {
        this.theta = theta;
        this.squash = squash;
        this.height = height;
        this.width = width;
        this.cell = cell;
    }

    /** Side of a mask cell for a grid of about {@code grid} cells across the shorter side (0: per pixel). */
    static int cellFor(int height, int width, int grid) {
        return grid <= 0 ? 1 : Math.max(1, (int) Math.round(Math.min(height, width) / (double) grid));
    }

    /** A mask that starts as {@code start} says (the paper's uniform random init, or a window). */
    static Mask start(NDManager run, Squash squash, int height, int width, int cell, MaskStart start, Random rnd) {
        return of(run, squash, height, width, cell, start.theta(height, width, cell, rnd));
    }

    static Mask of(NDManager run, Squash squash, int height, int width, float[] theta) {
        return of(run, squash, height, width, 1, theta);
    }

    static Mask of(NDManager run, Squash squash, int height, int width, int cell, float[] theta) {
        NDArray t = run.create(theta, new Shape(1, 1, ceilDiv(height, cell), ceilDiv(width, cell)));
        t.setRequiresGradient(true);
        return new Mask(t, squash, height, width, cell);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** The free parameter Adam moves. */
    NDArray theta() {
        return theta;
    }

    /** m in (0,1), [1,1,H,W]. */
    NDArray values() {
        NDArray m = squash.apply(theta);
        if (cell == 1) {
            return m;
        }
        return m.repeat(2, cell).repeat(3, cell).get(":, :, 0:" + height + ", 0:" + width);
    }

    /**
     * The L1 regulariser the loss minimises: |m|_1 summed over the 3 channels the mask is applied to,
     * as the reference does (it repeats the 2-D mask to H x W x 3 before taking the norm).
     */
    static NDArray l1(NDArray m, NDArray channels) {
        return m.sum().mul(channels);
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }
}
