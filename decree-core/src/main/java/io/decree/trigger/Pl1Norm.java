package io.decree.trigger;

/**
 * DECREE's statistic: the mask's L1 norm over the image area, |m|_1 / (H*W), with the 2-D mask.
 * It reads as "the fraction of the image the trigger covers": 0 is no trigger, 1 covers everything
 * (which trivially maps every image to the same point). The loss's regulariser counts the mask on
 * each of the 3 channels, as the reference does; this norm does not, so it stays in [0,1].
 */
public final class Pl1Norm {
    private Pl1Norm() {
    }

    public static double of(float[] mask, int height, int width) {
        double sum = 0;
        for (float v : mask) {
            sum += Math.abs(v);
        }
        return sum / ((double) height * width);
    }
}
