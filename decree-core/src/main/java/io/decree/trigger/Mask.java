package io.decree.trigger;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * The trigger's mask m, one value in (0,1) per pixel (shape [1,1,H,W], shared by the 3 colour
 * channels), held as the free parameter theta with m = squash(theta).
 */
public final class Mask {
    private final NDArray theta;
    private final Squash squash;
    private final int height;
    private final int width;

    private Mask(NDArray theta, Squash squash, int height, int width) {
        this.theta = theta;
        this.squash = squash;
        this.height = height;
        this.width = width;
    }

    /** Uniform random init in (0,1), as the reference's {@code mask_init='rand'}. */
    static Mask random(NDManager run, Squash squash, int height, int width, Random rnd) {
        float[] init = new float[height * width];
        for (int i = 0; i < init.length; i++) {
            init[i] = Squash.inverse(rnd.nextDouble());
        }
        return of(run, squash, height, width, init);
    }

    static Mask of(NDManager run, Squash squash, int height, int width, float[] theta) {
        NDArray t = run.create(theta, new Shape(1, 1, height, width));
        t.setRequiresGradient(true);
        return new Mask(t, squash, height, width);
    }

    /** The free parameter Adam moves. */
    NDArray theta() {
        return theta;
    }

    /** m in (0,1), [1,1,H,W]. */
    NDArray values() {
        return squash.apply(theta);
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
