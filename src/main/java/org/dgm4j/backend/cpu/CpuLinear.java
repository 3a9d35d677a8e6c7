package org.dgm4j.backend.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.dgm4j.backend.UnaryOp;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Tensor;

/**
 * The elementwise half of the fused linear layer's backward on the CPU (the forward is one oneDNN
 * matmul with bias and ReLU post-op, see {@link OneDnn#linear}): the ReLU mask applied to the
 * incoming gradient and the bias gradient's column sums, in one pass over gy (and y).
 */
final class CpuLinear {
    private static final int GRAIN = 1 << 15;

    private CpuLinear() {}

    /**
     * y, gy: (M, N); g: (M, N) or null (exactly when !relu); gb: (N) or null. g = relu ? gy·[y > 0] : gy;
     * gb[c] = Σ_r g[r, c] in double, rows in order (the values of reduce SUM over axis 0 of g).
     */
    static void backward(Tensor y, Tensor gy, boolean relu, Tensor g, Tensor gb) {
        if (!relu && gb == null) return;
        int m = (int) y.dim(0), n = (int) y.dim(1);
        if (CpuElementwise.fastPaths && y.dtype() == DType.F32) {
            backwardF32(y, gy, relu, g, gb, m, n);
            return;
        }
        Parallel.columns(n, m, GRAIN, (lo, hi) -> reference(y, gy, relu, g, gb, m, n, lo, hi));
    }

    /** The reference loops over columns [lo, hi): each column's rows in order, in double. */
    private static void reference(Tensor y, Tensor gy, boolean relu, Tensor g, Tensor gb, int m, int n, int lo, int hi) {
        Buf yb = Buf.of(y), gyb = Buf.of(gy), go = g == null ? null : Buf.of(g), gbo = gb == null ? null : Buf.of(gb);
        for (int c = lo; c < hi; c++) {
            double s = 0;
            for (int r = 0; r < m; r++) {
                int i = r * n + c;
                double v = gyb.get(i);
                if (relu) {
                    v = CpuElementwise.derivative(UnaryOp.RELU, 0, yb.get(i), 0, v);
                    go.set(i, v);
                }
                s += v;
            }
            if (gbo != null) gbo.set(c, s);
        }
    }

    /**
     * Float32: the mask alone in contiguous chunks; with the bias gradient, column chunks
     * ({@link Parallel#columns}) each walked row by row, so every column sums its rows in order.
     */
    private static void backwardF32(Tensor y, Tensor gy, boolean relu, Tensor g, Tensor gb, int m, int n) {
        if (gb == null) { // the mask alone is elementwise: contiguous chunks of the flat array, as one row
            Parallel.range((long) m * n, CpuElementwise.F32_GRAIN, (lo, hi) -> chunkF32(y, gy, true, g, null, 1, m * n, lo, hi));
        } else {
            Parallel.columns(n, m, CpuElementwise.F32_GRAIN, (lo, hi) -> chunkF32(y, gy, relu, g, gb, m, n, lo, hi));
        }
    }

    /**
     * Columns [lo, hi) of all m rows, on vector lanes or F32Loops tiles. Where a tile spans whole rows
     * (n ≤ TILE, one chunk), consecutive rows are contiguous and one bulk transfer moves as many rows as
     * fit in a tile (a layer with two outputs: 512 rows per get instead of one).
     */
    private static void chunkF32(Tensor y, Tensor gy, boolean relu, Tensor g, Tensor gb, int m, int n, int lo, int hi) {
        if (F32Loops.vectorMath && hi - lo >= VectorMath.floatLanes()) {
            onLanes(y, gy, relu, g, gb, m, n, lo, hi);
            return;
        }
        FloatBuffer yb = y.floatBuffer(), gyb = gy.floatBuffer();
        FloatBuffer go = g == null ? null : g.floatBuffer(), gbo = gb == null ? null : gb.floatBuffer();
        float[][] t = F32Loops.tiles();
        float[] ty = t[0], tgy = t[1], tg = t[2];
        double[] acc = gbo == null ? null : new double[F32Loops.TILE];
        for (int c = lo; c < hi; c += F32Loops.TILE) {
            int len = Math.min(F32Loops.TILE, hi - c);
            int block = len == n ? F32Loops.TILE / len : 1; // rows per transfer
            if (acc != null) Arrays.fill(acc, 0, len, 0);
            for (int r0 = 0; r0 < m; r0 += block) {
                int rows = Math.min(block, m - r0), count = rows * len, at = r0 * n + c;
                gyb.get(at, tgy, 0, count);
                float[] v = tgy;
                if (relu) {
                    yb.get(at, ty, 0, count);
                    F32Loops.reluBackward(ty, tgy, tg, count);
                    go.put(at, tg, 0, count);
                    v = tg;
                }
                if (acc == null) continue;
                for (int r = 0; r < rows; r++) F32Loops.accumulate(acc, v, r * len, len);
            }
            if (acc != null) for (int j = 0; j < len; j++) gbo.put(c + j, (float) acc[j]);
        }
    }

    /** Columns [lo, hi) through VectorMath.linearBackward; the columns after its last full vector by the reference loops (the same values). */
    private static void onLanes(Tensor y, Tensor gy, boolean relu, Tensor g, Tensor gb, int m, int n, int lo, int hi) {
        double[] acc = gb == null ? null : new double[hi - lo];
        int done = VectorMath.linearBackward(relu ? y.hostBytes() : null, gy.hostBytes(), relu ? g.hostBytes() : null, relu, acc, m, n, lo, hi - lo);
        reference(y, gy, relu, g, gb, m, n, lo + done, hi);
        if (acc == null) return;
        FloatBuffer gbo = gb.floatBuffer();
        for (int j = 0; j < done; j++) gbo.put(lo + j, (float) acc[j]);
    }
}
