package io.decree.trigger;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The reference's box constraint: a free parameter theta becomes tanh(theta)/(2-eps)+0.5, strictly
 * inside (0,1), so Adam can move it without clipping and the gradient never vanishes at a bound.
 * Its two constants are arrays owned by the run, never Java numbers (see {@link io.decree.encoder.Encoder}).
 */
final class Squash {
    /** The reference's epsilon (utils.epsilon() = 1e-7). */
    static final double EPSILON = 1e-7;

    private final NDArray scale;
    private final NDArray half;

    Squash(NDManager runManager) {
        this.scale = runManager.create((float) (1.0 / (2.0 - EPSILON)));
        this.half = runManager.create(0.5f);
    }

    NDArray apply(NDArray theta) {
        return theta.tanh().mul(scale).add(half);
    }

    /** The inverse, for initialising theta from values in [0,1]. */
    static float inverse(double unit) {
        double x = (unit - 0.5) * (2.0 - EPSILON);
        x = Math.max(-1 + 1e-6, Math.min(1 - 1e-6, x));
        return (float) (0.5 * Math.log((1 + x) / (1 - x)));
    }
}
