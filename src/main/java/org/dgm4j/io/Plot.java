package org.dgm4j.io;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Small PNG charts without a plotting library: lines, point clouds and a grey density background on
 * linear axes with ticks, a title and a legend. Used for loss curves, 2-D samples and densities.
 * Ranges default to the data's extent plus a margin.
 */
public final class Plot {
    public static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};
    private static final int LEFT = 64, RIGHT = 16, TOP = 28, BOTTOM = 40;

    private record Series(double[] x, double[] y, Color color, String label, boolean line, int size) {}

    private final String title;
    private final int width, height;
    private final List<Series> series = new ArrayList<>();
    private double[][] density;
    private double x0 = Double.NaN, x1, y0 = Double.NaN, y1;
    private String xLabel = "", yLabel = "";

    public Plot(String title, int width, int height) {
        this.title = title;
        this.width = width;
        this.height = height;
    }

    public Plot labels(String x, String y) {
        xLabel = x;
        yLabel = y;
        return this;
    }

    public Plot xRange(double lo, double hi) {
        x0 = lo;
        x1 = hi;
        return this;
    }

    public Plot yRange(double lo, double hi) {
        y0 = lo;
        y1 = hi;
        return this;
    }

    public Plot line(double[] x, double[] y, Color color, String label) {
        series.add(new Series(x, y, color, label, true, 0));
        return this;
    }

    public Plot points(double[] x, double[] y, Color color, String label, int size) {
        series.add(new Series(x, y, color, label, false, size));
        return this;
    }

    /** A density on the plot's ranges, values[row][col] with row 0 at the top (y1), shaded white → black. */
    public Plot density(double[][] values) {
        density = values;
        return this;
    }

    public BufferedImage render() {
        fitRanges();
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        int pw = width - LEFT - RIGHT, ph = height - TOP - BOTTOM;
        if (density != null) drawDensity(g, pw, ph);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        axes(g, pw, ph);
        g.setClip(LEFT, TOP, pw, ph);
        for (Series s : series) {
            g.setColor(s.color);
            g.setStroke(new BasicStroke(1.5f));
            for (int i = 0; i < s.x.length; i++) {
                int px = px(s.x[i], pw), py = py(s.y[i], ph);
                if (s.line && i > 0) g.drawLine(px(s.x[i - 1], pw), py(s.y[i - 1], ph), px, py);
                if (!s.line) g.fillOval(px - s.size / 2, py - s.size / 2, s.size, s.size);
            }
        }
        g.setClip(null);
        legend(g);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.setColor(Color.BLACK);
        g.drawString(title, LEFT, TOP - 10);
        g.dispose();
        return img;
    }

    /** Writes the chart as PNG (atomically). */
    public void write(Path file) throws IOException {
        ImageGrid.writePng(file, render());
    }

    /** Several charts side by side, {@code columns} per row, in one PNG. */
    public static void writeGrid(Path file, List<Plot> plots, int columns) throws IOException {
        int rows = (plots.size() + columns - 1) / columns;
        int w = plots.get(0).width, h = plots.get(0).height;
        BufferedImage img = new BufferedImage(w * columns, h * rows, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        for (int i = 0; i < plots.size(); i++) g.drawImage(plots.get(i).render(), (i % columns) * w, (i / columns) * h, null);
        g.dispose();
        ImageGrid.writePng(file, img);
    }

    private void fitRanges() {
        double[] xr = extent(true), yr = extent(false);
        if (Double.isNaN(x0)) {
            x0 = xr[0];
            x1 = xr[1];
        }
        if (Double.isNaN(y0)) {
            double m = 0.05 * (yr[1] - yr[0]);
            y0 = yr[0] - m;
            y1 = yr[1] + m;
        }
        if (!(x1 > x0)) x1 = x0 + 1;
        if (!(y1 > y0)) y1 = y0 + 1;
    }

    private double[] extent(boolean x) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double v : x ? s.x : s.y) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        return lo <= hi ? new double[] {lo, hi} : new double[] {0, 1};
    }

    private int px(double x, int pw) {
        return LEFT + (int) Math.round((x - x0) / (x1 - x0) * pw);
    }

    private int py(double y, int ph) {
        return TOP + ph - (int) Math.round((y - y0) / (y1 - y0) * ph);
    }

    private void drawDensity(Graphics2D g, int pw, int ph) {
        int rows = density.length, cols = density[0].length;
        double max = 0;
        for (double[] r : density) for (double v : r) if (Double.isFinite(v)) max = Math.max(max, v);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double v = max > 0 && Double.isFinite(density[r][c]) ? density[r][c] / max : 0;
                int grey = 255 - (int) Math.round(200 * Math.sqrt(v)); // sqrt: low-density modes stay visible
                g.setColor(new Color(grey, grey, grey));
                int xa = LEFT + c * pw / cols, xb = LEFT + (c + 1) * pw / cols, ya = TOP + r * ph / rows, yb = TOP + (r + 1) * ph / rows;
                g.fillRect(xa, ya, xb - xa, yb - ya);
            }
        }
    }

    private void axes(Graphics2D g, int pw, int ph) {
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, pw, ph);
        for (double t : ticks(x0, x1)) {
            int x = px(t, pw);
            g.drawLine(x, TOP + ph, x, TOP + ph + 4);
            String s = tick(t);
            g.drawString(s, x - g.getFontMetrics().stringWidth(s) / 2, TOP + ph + 16);
        }
        for (double t : ticks(y0, y1)) {
            int y = py(t, ph);
            g.drawLine(LEFT - 4, y, LEFT, y);
            String s = tick(t);
            g.drawString(s, LEFT - 6 - g.getFontMetrics().stringWidth(s), y + 4);
        }
        g.drawString(xLabel, LEFT + pw / 2 - g.getFontMetrics().stringWidth(xLabel) / 2, height - 6);
        g.drawString(yLabel, 4, TOP - 10 + 0 * ph);
    }

    private void legend(Graphics2D g) {
        int y = TOP + 14;
        for (Series s : series) {
            if (s.label == null || s.label.isEmpty()) continue;
            int w = g.getFontMetrics().stringWidth(s.label);
            int x = width - RIGHT - w - 22;
            g.setColor(new Color(255, 255, 255, 200));
            g.fillRect(x - 2, y - 11, w + 24, 14);
            g.setColor(s.color);
            g.fillRect(x, y - 7, 14, 4);
            g.setColor(Color.BLACK);
            g.drawString(s.label, x + 18, y);
            y += 15;
        }
    }

    /** About five round tick values in [lo, hi]. */
    static double[] ticks(double lo, double hi) {
        double raw = (hi - lo) / 5, mag = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / mag;
        double step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
        List<Double> t = new ArrayList<>();
        for (double v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) t.add(Math.abs(v) < 1e-12 * step ? 0 : v);
        return t.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String tick(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e7) return Long.toString((long) v);
        return String.format(Locale.ROOT, Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? "%.3g" : "%.1e", v);
    }
}
