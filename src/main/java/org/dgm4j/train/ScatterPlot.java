package org.dgm4j.train;

import java.io.IOException;
import java.nio.file.Path;
import org.dgm4j.io.Plot;
import org.dgm4j.tensor.Tensor;

/** Samples of a 2-D model as a point cloud. */
public final class ScatterPlot {
    private ScatterPlot() {}

    /** points: (n, 2). */
    public static void write(Path file, Tensor points) throws IOException {
        if (points.rank() != 2 || points.dim(1) != 2) throw new IllegalArgumentException("a scatter plot needs points (n, 2), found " + points.shape());
        double[] v = points.toDoubleArray();
        int n = (int) points.dim(0);
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = v[2 * i];
            y[i] = v[2 * i + 1];
        }
        new Plot("samples", 480, 480).points(x, y, Plot.PALETTE[0], null, 3).write(file);
    }
}
