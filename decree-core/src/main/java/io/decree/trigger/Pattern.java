package io.decree.trigger;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/** The trigger's pattern p: an RGB image in (0,1), shape [1,3,H,W], held as p = squash(theta). */
public final class Pattern {
    private final NDArray theta;
    private final Squash squash;

    private Pattern(NDArray theta, Squash squash) {
        this.theta = theta;
        this.squash = squash;
    }

    static Pattern random(NDManager run, Squash squash, int height, int width, Random rnd) {
        float[] init = new float[3 * height * width];
        for (int i = 0; i < init.length; i++) {
            init[i] = Squash.inverse(rnd.nextDouble());
        }
        return of(run, squash, height, width, init);
    }

    static Pattern of(NDManager run, Squash squash, int height, int width, float[] theta) {
        NDArray t = run.create(theta, new Shape(1, 3, height, width));
        t.setRequiresGradient(true);
        return new Pattern(t, squash);
    }

    NDArray theta() {
        return theta;
    }

    NDArray values() {
        return squash.apply(theta);
    }

    /** Stamps the trigger: x' = (1-m)*x + m*p, written as x + m*(p-x) so that no constant 1 is needed. */
    static NDArray stamp(NDArray images, NDArray mask, NDArray pattern) {
        return images.add(mask.mul(pattern.sub(images)));
    }
}
