package io.decree.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * pl1.png: each encoder's PL1 (log scale) in a clean and a trojaned column, with the threshold line; acceptance.png: each
 * encoder's batch PL1 against its accepted PL1 (the smallest trigger that holds on the whole shadow set).
 */
public final class Pl1Plot {
    private Pl1Plot() {
    }

    public static void write(Evaluation eval, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeries clean = new XYSeries("clean");
        XYSeries trojaned = new XYSeries("trojaned");
        Random jitter = new Random(0);
        for (Evaluation.Row r : eval.rows()) {
            double x = (r.trojaned() ? 1 : 0) + (jitter.nextDouble() - 0.5) * 0.3;
            (r.trojaned() ? trojaned : clean).add(x, Math.max(r.pl1(), 1e-5));
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(clean);
        data.addSeries(trojaned);
        LogAxis y = new LogAxis(Evaluation.PL1.equals(eval.score()) ? "PL1 = |m|1 / (H*W)"
                : Evaluation.BASE_RATIO.equals(eval.score()) ? "contrasted PL1 / the base's own accepted PL1"
                : "trigger area = |m|1, input pixels");
        y.setSmallestValue(1e-5);
        y.setNumberFormatOverride(new java.text.DecimalFormat("0.####"));
        SymbolAxis x = new SymbolAxis("label", new String[] {"clean", "trojaned"});
        x.setRange(-0.6, 1.6);
        XYLineAndShapeRenderer dots = new XYLineAndShapeRenderer(false, true);
        dots.setSeriesPaint(0, new Color(0x2b8cbe));
        dots.setSeriesPaint(1, new Color(0xe34a33));
        XYPlot plot = new XYPlot(data, x, y, dots);
        ValueMarker line = new ValueMarker(eval.threshold(), Color.DARK_GRAY, new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
                BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f));
        line.setLabel("threshold " + eval.figure(eval.threshold()));
        line.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_RIGHT);
        line.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.BOTTOM_RIGHT);
        plot.addRangeMarker(line);
        // The held-out folds' thresholds, each fitted on the other half of the zoo: how far a fitted value moves.
        for (int i = 0; i < eval.heldOut().size(); i++) {
            double t = eval.heldOut().get(i).threshold();
            ValueMarker fitted = new ValueMarker(t, new Color(0x31a354), new BasicStroke(1f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 1f, new float[] {2f, 3f}, 0f));
            fitted.setLabel(String.format(java.util.Locale.ROOT, "fitted on half %s: %s", i == 0 ? "A" : "B", eval.figure(t)));
            fitted.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_LEFT);
            fitted.setLabelTextAnchor(i == 0 ? org.jfree.chart.ui.TextAnchor.BOTTOM_LEFT : org.jfree.chart.ui.TextAnchor.TOP_LEFT);
            plot.addRangeMarker(fitted);
        }
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(String.format(java.util.Locale.ROOT,
                "DECREE %s by label (accuracy %s, AUROC %s)", eval.score(), Evaluation.rate(eval.accuracy(), 2),
                Evaluation.rate(eval.auroc(), 2)), plot);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 640, 480);
    }

    /** Batch PL1 (x) against accepted PL1 (y), both log scale, clean and trojaned apart; above the diagonal = acceptance raised it. */
    public static void writeAcceptance(java.util.List<RuleStudy.Subject> subjects, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeries clean = new XYSeries("clean");
        XYSeries trojaned = new XYSeries("trojaned");
        XYSeries diagonal = new XYSeries("accepted = batch");
        double lo = 1;
        double hi = 1e-4;
        for (RuleStudy.Subject s : subjects) {
            var a = s.report().acceptance();
            if (a == null) {
                continue;
            }
            double x = Math.max(a.batchPl1(), 1e-4);
            double y = Math.max(a.acceptedPl1(), 1e-4);
            lo = Math.min(lo, Math.min(x, y));
            hi = Math.max(hi, Math.max(x, y));
            (s.trojaned() ? trojaned : clean).add(x, y);
        }
        diagonal.add(lo, lo);
        diagonal.add(Math.min(1, hi * 1.5), Math.min(1, hi * 1.5));
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(clean);
        data.addSeries(trojaned);
        data.addSeries(diagonal);
        LogAxis x = new LogAxis("batch PL1 (the paper's: collapses one batch)");
        LogAxis y = new LogAxis("accepted PL1 (collapses the whole shadow set)");
        for (LogAxis axis : new LogAxis[] {x, y}) {
            axis.setSmallestValue(1e-4);
            axis.setNumberFormatOverride(new java.text.DecimalFormat("0.####"));
        }
        XYLineAndShapeRenderer dots = new XYLineAndShapeRenderer(false, true);
        dots.setSeriesPaint(0, new Color(0x2b8cbe));
        dots.setSeriesPaint(1, new Color(0xe34a33));
        dots.setSeriesLinesVisible(2, true);
        dots.setSeriesShapesVisible(2, false);
        dots.setSeriesPaint(2, Color.GRAY);
        XYPlot plot = new XYPlot(data, x, y, dots);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart("PL1 before and after acceptance on the whole shadow set", plot);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 640, 480);
    }
}
