package io.decree.trigger;

/**
 * Balances similarity against mask size, as the reference does: while the stamped batch meets the
 * similarity target, lambda grows (push the mask smaller); while it misses, lambda shrinks (let the
 * mask grow back). A lambda that has sunk below its floor and still succeeds is reset to its initial
 * value, so the search does not idle with no pressure on the mask.
 *
 * <p>Unlike the reference, lambda is 0 until the target is first met (Neural Cleanse's warm-up):
 * with lambda at 1e-3 from step 0, the L1 term outweighs the similarity gradient of every pixel,
 * Adam shrinks the whole mask by lr per step, and on our real encoders the mask was ~0 after 30
 * steps with the pattern never learnt (face encoder: similarity stuck at 0.85 for 400 steps).
 */
final class LambdaController {
    private static final double LAMBDA_MAX = 1e5;

    private final InversionConfig cfg;
    private double lambda;
    private int up;
    private int down;
    private int belowFloor;

    private boolean warm;
    private final double init;
    private final double floor;

    /**
     * @param areaScale multiplies lambdaInit and lambdaMin; {@link #forImage} derives it from the
     *                  image size so that the balance between the two loss terms does not depend on
     *                  the resolution
     */
    LambdaController(InversionConfig cfg, double areaScale) {
        this.cfg = cfg;
        this.lambda = 0;
        this.init = cfg.lambdaInit() * areaScale;
        this.floor = cfg.lambdaMin() * areaScale;
    }

    LambdaController(InversionConfig cfg) {
        this(cfg, 1.0);
    }

    /**
     * The reference's lambda (1e-3, floor 1e-5) is tuned for 32x32 CIFAR images; the L1 gradient
     * per pixel is lambda while the similarity gradient per pixel falls with the pixel count, so
     * at H x W the same balance needs lambda * 1024/(H*W). Unscaled, 1e-3 at 150x150 crushed the
     * mask to nothing within 40 steps on the real face encoder and it never regrew.
     */
    static LambdaController forImage(InversionConfig cfg, int height, int width) {
        return new LambdaController(cfg, REFERENCE_AREA / ((double) height * width));
    }

    static final double REFERENCE_AREA = 32.0 * 32.0;

    double lambda() {
        return lambda;
    }

    /** Records one step's outcome and adapts lambda for the next step. */
    void update(boolean success) {
        if (!warm) {
            if (success) {
                warm = true;
                lambda = init;
            }
            return;
        }
        if (lambda < floor && success) {
            if (++belowFloor > 2 * cfg.lambdaPatience()) {
                lambda = init;
                up = 0;
                down = 0;
            }
        } else {
            belowFloor = 0;
        }
        if (success) {
            up++;
            down = 0;
        } else {
            down++;
            up = 0;
        }
        if (up > cfg.lambdaPatience()) {
            if (lambda < LAMBDA_MAX) {
                lambda *= cfg.lambdaFactor();
            }
            up = 0;
        } else if (down > cfg.lambdaPatience()) {
            if (lambda >= floor) {
                lambda /= cfg.lambdaFactor();
            }
            down = 0;
        }
    }
}
