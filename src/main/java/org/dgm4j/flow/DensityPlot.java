package org.dgm4j.flow;

import java.io.IOException;
import java.nio.file.Path;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.io.Plot;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/** A 2-D flow's exact density p(x) = exp(log p(x)) on a grid, shaded, with samples drawn on top. */
public final class DensityPlot {
    /** Grid cells per axis. */
    static final int GRID = 160;

    private DensityPlot() {}

    /**
     * The density on the samples' bounding box widened by 15 % on each side (cell centres), samples
     * (n, 2) as small dots; the plot's title names the grid's mass, a check that the box holds the model.
     */
    public static void write(Path file, FlowModel flow, Tensor samples) throws IOException {
        double[] s = samples.toDoubleArray();
        int n = s.length / 2;
        double[] x = new double[n], y = new double[n];
        double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY, y0 = x0, y1 = x1;
        for (int i = 0; i < n; i++) {
            x[i] = s[2 * i];
            y[i] = s[2 * i + 1];
            x0 = Math.min(x0, x[i]);
            x1 = Math.max(x1, x[i]);
            y0 = Math.min(y0, y[i]);
            y1 = Math.max(y1, y[i]);
        }
        double mx = 0.15 * Math.max(x1 - x0, 1e-3), my = 0.15 * Math.max(y1 - y0, 1e-3);
        x0 -= mx;
        x1 += mx;
        y0 -= my;
        y1 += my;
        double[][] p = grid(flow, x0, x1, y0, y1);
        double mass = 0, cell = (x1 - x0) / GRID * (y1 - y0) / GRID;
        for (double[] row : p) for (double v : row) mass += v * cell;
        new Plot(String.format(java.util.Locale.ROOT, "exact density (mass %.3f in view) and %d samples", mass, n), 520, 520)
                .xRange(x0, x1).yRange(y0, y1).density(p).points(x, y, Plot.PALETTE[1], null, 2).write(file);
    }

    /** p at the cell centres, row 0 at the top (y1), as {@link Plot#density} wants it. */
    static double[][] grid(FlowModel flow, double x0, double x1, double y0, double y1) {
        double[] pts = new double[GRID * GRID * 2];
        for (int r = 0; r < GRID; r++) {
            for (int c = 0; c < GRID; c++) {
                int i = 2 * (r * GRID + c);
                pts[i] = x0 + (c + 0.5) * (x1 - x0) / GRID;
                pts[i + 1] = y1 - (r + 0.5) * (y1 - y0) / GRID;
            }
        }
        double[] logp;
        try (Scope scope = Scope.open(); var ng = Autograd.noGrad()) {
            Tensor t = Tensor.of(flow.parameters().get(0).backend(), pts, Shape.of(GRID * GRID, 2)).toDType(flow.parameters().get(0).dtype());
            logp = flow.logProb(t).toDoubleArray();
        }
        double[][] p = new double[GRID][GRID];
        for (int r = 0; r < GRID; r++) for (int c = 0; c < GRID; c++) p[r][c] = Math.exp(logp[r * GRID + c]);
        return p;
    }
}
