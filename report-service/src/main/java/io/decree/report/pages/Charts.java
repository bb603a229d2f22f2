package io.decree.report.pages;

import java.util.List;
import java.util.Locale;

/**
 * The pages' two pictures as inline SVG, drawn on the server (no front-end build, nothing to load):
 * a scan's optimisation curve, and the PL1 of every scanned encoder against the threshold.
 */
public final class Charts {
    private static final int W = 640;
    private static final int H = 220;
    private static final int PAD = 40;

    private Charts() {
    }

    /** One step of the trigger search: mean cosine of the stamped batch and the mask's PL1 at that step. */
    public record Step(int step, double similarity, double pl1) {
    }

    /** One encoder's latest completed scan. */
    public record Point(String sha256, String name, double pl1, String verdict) {
    }

    /** Similarity (left axis, 0..1, target dashed) and PL1 (right axis, 0..max) over the steps. */
    public static String curve(List<Step> steps, double target) {
        if (steps.isEmpty()) {
            return "";
        }
        int last = steps.get(steps.size() - 1).step();
        double maxPl1 = steps.stream().mapToDouble(Step::pl1).max().orElse(1);
        StringBuilder sim = new StringBuilder();
        StringBuilder pl1 = new StringBuilder();
        for (Step s : steps) {
            double x = PAD + (W - 2 * PAD) * (s.step() / (double) Math.max(1, last));
            sim.append(f("%.1f,%.1f ", x, y(Math.max(-1, s.similarity()), -0.2, 1)));
            pl1.append(f("%.1f,%.1f ", x, y(s.pl1(), 0, maxPl1 <= 0 ? 1 : maxPl1)));
        }
        return "<svg class=\"chart\" id=\"similarity-curve\" viewBox=\"0 0 " + W + " " + H + "\" role=\"img\" "
                + "aria-label=\"similarity and PL1 over the optimisation\">"
                + axes("step (0 – " + last + ")", "mean cosine of stamped images")
                + f("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"target\"/>", PAD, W - PAD, y(target, -0.2, 1),
                        y(target, -0.2, 1))
                + f("<text x=\"%d\" y=\"%.1f\" class=\"note\">target %.2f</text>", W - PAD - 70, y(target, -0.2, 1) - 4, target)
                + "<polyline class=\"sim\" points=\"" + sim + "\"/>"
                + "<polyline class=\"pl1\" points=\"" + pl1 + "\"/>"
                + f("<text x=\"%d\" y=\"%d\" class=\"note pl1-label\">orange: PL1 of the mask (0 – %.3f)</text>", W - PAD - 190, H - 6, maxPl1)
                + "</svg>";
    }

    /** Each encoder as a dot on a log PL1 axis, red if flagged; the threshold as a line. */
    public static String distribution(List<Point> points, double threshold) {
        double lo = Math.log10(1e-4);
        double hi = Math.log10(1);
        StringBuilder sb = new StringBuilder("<svg class=\"chart\" id=\"pl1-distribution\" viewBox=\"0 0 " + W + " " + H
                + "\" role=\"img\" aria-label=\"PL1 of every scanned encoder\">");
        sb.append(axes("PL1 = |m|₁/(H·W), log scale", ""));
        for (double tick = 1e-4; tick <= 1.0001; tick *= 10) {
            double x = xLog(tick, lo, hi);
            sb.append(f("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" class=\"grid\"/>", x, x, PAD / 2, H - PAD));
            sb.append(f("<text x=\"%.1f\" y=\"%d\" class=\"tick\">%s</text>", x - 12, H - PAD + 14, tickLabel(tick)));
        }
        double tx = xLog(threshold, lo, hi);
        sb.append(f("<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" class=\"threshold\"/>", tx, tx, PAD / 2, H - PAD));
        sb.append(f("<text x=\"%.1f\" y=\"%d\" class=\"note\">threshold %.4f</text>", tx + 4, PAD / 2 + 10, threshold));
        int i = 0;
        for (Point p : points) {
            double x = xLog(Math.max(1e-4, Math.min(1, p.pl1())), lo, hi);
            double yy = PAD + (H - 2.5 * PAD) * ((i++ * 0.618034) % 1.0);
            sb.append(f("<a href=\"/encoders/%s\"><circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\" class=\"%s\"><title>%s: PL1 %.4f (%s)</title></circle></a>",
                    p.sha256(), x, yy, "trojaned".equals(p.verdict()) ? "dot-trojaned" : "dot-clean", esc(p.name()), p.pl1(), p.verdict()));
        }
        return sb.append("</svg>").toString();
    }

    private static String axes(String xLabel, String yLabel) {
        return f("<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" class=\"axis\"/>", PAD, W - PAD, H - PAD, H - PAD)
                + f("<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" class=\"axis\"/>", PAD, PAD, PAD / 2, H - PAD)
                + f("<text x=\"%d\" y=\"%d\" class=\"label\">%s</text>", W / 2 - 80, H - 6, xLabel)
                + (yLabel.isEmpty() ? "" : f("<text x=\"%d\" y=\"14\" class=\"label\">%s</text>", PAD, yLabel));
    }

    private static double y(double v, double min, double max) {
        return H - PAD - (H - 1.5 * PAD) * (v - min) / (max - min);
    }

    private static double xLog(double v, double lo, double hi) {
        return PAD + (W - 2 * PAD) * (Math.log10(v) - lo) / (hi - lo);
    }

    private static String tickLabel(double v) {
        return v >= 1 ? "1" : f("%s", new java.math.BigDecimal(v).round(new java.math.MathContext(1)).toPlainString());
    }

    static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String f(String fmt, Object... args) {
        return String.format(Locale.ROOT, fmt, args);
    }
}
