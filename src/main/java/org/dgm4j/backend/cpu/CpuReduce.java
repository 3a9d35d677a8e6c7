package org.dgm4j.backend.cpu;

import java.nio.FloatBuffer;
import org.dgm4j.backend.ReduceOp;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Tensor;

/**
 * Reductions over a set of axes, accumulated in double. Each output element walks its reduced
 * sub-block with an odometer over the reduced axes (the last reduced axis innermost).
 */
final class CpuReduce {
    private CpuReduce() {}

    static void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out) {
        if (CpuElementwise.fastPaths && x.dtype() == DType.F32 && (op == ReduceOp.SUM || op == ReduceOp.MEAN)
                && sumF32(op == ReduceOp.MEAN, x, axes, out)) {
            return;
        }
        Buf xb = Buf.of(x), ob = Buf.of(out);
        long[] dims = x.dims(), strides = x.shape().strides();
        boolean[] reduced = new boolean[dims.length];
        for (int a : axes) reduced[a] = true;
        int nk = dims.length - axes.length;
        long[] keptDims = new long[nk], keptStrides = new long[nk];
        long[] redDims = new long[axes.length], redStrides = new long[axes.length];
        long count = 1;
        for (int i = 0, k = 0, r = 0; i < dims.length; i++) {
            if (reduced[i]) {
                redDims[r] = dims[i];
                redStrides[r++] = strides[i];
                count *= dims[i];
            } else {
                keptDims[k] = dims[i];
                keptStrides[k++] = strides[i];
            }
        }
        long n = count;
        long grain = Math.max(1, (1 << 14) / Math.max(1, n));
        Parallel.range(out.numel(), grain, (lo, hi) -> {
            long[] idx = new long[redDims.length];
            for (int o = lo; o < hi; o++) {
                long base = 0, rem = o;
                for (int k = nk - 1; k >= 0; k--) {
                    base += (rem % keptDims[k]) * keptStrides[k];
                    rem /= keptDims[k];
                }
                ob.set(o, reduceOne(op, xb, base, redDims, redStrides, idx, n));
            }
        });
    }

    /**
     * Float32 sums and means whose reduced axes form one block, leading or trailing, after size-1 axes
     * are dropped: x is then (R, K) reduced over R (column sums, e.g. a bias gradient) or (K, R) reduced
     * over R (row sums; K = 1 for a full reduction). Each output adds its R terms in double in the
     * reference's order (r ascending), so the values are the reference's; the column sums walk x row by
     * row, contiguously, and the inputs come in tiles (F32Loops). Returns false for other layouts.
     */
    private static boolean sumF32(boolean mean, Tensor x, int[] axes, Tensor out) {
        if (x.numel() == 0) return false;
        boolean[] reduced = new boolean[x.rank()];
        for (int a : axes) reduced[a] = true;
        // runs of reduced / kept axes, size-1 axes dropped
        long[] size = new long[x.rank()];
        boolean[] kind = new boolean[x.rank()];
        int runs = 0;
        for (int i = 0; i < x.rank(); i++) {
            if (x.dim(i) == 1) continue;
            if (runs > 0 && kind[runs - 1] == reduced[i]) {
                size[runs - 1] *= x.dim(i);
            } else {
                size[runs] = x.dim(i);
                kind[runs++] = reduced[i];
            }
        }
        long count = 1;
        for (int a : axes) count *= x.dim(a);
        double n = count;
        FloatBuffer xb = x.floatBuffer(), ob = out.floatBuffer();
        if (runs == 2 && kind[0] && !kind[1]) {
            int r = (int) size[0], k = (int) size[1];
            Parallel.columns(k, r, CpuElementwise.F32_GRAIN, (lo, hi) -> {
                float[] t = F32Loops.tiles()[0];
                double[] acc = new double[F32Loops.TILE];
                for (int c = lo; c < hi; c += F32Loops.TILE) {
                    int len = Math.min(F32Loops.TILE, hi - c);
                    java.util.Arrays.fill(acc, 0, len, 0);
                    for (int row = 0; row < r; row++) {
                        xb.get(row * k + c, t, 0, len);
                        F32Loops.accumulate(acc, t, 0, len);
                    }
                    for (int j = 0; j < len; j++) ob.put(c + j, (float) (mean ? acc[j] / n : acc[j]));
                }
            });
            return true;
        }
        if (runs <= 1 || (runs == 2 && !kind[0] && kind[1])) {
            int rr = runs > 0 && kind[runs - 1] ? (int) size[runs - 1] : 1, k = (int) out.numel();
            Parallel.range(k, Math.max(1, CpuElementwise.F32_GRAIN / rr), (lo, hi) -> {
                float[] t = F32Loops.tiles()[0];
                for (int o = lo; o < hi; o++) {
                    double sum = 0;
                    for (int at = 0; at < rr; at += F32Loops.TILE) {
                        int len = Math.min(F32Loops.TILE, rr - at);
                        xb.get(o * rr + at, t, 0, len);
                        for (int j = 0; j < len; j++) sum += t[j];
                    }
                    ob.put(o, (float) (mean ? sum / n : sum));
                }
            });
            return true;
        }
        return false;
    }

    private static double reduceOne(ReduceOp op, Buf x, long base, long[] dims, long[] strides, long[] idx, long n) {
        switch (op) {
            case SUM, MEAN -> {
                double s = 0;
                for (Walk w = new Walk(base, dims, strides, idx); w.next(); ) {
                    for (int j = 0; j < w.len; j++) s += x.get(w.start + j * w.step);
                }
                return op == ReduceOp.MEAN ? s / n : s;
            }
            case MAX, MIN -> {
                double m = op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
                for (Walk w = new Walk(base, dims, strides, idx); w.next(); ) {
                    for (int j = 0; j < w.len; j++) {
                        double v = x.get(w.start + j * w.step);
                        if (Double.isNaN(v)) return v;
                        m = op == ReduceOp.MAX ? Math.max(m, v) : Math.min(m, v);
                    }
                }
                return m;
            }
            case LOGSUMEXP -> {
                double m = reduceOne(ReduceOp.MAX, x, base, dims, strides, idx, n);
                if (Double.isInfinite(m)) return m;
                double s = 0;
                for (Walk w = new Walk(base, dims, strides, idx); w.next(); ) {
                    for (int j = 0; j < w.len; j++) s += Math.exp(x.get(w.start + j * w.step) - m);
                }
                return m + Math.log(s);
            }
            default -> throw new AssertionError(op);
        }
    }

    /** Visits the reduced sub-block as runs along the last reduced axis: start, step, len. */
    private static final class Walk {
        final long base;
        final long[] dims, strides, idx;
        final int len, step;
        int start;
        boolean first = true;

        Walk(long base, long[] dims, long[] strides, long[] idx) {
            this.base = base;
            this.dims = dims;
            this.strides = strides;
            this.idx = idx;
            java.util.Arrays.fill(idx, 0);
            int last = dims.length - 1;
            len = last < 0 ? 1 : (int) dims[last];
            step = last < 0 ? 0 : (int) strides[last];
        }

        boolean next() {
            int outer = dims.length - 2;
            if (!first) {
                int a = outer;
                while (a >= 0) {
                    if (++idx[a] < dims[a]) break;
                    idx[a] = 0;
                    a--;
                }
                if (a < 0) return false;
            } else {
                first = false;
                for (long d : dims) if (d == 0) return false;
            }
            long off = base;
            for (int a = 0; a <= outer; a++) off += idx[a] * strides[a];
            start = (int) off;
            return true;
        }
    }
}
