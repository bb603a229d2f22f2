package io.decree.pretrain;

import java.util.Random;

/**
 * SimCLR's views of a [3,s,s] image in [0,1]: a random resized crop (area 35-100 %, aspect 3/4-4/3,
 * bilinear), a horizontal flip, and brightness/contrast jitter. No colour jitter: the images are grey. BadEncoder's
 * augmented shadow views are the same ({@link io.decree.attack.BadEncoder.Config#views}).
 */
public final class Augment {
    private Augment() {
    }

    public static float[] view(float[] chw, int s, Random rnd) {
        double area = 0.35 + 0.65 * rnd.nextDouble();
        double aspect = Math.exp(Math.log(0.75) + (Math.log(4.0 / 3) - Math.log(0.75)) * rnd.nextDouble());
        double cw = Math.min(s, s * Math.sqrt(area * aspect));
        double ch = Math.min(s, s * Math.sqrt(area / aspect));
        double x0 = (s - cw) * rnd.nextDouble();
        double y0 = (s - ch) * rnd.nextDouble();
        boolean flip = rnd.nextBoolean();
        float contrast = (float) (0.6 + 0.8 * rnd.nextDouble());
        float brightness = (float) (0.4 * rnd.nextDouble() - 0.2);
        int plane = s * s;
        float[] out = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            double mean = 0;
            for (int i = 0; i < plane; i++) {
                mean += chw[c * plane + i];
            }
            mean /= plane;
            for (int y = 0; y < s; y++) {
                double sy = y0 + (y + 0.5) * ch / s - 0.5;
                for (int x = 0; x < s; x++) {
                    int xx = flip ? s - 1 - x : x;
                    double sx = x0 + (xx + 0.5) * cw / s - 0.5;
                    float v = bilinear(chw, c * plane, s, sx, sy);
                    v = (float) ((v - mean) * contrast + mean) + brightness;
                    out[c * plane + y * s + x] = Math.max(0f, Math.min(1f, v));
                }
            }
        }
        return out;
    }

    private static float bilinear(float[] img, int base, int s, double x, double y) {
        double cx = Math.max(0, Math.min(s - 1, x));
        double cy = Math.max(0, Math.min(s - 1, y));
        int x0 = (int) Math.floor(cx);
        int y0 = (int) Math.floor(cy);
        int x1 = Math.min(s - 1, x0 + 1);
        int y1 = Math.min(s - 1, y0 + 1);
        double fx = cx - x0;
        double fy = cy - y0;
        double top = img[base + y0 * s + x0] * (1 - fx) + img[base + y0 * s + x1] * fx;
        double bottom = img[base + y1 * s + x0] * (1 - fx) + img[base + y1 * s + x1] * fx;
        return (float) (top * (1 - fy) + bottom * fy);
    }
}
