package org.dgm4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.BinaryOp;
import org.dgm4j.backend.Conv2dParams;
import org.dgm4j.backend.ReduceOp;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Broadcasting, reductions and convolution against independent naive loops written here. Float64
 * results must agree to 1e-12 (same math, different summation order); float32 to 1e-4 relative
 * (float32 rounding of inputs and, for oneDNN, of the accumulation).
 */
class NaiveLoopsTest {
    private final Random rnd = new Random(3);
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private double[] random(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextGaussian();
        return v;
    }

    private static Tensor tensor(double[] v, DType dtype, long... dims) {
        Tensor t = Tensor.of(v, dims);
        return dtype == DType.F64 ? t : Ops.cast(t, DType.F32);
    }

    private static void assertClose(double[] expected, double[] actual, DType dtype) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            double tol = dtype == DType.F64 ? 1e-12 * Math.max(1, Math.abs(expected[i])) : 1e-4 * Math.max(1, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tol, "element " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void broadcastingBinaryOpsMatchNaiveIndexing(DType dtype) {
        // a (2, 1, 4, 3) ∘ b (5, 1, 3) → (2, 5, 4, 3)
        double[] a = random(2 * 4 * 3), b = random(5 * 3);
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.MAXIMUM, BinaryOp.GT}) {
            Tensor out = Ops.binary(op, tensor(a, dtype, 2, 1, 4, 3), tensor(b, dtype, 5, 1, 3));
            assertEquals(Shape.of(2, 5, 4, 3), out.shape());
            double[] expected = new double[2 * 5 * 4 * 3];
            for (int i = 0; i < 2; i++) for (int j = 0; j < 5; j++) for (int k = 0; k < 4; k++) for (int l = 0; l < 3; l++) {
                double x = a[(i * 4 + k) * 3 + l], y = b[j * 3 + l];
                if (dtype == DType.F32) {
                    x = (float) x;
                    y = (float) y;
                }
                double r = switch (op) {
                    case ADD -> x + y;
                    case SUB -> x - y;
                    case MUL -> x * y;
                    case MAXIMUM -> Math.max(x, y);
                    default -> x > y ? 1 : 0;
                };
                expected[((i * 5 + j) * 4 + k) * 3 + l] = r;
            }
            assertClose(expected, out.toDoubleArray(), dtype);
        }
    }

    @ParameterizedTest
    @EnumSource(ReduceOp.class)
    void reductionsOverEveryAxisSetMatchNaiveLoops(ReduceOp op) {
        double[] x = random(60);
        Tensor t = Tensor.of(x, 3, 4, 5);
        for (int mask = 1; mask < 8; mask++) {
            boolean ri = (mask & 4) != 0, rj = (mask & 2) != 0, rk = (mask & 1) != 0;
            int[] axes = java.util.stream.IntStream.range(0, 3).filter(a -> new boolean[] {ri, rj, rk}[a]).toArray();
            int ni = ri ? 1 : 3, nj = rj ? 1 : 4, nk = rk ? 1 : 5;
            double[] expected = new double[ni * nj * nk];
            for (int oi = 0; oi < ni; oi++) for (int oj = 0; oj < nj; oj++) for (int ok = 0; ok < nk; ok++) {
                java.util.List<Double> v = new java.util.ArrayList<>();
                for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) for (int k = 0; k < 5; k++) {
                    if ((ri || i == oi) && (rj || j == oj) && (rk || k == ok)) v.add(x[(i * 4 + j) * 5 + k]);
                }
                java.util.DoubleSummaryStatistics st = v.stream().mapToDouble(Double::doubleValue).summaryStatistics();
                expected[(oi * nj + oj) * nk + ok] = switch (op) {
                    case SUM -> st.getSum();
                    case MEAN -> st.getAverage();
                    case MAX -> st.getMax();
                    case MIN -> st.getMin();
                    case LOGSUMEXP -> Math.log(v.stream().mapToDouble(Math::exp).sum());
                };
            }
            Tensor got = Ops.reduce(op, t, true, axes);
            assertEquals(Shape.of(ni, nj, nk), got.shape());
            assertClose(expected, got.toDoubleArray(), DType.F64);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void convolutionForwardAndBackwardMatchNaiveLoops(DType dtype) {
        int n = 2, c = 3, h = 9, w = 8, k = 4, r = 3, s = 2;
        Conv2dParams p = new Conv2dParams(2, 1, 1, 2, 1, 2);
        double[] x = random(n * c * h * w), wt = random(k * c * r * s), bias = random(k);
        Tensor xt = tensor(x, dtype, n, c, h, w), wtt = tensor(wt, dtype, k, c, r, s), bt = tensor(bias, dtype, k);
        Tensor y = Ops.conv2d(xt, wtt, bt, p);
        int oh = (int) p.outH(h, r), ow = (int) p.outW(w, s);
        assertEquals(Shape.of(n, k, oh, ow), y.shape());
        double[] gy = random(n * k * oh * ow);
        double[] ey = new double[n * k * oh * ow], egx = new double[x.length], egw = new double[wt.length], egb = new double[k];
        for (int ni = 0; ni < n; ni++) for (int ki = 0; ki < k; ki++) for (int pi = 0; pi < oh; pi++) for (int qi = 0; qi < ow; qi++) {
            int yi = ((ni * k + ki) * oh + pi) * ow + qi;
            double acc = bias[ki];
            egb[ki] += gy[yi];
            for (int ci = 0; ci < c; ci++) for (int ri = 0; ri < r; ri++) for (int si = 0; si < s; si++) {
                int hh = pi * p.strideH() - p.padH() + ri * p.dilH(), ww = qi * p.strideW() - p.padW() + si * p.dilW();
                if (hh < 0 || hh >= h || ww < 0 || ww >= w) continue;
                int xi = ((ni * c + ci) * h + hh) * w + ww, wi = ((ki * c + ci) * r + ri) * s + si;
                acc += x[xi] * wt[wi];
                egx[xi] += gy[yi] * wt[wi];
                egw[wi] += gy[yi] * x[xi];
            }
            ey[yi] = acc;
        }
        assertClose(ey, y.toDoubleArray(), dtype);
        Tensor gyt = tensor(gy, dtype, n, k, oh, ow);
        Tensor gx = Tensor.empty(xt.backend(), dtype, xt.shape()), gw = Tensor.empty(xt.backend(), dtype, wtt.shape());
        Tensor gb = Tensor.empty(xt.backend(), dtype, bt.shape());
        xt.backend().kernels().conv2dBackwardData(gyt, wtt, p, gx);
        xt.backend().kernels().conv2dBackwardWeights(xt, gyt, p, gw, gb);
        assertClose(egx, gx.toDoubleArray(), dtype);
        assertClose(egw, gw.toDoubleArray(), dtype);
        assertClose(egb, gb.toDoubleArray(), dtype);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void matmulMatchesNaiveLoops(DType dtype) {
        int m = 7, kk = 13, n = 5;
        double[] a = random(m * kk), b = random(kk * n);
        double[] expected = new double[m * n];
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) for (int l = 0; l < kk; l++) expected[i * n + j] += a[i * kk + l] * b[l * n + j];
        assertClose(expected, Ops.matmul(tensor(a, dtype, m, kk), tensor(b, dtype, kk, n)).toDoubleArray(), dtype);
        // the transposed forms read the same matrices through transposed storage
        Tensor at = Ops.transpose(tensor(a, dtype, m, kk), 0, 1), bt = Ops.transpose(tensor(b, dtype, kk, n), 0, 1);
        assertClose(expected, Ops.matmul(at, true, bt, true).toDoubleArray(), dtype);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void permuteConcatAndSliceMoveTheRightElements(DType dtype) {
        double[] x = new double[24];
        for (int i = 0; i < 24; i++) x[i] = i;
        Tensor t = tensor(x, dtype, 2, 3, 4);
        double[] p = Ops.permute(t, 2, 0, 1).toDoubleArray();
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) assertEquals(x[(i * 3 + j) * 4 + k], p[(k * 2 + i) * 3 + j]);
        assertArrayEquals(new double[] {1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23}, Ops.slice(t, 2, 1, 4, 2).toDoubleArray());
        Tensor cat = Ops.concat(1, t, Ops.slice(t, 1, 0, 1, 1));
        assertEquals(Shape.of(2, 4, 4), cat.shape());
        assertArrayEquals(new double[] {0, 1, 2, 3}, Ops.slice(cat, 1, 3, 4, 1).narrowBatch(0, 1).toDoubleArray());
    }
}
