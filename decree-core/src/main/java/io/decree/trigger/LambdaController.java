package io.decree.trigger;

/**
 * Balances similarity against mask size, as the reference does: while the stamped batch meets the
 * similarity target, lambda grows (push the mask smaller); while it misses, lambda shrinks (let the
 * mask grow back). A lambda that has sunk below its floor and still succeeds is reset to its initial
 * value, so the search does not idle with no pressure on the mask.
 */
final class LambdaController {
    private static final double LAMBDA_MAX = 1e5;

    private final InversionConfig cfg;
    private double lambda;
    private int up;
    private int down;
    private int belowFloor;

    LambdaController(InversionConfig cfg) {
        this.cfg = cfg;
        this.lambda = cfg.lambdaInit();
    }

    double lambda() {
        return lambda;
    }

    /** Records one step's outcome and adapts lambda for the next step. */
    void update(boolean success) {
        if (lambda < cfg.lambdaMin() && success) {
            if (++belowFloor > 2 * cfg.lambdaPatience()) {
                lambda = cfg.lambdaInit();
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
            if (lambda >= cfg.lambdaMin()) {
                lambda /= cfg.lambdaFactor();
            }
            down = 0;
        }
    }
}
