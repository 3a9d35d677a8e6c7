package org.dgm4j.backend.cuda;

import static org.dgm4j.backend.cuda.ParityHarness.DTYPES;
import static org.dgm4j.backend.cuda.ParityHarness.cpu;
import static org.dgm4j.backend.cuda.ParityHarness.gpu;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.dgm4j.backend.Backend;

import org.dgm4j.backend.Conv2dParams;
import org.dgm4j.backend.Kernels;
import org.dgm4j.backend.Shapes;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * matmul and the three convolution ops on CUDA against the CPU backend (oneDNN for float32, Java
 * loops for float64), within {@link ParitySpecs#GEMM_BOUND}. Sizes straddle the 64 x 64 x 8 tiles
 * of native/cuda/gemm_tile.cuh (1, 7, 63, 64, 65, 129) in every transpose combination, batched and
 * not; convolutions cover stride 2, padding, dilation 2, asymmetric geometry, 1x1 / 3x3 / 3x2
 * kernels, odd H and W, rows that backward data never reaches, with and without bias, and the
 * channels-last (NHWC) layout. Outputs start
 * as NaN on both sides, so an element a kernel forgets to write fails. Shapes stay small: the
 * emulator runs each block's 64 threads for real, with two barriers per reduction step of 8.
 */
@Tag("cuda")
class CudaLinalgParityTest {
    @BeforeAll
    static void backends() {
        ParityHarness.backends();
    }

    // ---- inputs and the bound

    private static Tensor random(Random r, DType dt, Shape s) {
        double[] v = new double[(int) s.numel()];
        for (int i = 0; i < v.length; i++) v[i] = 2 * r.nextDouble() - 1;
        if (dt == DType.F64) return Tensor.of(cpu, v, s);
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return Tensor.of(cpu, f, s);
    }

    /** |t| in float64 on the CPU: the inputs of the magnitude sum Σ|a·b|. */
    private static Tensor abs64(Tensor t) {
        if (t == null) return null;
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++) v[i] = Math.abs(v[i]);
        return Tensor.of(cpu, v, t.shape());
    }

    /** |cuda − cpu| ≤ c · (terms + 1) · eps · magnitude, element by element (ParitySpecs.GEMM_BOUND). */
    static void assertWithinSumBound(Tensor expected, Tensor actual, double[] magnitude, long terms, String what) {
        ParitySpecs.Tolerance tol = ParitySpecs.SPECS.get(what.split(" ")[0]);
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        assertEquals(e.length, a.length, what + ": sizes differ");
        double eps = expected.dtype() == DType.F32 ? Math.ulp(1f) : Math.ulp(1.0);
        for (int i = 0; i < e.length; i++) {
            double allowed = tol.ulps() * (terms + 1) * eps * magnitude[i];
            if (!(Math.abs(e[i] - a[i]) <= allowed)) {
                fail(String.format("%s: element %d of %d: cpu %s, cuda %s, |diff| %.3g > allowed %.3g (%s)", what, i, e.length,
                        e[i], a[i], Math.abs(e[i] - a[i]), allowed, tol.reason()));
            }
        }
    }

    /** One op on both backends: run(kernels, inputs, outputs) writes outputs, which start as NaN. */
    private interface Op {
        void run(Kernels k, Tensor[] in, Tensor[] out);
    }

    /**
     * Runs op on the CPU inputs, on their device copies and, for the bound, on |inputs| in float64;
     * compares each output. A null input stays null (no bias); outShapes[i] == null means no output i.
     */
    private static void both(String what, DType dt, Tensor[] in, Shape[] outShapes, long terms, Op op) {
        try (Scope scope = Scope.open()) {
            int n = in.length;
            Tensor[] gIn = new Tensor[n], aIn = new Tensor[n];
            for (int i = 0; i < n; i++) {
                gIn[i] = in[i] == null ? null : in[i].to(gpu);
                aIn[i] = abs64(in[i]);
            }
            Tensor[] cOut = outs(cpu, dt, outShapes), gOut = outs(gpu, dt, outShapes), mOut = outs(cpu, DType.F64, outShapes);
            op.run(cpu.kernels(), in, cOut);
            op.run(gpu.kernels(), gIn, gOut);
            op.run(cpu.kernels(), aIn, mOut);
            for (int i = 0; i < outShapes.length; i++) {
                if (outShapes[i] != null) assertWithinSumBound(cOut[i], gOut[i], mOut[i].toDoubleArray(), terms, what + " out" + i);
            }
        }
    }

    private static Tensor[] outs(Backend b, DType dt, Shape[] shapes) {
        Tensor[] t = new Tensor[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            if (shapes[i] == null) continue;
            t[i] = Tensor.empty(b, dt, shapes[i]);
            b.kernels().fill(t[i], Double.NaN);
        }
        return t;
    }

    // ---- matmul

    /** {batch (0 = the 2-D form), m, n, k}. */
    private static final int[][] MATMUL = {
            {0, 1, 1, 1}, {0, 7, 1, 63}, {0, 1, 7, 64}, {0, 64, 64, 64}, {0, 65, 63, 7}, {0, 129, 65, 129},
            {0, 63, 129, 1}, {0, 7, 7, 65}, {3, 65, 7, 63}, {2, 1, 129, 64}, {2, 64, 65, 9}};

    @TestFactory
    Stream<DynamicTest> matmul() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType dt : DTYPES) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                tests.add(DynamicTest.dynamicTest("matmul " + dt + (ta ? " Aᵀ" : " A") + (tb ? " Bᵀ" : " B"), () -> {
                    Random r = new Random(600);
                    for (int[] c : MATMUL) {
                        int bt = c[0], m = c[1], n = c[2], k = c[3];
                        Shape sa = shape(bt, ta ? k : m, ta ? m : k), sb = shape(bt, tb ? n : k, tb ? k : n);
                        Shape so = Shapes.matmul(sa, ta, sb, tb);
                        try (Scope s = Scope.open()) {
                            both("matmul " + dt + " " + sa + (ta ? "ᵀ" : "") + " · " + sb + (tb ? "ᵀ" : ""), dt,
                                    new Tensor[] {random(r, dt, sa), random(r, dt, sb)}, new Shape[] {so}, k,
                                    (kern, in, out) -> kern.matmul(in[0], ta, in[1], tb, out[0]));
                        }
                    }
                }));
            }
        }
        return tests.stream();
    }

    // ---- the fused linear layer

    /** {m, n, k}: tile edges, K = 1 (an outer product) and N = 1, 2 (RealNVP-2D's first and last layers). */
    private static final int[][] LINEAR = {{1, 1, 1}, {65, 63, 7}, {129, 65, 1}, {7, 2, 129}, {64, 1, 64}, {3, 129, 65}};

    @TestFactory
    Stream<DynamicTest> linear() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType dt : DTYPES) {
            for (int v = 0; v < 4; v++) {
                boolean bias = (v & 1) != 0, relu = (v & 2) != 0;
                tests.add(DynamicTest.dynamicTest("linear " + dt + (bias ? " +bias" : "") + (relu ? " relu" : ""), () -> {
                    Random r = new Random(610);
                    for (int[] c : LINEAR) {
                        int m = c[0], n = c[1], k = c[2];
                        try (Scope s = Scope.open()) {
                            both("linear " + dt + " " + m + "x" + n + "x" + k, dt,
                                    new Tensor[] {random(r, dt, Shape.of(m, k)), random(r, dt, Shape.of(n, k)), bias ? random(r, dt, Shape.of(n)) : null},
                                    new Shape[] {Shape.of(m, n)}, k, (kern, in, out) -> kern.linear(in[0], in[1], in[2], relu, out[0]));
                        }
                    }
                }));
            }
        }
        return tests.stream();
    }

    /** y of random sign (the mask), gy positive (so the bias sums meet ParitySpecs.Reduce's bounds); g and gb start as NaN. */
    @TestFactory
    Stream<DynamicTest> linearBackward() {
        return Stream.of(DTYPES).map(dt -> DynamicTest.dynamicTest("linearBackward " + dt, () -> {
            Random r = new Random(620);
            for (int[] c : LINEAR) {
                int m = c[0], n = c[1];
                for (int v = 1; v < 4; v++) {
                    boolean bias = (v & 1) != 0, relu = (v & 2) != 0;
                    try (Scope s = Scope.open()) {
                        Tensor y = random(r, dt, Shape.of(m, n)), gy = ParityHarness.tensor(dt, Shape.of(m, n), ParityHarness.values(r, m * n, 0.5, 2));
                        Tensor[] outs = outs(cpu, dt, new Shape[] {relu ? Shape.of(m, n) : null, bias ? Shape.of(n) : null});
                        Tensor[] gOuts = outs(gpu, dt, new Shape[] {relu ? Shape.of(m, n) : null, bias ? Shape.of(n) : null});
                        cpu.kernels().linearBackward(y, gy, relu, outs[0], outs[1]);
                        gpu.kernels().linearBackward(y.to(gpu), gy.to(gpu), relu, gOuts[0], gOuts[1]);
                        String what = "linearBackward " + dt + " " + m + "x" + n + (bias ? " +bias" : "") + (relu ? " relu" : "");
                        if (relu) CudaParityTest.assertClose(outs[0], gOuts[0], ParitySpecs.linearBackward(dt, false), what + " g");
                        if (bias) CudaParityTest.assertClose(outs[1], gOuts[1], ParitySpecs.linearBackward(dt, true), what + " gb");
                    }
                }
            }
        }));
    }

    private static Shape shape(int batch, long rows, long cols) {
        return batch == 0 ? Shape.of(rows, cols) : Shape.of(batch, rows, cols);
    }

    // ---- convolutions

    private record Conv(Shape x, Shape w, Conv2dParams p, boolean bias) {
        Shape y() {
            return Shapes.conv2d(x, w, p);
        }

        @Override
        public String toString() {
            return "x" + x + " w" + w + " " + p + (bias ? " +bias" : "");
        }
    }

    private static final Conv[] CONVS = {
            new Conv(Shape.of(2, 3, 7, 9), Shape.of(4, 3, 3, 3), Conv2dParams.of(1, 1, 1), true),
            new Conv(Shape.of(1, 2, 9, 7), Shape.of(3, 2, 3, 2), Conv2dParams.of(2, 1, 1), false),
            new Conv(Shape.of(2, 3, 11, 10), Shape.of(5, 3, 3, 3), Conv2dParams.of(1, 2, 2), true),
            new Conv(Shape.of(2, 4, 5, 5), Shape.of(6, 4, 1, 1), Conv2dParams.of(1, 0, 1), true),
            new Conv(Shape.of(1, 3, 8, 7), Shape.of(2, 3, 1, 1), Conv2dParams.of(2, 0, 1), false), // gx rows never reached
            new Conv(Shape.of(1, 2, 9, 8), Shape.of(3, 2, 3, 2), new Conv2dParams(2, 1, 1, 0, 1, 2), true),
            new Conv(Shape.of(2, 3, 10, 9), Shape.of(3, 3, 3, 3), Conv2dParams.of(2, 1, 2), false), // stride + dilation
            new Conv(Shape.of(2, 3, 9, 9), Shape.of(65, 3, 3, 3), Conv2dParams.of(1, 1, 1), true), // crosses 64-row tiles
            // channels-last: x (N, H, W, C); on CUDA permute + the NCHW kernel + permute, on the CPU oneDNN nhwc
            new Conv(Shape.of(2, 7, 9, 3), Shape.of(5, 3, 3, 3), Conv2dParams.of(1, 1, 1).channelsLast(true), true), // "same", narrow input
            new Conv(Shape.of(2, 5, 7, 9), Shape.of(3, 9, 3, 3), Conv2dParams.of(1, 1, 1).channelsLast(true), true), // "same", narrow output
            new Conv(Shape.of(3, 5, 3, 7), Shape.of(65, 7, 1, 1), Conv2dParams.of(1, 0, 1).channelsLast(true), true), // 1x1: CPU one matmul
            new Conv(Shape.of(1, 9, 8, 2), Shape.of(3, 2, 3, 2), new Conv2dParams(2, 1, 1, 0, 1, 2, true), false), // asymmetric
    };

    @TestFactory
    Stream<DynamicTest> conv2d() {
        return convTests("conv2d", (c, dt, r) -> {
            long crs = c.w.dim(1) * c.w.dim(2) * c.w.dim(3);
            Tensor bias = c.bias ? random(r, dt, Shape.of(c.w.dim(0))) : null;
            for (boolean relu : new boolean[] {false, true}) {
                both("conv2d " + dt + " " + c + (relu ? " +relu" : ""), dt, new Tensor[] {random(r, dt, c.x), random(r, dt, c.w), bias},
                        new Shape[] {c.y()}, crs, (k, in, out) -> k.conv2d(in[0], in[1], in[2], c.p, relu, out[0]));
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> conv2dBackwardData() {
        return convTests("conv2dBackwardData", (c, dt, r) -> {
            long krs = c.w.dim(0) * c.w.dim(2) * c.w.dim(3);
            both("conv2dBackwardData " + dt + " " + c, dt, new Tensor[] {random(r, dt, c.y()), random(r, dt, c.w)},
                    new Shape[] {c.x}, krs, (k, in, out) -> k.conv2dBackwardData(in[0], in[1], c.p, out[0]));
        });
    }

    @TestFactory
    Stream<DynamicTest> conv2dBackwardWeights() {
        return convTests("conv2dBackwardWeights", (c, dt, r) -> {
            Shape y = c.y();
            long npq = y.dim(0) * y.dim(2) * y.dim(3);
            both("conv2dBackwardWeights " + dt + " " + c, dt, new Tensor[] {random(r, dt, c.x), random(r, dt, y)},
                    new Shape[] {c.w, c.bias ? Shape.of(c.w.dim(0)) : null}, npq,
                    (k, in, out) -> k.conv2dBackwardWeights(in[0], in[1], c.p, out[0], out[1]));
        });
    }

    private interface ConvCase {
        void run(Conv c, DType dt, Random r);
    }

    private static Stream<DynamicTest> convTests(String name, ConvCase body) {
        return Stream.of(DTYPES).map(dt -> DynamicTest.dynamicTest(name + " " + dt, () -> {
            Random r = new Random(700);
            for (Conv c : CONVS) {
                try (Scope s = Scope.open()) {
                    body.run(c, dt, r);
                }
            }
        }));
    }
}
