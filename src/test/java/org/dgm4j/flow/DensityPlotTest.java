package org.dgm4j.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dgm4j.backend.Backends;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DensityPlotTest {
    /** A fresh RealNVP-2D is close to N(0, I): nearly all its mass lies in [-5, 5]², and the grid's cells sit where the plot draws them. */
    @Test
    void gridHoldsTheFlowsDensityCellByCellAndIntegratesToOne(@TempDir Path dir) throws Exception {
        Backends.use(Backends.cpu());
        try (RealNvp2d flow = new RealNvp2d(4, 16, 2, DType.F64, new Generator(1));
             Tensor unit = Tensor.of(Backends.cpu(), new double[] {-1, -1, 1, 1, -1, 1, 1, -1}, Shape.of(4, 2))) {
            flow.initialize(unit);
            double[][] p = DensityPlot.grid(flow, -5, 5, -5, 5);
            double cell = 10.0 / DensityPlot.GRID * 10.0 / DensityPlot.GRID, mass = 0;
            for (double[] row : p) for (double v : row) mass += v * cell;
            assertEquals(1.0, mass, 1e-4, "midpoint rule on a 160x160 grid");
            // orientation: row r, column c is the cell centred at (x0 + (c + ½)h, y1 − (r + ½)h), row 0 at the top
            double h = 10.0 / DensityPlot.GRID, x = -5 + 100.5 * h, y = 5 - 10.5 * h;
            try (Tensor pt = Tensor.of(Backends.cpu(), new double[] {x, y}, Shape.of(1, 2))) {
                assertEquals(Math.exp(flow.logProb(pt).toDoubleArray()[0]), p[10][100], 1e-15);
            }
            Path file = dir.resolve("density.png");
            DensityPlot.write(file, flow, Tensor.of(Backends.cpu(), new double[] {-1, -1, 1, 1, 0, 0.5}, Shape.of(3, 2)));
            assertTrue(Files.size(file) > 1000);
        }
    }
}
