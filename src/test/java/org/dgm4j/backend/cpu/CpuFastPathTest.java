package org.dgm4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.dgm4j.backend.AdamStep;
import org.dgm4j.backend.BinaryOp;
import org.dgm4j.backend.Kernels;
import org.dgm4j.backend.ReduceOp;
import org.dgm4j.backend.UnaryOp;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The float32 fast paths (F32Loops, the tiled reductions, the byte copy) against the double reference
 * loops they replace (CpuElementwise.fastPaths = false): bit-identical results, tolerance 0, because
 * the fast paths compute the reference's values by construction (see F32Loops). Sizes straddle the
 * tile (1024) and the fork grain (2^17); inputs include ±0, ±inf, NaN and subnormals; shapes cover
 * every broadcast branch (flat, scalar, row, column, short rows) and in-place outputs.
 */
class CpuFastPathTest {
    private static final int[] SIZES = {1, 7, 1023, 1024, 1025, 3001, (1 << 17) + 5};
    private final Kernels k = CpuBackend.get().kernels();
    private final Random rnd = new Random(11);
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        CpuElementwise.fastPaths = true;
        scope.close();
    }

    private Tensor random(long... dims) {
        Shape s = Shape.of(dims);
        float[] v = new float[(int) s.numel()];
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MIN_VALUE, -1e-40f, 1f, -1f, 88.8f};
        for (int i = 0; i < v.length; i++) {
            v[i] = i % 17 == 3 ? special[rnd.nextInt(special.length)] : (float) (rnd.nextGaussian() * 3);
        }
        return Tensor.of(v, dims);
    }

    /** Runs op into a fresh output of shape out on both paths and compares the bits (NaNs as one). */
    private void assertSame(String what, Shape out, Consumer<Tensor> op) {
        assertSame(what, out, op, 0);
    }

    /** The same, allowing {@code ulps} units in the last place of the reference value. */
    private void assertSame(String what, Shape out, Consumer<Tensor> op, int ulps) {
        float[][] r = new float[2][];
        for (int pass = 0; pass < 2; pass++) {
            CpuElementwise.fastPaths = pass == 0;
            Tensor o = Tensor.full(CpuBackend.get(), DType.F32, out, 12345);
            op.accept(o);
            r[pass] = o.toFloatArray();
        }
        CpuElementwise.fastPaths = true;
        for (int i = 0; i < r[0].length; i++) {
            if (Float.floatToIntBits(r[0][i]) != Float.floatToIntBits(r[1][i])) {
                if (ulps > 0 && Math.abs(r[0][i] - r[1][i]) <= ulps * Math.ulp(r[1][i])) continue;
                assertEquals(r[1][i], r[0][i], what + ": element " + i + " (fast vs reference)");
                assertEquals(Float.floatToIntBits(r[1][i]), Float.floatToIntBits(r[0][i]), what + ": bits of element " + i);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryMatchesTheReference(UnaryOp op) {
        boolean vector = F32Loops.vectorMath;
        // the scalar loops and, where the JVM has the Vector API (the tests' JVM does), VectorMath's
        for (boolean useVector : vector ? new boolean[] {false, true} : new boolean[] {false}) {
            F32Loops.vectorMath = useVector;
            try {
                unaryMatchesTheReference(op, useVector);
            } finally {
                F32Loops.vectorMath = vector;
            }
        }
    }

    private void unaryMatchesTheReference(UnaryOp op, boolean vector) {
        // softplus: F32Loops.log1pSmall may move a value lying next to a rounding boundary by 1 ulp;
        // VectorMath's SVML results are within 1 double ulp, which may round to the neighbouring float
        boolean vectorOp = vector && (op == UnaryOp.EXP || op == UnaryOp.LOG || op == UnaryOp.SIGMOID || op == UnaryOp.SOFTPLUS);
        int ulps = op == UnaryOp.SOFTPLUS || vectorOp ? 1 : 0;
        for (double p : new double[] {0, 0.5, 0.1, -3}) {
            for (int n : SIZES) {
                Tensor x = random(n);
                String what = op + (vector ? " (vector)" : "") + " p=" + p + " n=" + n;
                assertSame(what, x.shape(), o -> k.unary(op, p, x, o), ulps);
                if (!op.differentiable) continue;
                Tensor y = Tensor.empty(CpuBackend.get(), DType.F32, x.shape());
                k.unary(op, p, x, y);
                Tensor gy = random(n);
                assertSame(what + " backward", x.shape(), o -> k.unaryBackward(op, p, x, y, gy, o), vectorOp ? 1 : 0);
            }
        }
    }

    @Test
    void theTestsRunTheVectorLoops() {
        assertTrue(F32Loops.VECTOR_API, "the surefire JVM resolves jdk.incubator.vector (pom.xml argLine), so VectorMath is tested");
    }

    /**
     * The float32 backward loads x and y only where the derivative reads them (CpuElementwise.backwardReadsX /
     * backwardReadsY): poisoning an operand it claims not to read (NaN) must leave the result unchanged.
     */
    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryBackwardReadsOnlyWhatItClaims(UnaryOp op) {
        if (!op.differentiable) return;
        for (int n : new int[] {7, 1025}) {
            Tensor x = random(n), gy = random(n), y = Tensor.empty(CpuBackend.get(), DType.F32, x.shape());
            k.unary(op, 0.5, x, y);
            Tensor nan = Tensor.full(CpuBackend.get(), DType.F32, x.shape(), Float.NaN);
            Tensor xs = CpuElementwise.backwardReadsX(op) ? x : nan, ys = CpuElementwise.backwardReadsY(op) ? y : nan;
            float[] want = new float[n], got;
            Tensor o = Tensor.empty(CpuBackend.get(), DType.F32, x.shape());
            k.unaryBackward(op, 0.5, x, y, gy, o); // the fast path with both operands (it equals the reference: above)
            want = o.toFloatArray();
            k.unaryBackward(op, 0.5, xs, ys, gy, o);
            got = o.toFloatArray();
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]), op + " n=" + n + ": element " + i);
            }
        }
    }

    /** linearBackward's one pass (mask and column sums on tiles) against its reference and against relu backward + reduce SUM. */
    @Test
    void linearBackwardMatchesTheReferenceAndTheComposedOps() {
        for (int[] d : new int[][] {{1, 1}, {7, 1025}, {1024, 2}, {129, 256}, {3, 3001}, {1000, 1}}) {
            int m = d[0], n = d[1];
            Shape mn = Shape.of(m, n);
            Tensor y = random(m, n), gy = random(m, n);
            k.unary(UnaryOp.RELU, 0, y, y); // a forward output: >= 0
            String at = " " + m + "x" + n;
            assertSame("linearBackward g" + at, mn, o -> k.linearBackward(y, gy, true, o, null));
            assertSame("linearBackward gb relu" + at, Shape.of(n), o -> k.linearBackward(y, gy, true, Tensor.empty(CpuBackend.get(), DType.F32, mn), o));
            assertSame("linearBackward gb" + at, Shape.of(n), o -> k.linearBackward(y, gy, false, null, o));
            Tensor g1 = Tensor.empty(CpuBackend.get(), DType.F32, mn), gb1 = Tensor.empty(CpuBackend.get(), DType.F32, Shape.of(n));
            k.linearBackward(y, gy, true, g1, gb1);
            Tensor g2 = Tensor.empty(CpuBackend.get(), DType.F32, mn), gb2 = Tensor.empty(CpuBackend.get(), DType.F32, Shape.of(1, n));
            k.unaryBackward(UnaryOp.RELU, 0, y, y, gy, g2);
            k.reduce(ReduceOp.SUM, g2, new int[] {0}, gb2);
            assertBits(g2, g1, "g vs relu backward" + at);
            assertBits(gb2, gb1, "gb vs reduce SUM" + at);
        }
    }

    /**
     * linear (one oneDNN matmul with bias and ReLU post-op) equals matmul, the bias add and relu, bit for bit; K = 0 too.
     * One exception, zero's sign: with K = 1 matmul is SmallMatmul's product, which keeps −0 (e.g. −0·3), while oneDNN
     * adds the product to an accumulator that starts at +0.
     */
    @Test
    void linearEqualsTheComposedOps() {
        for (int[] d : new int[][] {{128, 512, 784}, {1024, 256, 1}, {1024, 2, 256}, {7, 65, 63}, {3, 4, 0}}) {
            int m = d[0], n = d[1], kk = d[2];
            Tensor x = random(m, kk), w = random(n, kk), b = random(n);
            for (int f = 0; f < 4; f++) {
                boolean bias = (f & 1) != 0, relu = (f & 2) != 0;
                Tensor y1 = Tensor.empty(CpuBackend.get(), DType.F32, Shape.of(m, n)), y2 = Tensor.empty(CpuBackend.get(), DType.F32, Shape.of(m, n));
                k.linear(x, w, bias ? b : null, relu, y1);
                k.matmul(x, false, w, true, y2);
                if (bias) k.binary(BinaryOp.ADD, y2, b, y2);
                if (relu) k.unary(UnaryOp.RELU, 0, y2, y2);
                assertBitsUpToZeroSign(y2, y1, "linear " + m + "x" + n + "x" + kk + (bias ? " +bias" : "") + (relu ? " relu" : ""));
            }
        }
    }

    private static void assertBitsUpToZeroSign(Tensor expected, Tensor actual, String what) {
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        assertEquals(e.length, a.length, what);
        for (int i = 0; i < e.length; i++) {
            if (e[i] == 0f && a[i] == 0f) continue;
            assertEquals(Float.floatToIntBits(e[i]), Float.floatToIntBits(a[i]), what + ": element " + i + " " + e[i] + " vs " + a[i]);
        }
    }

    private static void assertBits(Tensor expected, Tensor actual, String what) {
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        assertEquals(e.length, a.length, what);
        for (int i = 0; i < e.length; i++) assertEquals(Float.floatToIntBits(e[i]), Float.floatToIntBits(a[i]), what + ": element " + i + " " + e[i] + " vs " + a[i]);
    }

    @Test
    void blockSwapPermutesMatchTheReference() {
        // the fast path (NCHW <-> NHWC, last-two-axes transposes, rotations) and permutations it declines
        Object[][] cases = {
                {new long[] {3, 5, 7, 2}, new int[] {0, 2, 3, 1}}, {new long[] {3, 7, 2, 5}, new int[] {0, 3, 1, 2}},
                {new long[] {1030, 3}, new int[] {1, 0}}, {new long[] {4, 6, 5}, new int[] {2, 0, 1}},
                {new long[] {2, 9, 64, 65}, new int[] {0, 1, 3, 2}}, {new long[] {1, 1, 3, 1}, new int[] {0, 2, 3, 1}},
                {new long[] {2, 3, 4, 5}, new int[] {0, 2, 1, 3}}, {new long[] {2, 3, 4}, new int[] {1, 0, 2}}};
        for (Object[] c : cases) {
            long[] dims = (long[]) c[0];
            int[] perm = (int[]) c[1];
            Tensor x = random(dims);
            Shape out = org.dgm4j.backend.Shapes.permute(x.shape(), perm);
            assertSame("permute " + Arrays.toString(dims) + " by " + Arrays.toString(perm), out, o -> k.permute(x, perm, o));
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryMatchesTheReferenceOnEveryBroadcastBranch(BinaryOp op) {
        long[][][] shapes = {
                {{1025}, {1025}}, {{3, (1 << 16) + 3}, {3, (1 << 16) + 3}},   // flat
                {{5, 1030}, {1}}, {{1}, {5, 1030}}, {{3, 7}, {}},              // scalar
                {{6, 1030}, {1030}}, {{1030}, {6, 1030}}, {{300, 512}, {512}}, // row (bias add)
                {{7, 40}, {7, 1}}, {{7, 1}, {7, 40}}, {{2, 3, 40}, {3, 1}},    // column, 3-D
                {{4, 5}, {5}}, {{2, 1, 3}, {4, 1}},                            // short rows: the reference
        };
        for (long[][] ab : shapes) {
            Tensor a = random(ab[0]), b = random(ab[1]);
            Shape out = org.dgm4j.backend.Shapes.broadcast("test", a.shape(), b.shape());
            assertSame(op + " " + a.shape() + " " + b.shape(), out, o -> k.binary(op, a, b, o));
        }
        // in place, as the leaf-gradient accumulation does: out is a
        Tensor a = random(9, 1100), b = random(1100);
        assertSame(op + " in place", a.shape(), o -> {
            k.copy(a, o);
            k.binary(op, o, b, o);
        });
    }

    @Test
    void expandFillAndCopyMatchTheReference() {
        Tensor row = random(1, 1030), col = random(5, 1), scalar = random(1);
        assertSame("expand row", Shape.of(5, 1030), o -> k.expand(row, o));
        assertSame("expand col", Shape.of(5, 40), o -> k.expand(col, o));
        assertSame("expand scalar", Shape.of(3, 2000), o -> k.expand(scalar, o));
        for (int n : SIZES) {
            assertSame("fill " + n, Shape.of(n), o -> k.fill(o, 0.1));
            Tensor x = random(n);
            assertSame("copy " + n, Shape.of(n), o -> k.copy(x, o));
        }
        // a batch slice (non-zero storage offset) in and out
        Tensor big = random(6, 1100);
        assertSame("copy of a batch slice", Shape.of(2, 1100), o -> k.copy(big.narrowBatch(3, 5), o));
    }

    @Test
    void sumsAndMeansMatchTheReference() {
        Object[][] cases = {
                {new long[] {300, 784}, new int[] {0}}, {new long[] {128, 2100}, new int[] {0}},  // column sums
                {new long[] {128, 784}, new int[] {1}}, {new long[] {3, 5000}, new int[] {1}},     // row sums
                {new long[] {7, 1300}, new int[] {0, 1}}, {new long[] {1 << 17}, new int[] {0}},    // full
                {new long[] {4, 3, 50}, new int[] {0, 1}}, {new long[] {4, 3, 50}, new int[] {1, 2}}, // merged axes
                {new long[] {1, 5, 1, 70}, new int[] {1}}, {new long[] {5, 1, 70}, new int[] {1}},    // size-1 axes
                {new long[] {4, 3, 50}, new int[] {0, 2}}, {new long[] {4, 3, 50}, new int[] {1}},    // the reference
        };
        for (Object[] c : cases) {
            long[] dims = (long[]) c[0];
            int[] axes = (int[]) c[1];
            Tensor x = random(dims);
            long[] kept = dims.clone();
            for (int a : axes) kept[a] = 1;
            for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MEAN}) {
                assertSame(op + " " + x.shape() + " axes " + java.util.Arrays.toString(axes), Shape.of(kept), o -> k.reduce(op, x, axes, o));
            }
        }
    }

    /**
     * Float32 Adam is float arithmetic (CpuKernels.adamF32); here it is written out element by element
     * in the float64 loop's order, each operation rounded to float, and must match bit for bit.
     */
    @Test
    void adamF32IsTheFormulaInFloat() {
        for (int n : SIZES) {
            for (AdamStep s : List.of(new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0, false, false, 1),
                    new AdamStep(3e-4, 0.8, 0.95, 1e-6, 0.1, false, false, 7),
                    new AdamStep(1e-2, 0.9, 0.999, 1e-8, 0.05, true, false, 3),
                    new AdamStep(2e-3, 0.9, 0.999, 1e-8, 0, false, true, 2))) {
                Tensor p = random(n), g = random(n), m = random(n), v = Tensor.of(absOf(random(n).toFloatArray()), n);
                float[] ep = p.toFloatArray(), eg = g.toFloatArray(), em = m.toFloatArray(), ev = v.toFloatArray();
                adamByHand(s, ep, eg, em, ev);
                k.adamUpdate(p, g, m, v, s);
                List<float[]> expected = List.of(ep, em, ev), actual = new ArrayList<>(List.of(p.toFloatArray(), m.toFloatArray(), v.toFloatArray()));
                for (int t = 0; t < 3; t++) {
                    for (int i = 0; i < n; i++) {
                        assertEquals(Float.floatToIntBits(expected.get(t)[i]), Float.floatToIntBits(actual.get(t)[i]),
                                s + " n=" + n + " tensor " + t + " element " + i);
                    }
                }
            }
        }
    }

    private static float[] absOf(float[] v) {
        for (int i = 0; i < v.length; i++) v[i] = Math.abs(v[i]);
        return v;
    }

    private static void adamByHand(AdamStep s, float[] p, float[] g, float[] m, float[] v) {
        float b1 = (float) s.beta1(), c1 = (float) (1 - s.beta1()), b2 = (float) s.beta2(), c2 = (float) (1 - s.beta2());
        float eps = (float) s.eps(), stepSize = (float) (s.lr() / (1 - Math.pow(s.beta1(), s.step())));
        float corr2 = (float) (1 - Math.pow(s.beta2(), s.step()));
        float decay = (float) (s.decoupled() ? 1 - s.lr() * s.weightDecay() : 1), l2 = (float) (s.decoupled() ? 0 : s.weightDecay());
        for (int i = 0; i < p.length; i++) {
            float th = p[i] * decay;
            float gi = g[i] + l2 * p[i];
            m[i] = b1 * m[i] + c1 * gi;
            float denom;
            if (s.adamax()) {
                v[i] = Math.max(b2 * v[i], Math.abs(gi) + eps);
                denom = v[i];
            } else {
                v[i] = b2 * v[i] + c2 * gi * gi;
                denom = (float) Math.sqrt(v[i] / corr2) + eps;
            }
            p[i] = th - stepSize * m[i] / denom;
        }
    }
}
