package org.dgm4j.backend.cuda;

import static org.dgm4j.backend.cuda.ParityHarness.cpu;
import static org.dgm4j.backend.cuda.ParityHarness.gpu;
import static org.dgm4j.backend.cuda.ParityHarness.tensor;
import static org.dgm4j.backend.cuda.ParityHarness.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
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
 * The normalizing-flow kernels (native/cuda coupling.cu, actnorm.cu, invconv.cu, squeeze.cu) against
 * the CPU, with the tolerances of {@link ParitySpecs.Flow}. Shapes take every launch path on the
 * emulator (flow_common.cuh: blocks of 64 threads over chunks of at least 128 elements, at most 4
 * chunks per row and 4 block rows; invconv.cu: 64 LU threads, 32 solve threads, 4 blocks): a row
 * in one chunk and in several, more rows than block rows, threads looping inside a chunk, empty
 * batches, and LU sizes around the block and warp widths. Outputs start as NaN on both sides, so
 * an element a kernel forgets shows.
 */
@Tag("cuda")
class CudaFlowParityTest {
    @BeforeAll
    static void backends() {
        ParityHarness.backends();
    }

    private static final DType F64 = DType.F64;

    // ---- running an op on both backends

    private interface Op {
        void run(Kernels k, Tensor[] in, Tensor[] out);
    }

    private record Outs(double[][] cpu, double[][] gpu) {}

    private static Tensor[] outputs(org.dgm4j.backend.Backend b, Shape[] shapes, DType[] dtypes) {
        Tensor[] t = new Tensor[shapes.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = Tensor.empty(b, dtypes[i], shapes[i]);
            b.kernels().fill(t[i], Double.NaN);
        }
        return t;
    }

    private static double[][] arrays(Tensor[] ts) {
        double[][] a = new double[ts.length][];
        for (int i = 0; i < ts.length; i++) a[i] = ts[i].toDoubleArray();
        return a;
    }

    /** op on the CPU inputs and on device copies of them; outputs of the given shapes and dtypes. */
    private static Outs both(Tensor[] in, Shape[] shapes, DType[] dtypes, Op op) {
        try (Scope scope = Scope.open()) {
            Tensor[] gIn = new Tensor[in.length];
            for (int i = 0; i < in.length; i++) gIn[i] = in[i].to(gpu);
            Tensor[] cOut = outputs(cpu, shapes, dtypes), gOut = outputs(gpu, shapes, dtypes);
            op.run(cpu.kernels(), in, cOut);
            op.run(gpu.kernels(), gIn, gOut);
            return new Outs(arrays(cOut), arrays(gOut));
        }
    }

    /** The magnitudes M of ParitySpecs.Flow: op on the CPU in float64 on the given inputs. */
    private static double[][] magnitude(Tensor[] in, Shape[] shapes, Op op) {
        try (Scope scope = Scope.open()) {
            DType[] f64 = new DType[shapes.length];
            Arrays.fill(f64, F64);
            Tensor[] out = outputs(cpu, shapes, f64);
            op.run(cpu.kernels(), in, out);
            return arrays(out);
        }
    }

    /** t in float64 with every value v replaced by sign·|v| (sign 0: v itself). */
    private static Tensor f64(Tensor t, int sign) {
        double[] v = t.toDoubleArray();
        if (sign != 0) for (int i = 0; i < v.length; i++) v[i] = sign * Math.abs(v[i]);
        return Tensor.of(cpu, v, t.shape());
    }

    private static double eps(DType dt) {
        return dt == DType.F32 ? Math.ulp(1f) : Math.ulp(1.0);
    }

    /** |cuda − cpu| ≤ units · eps(dt) · mag[i] (bit-equal values, NaN and ±inf included, always pass). */
    static void assertWithinMagnitude(double[] e, double[] a, double[] mag, double units, DType dt, ParitySpecs.Tolerance tol,
                                      String what) {
        assertEquals(e.length, a.length, what + ": sizes differ");
        for (int i = 0; i < e.length; i++) {
            if (Double.compare(e[i], a[i]) == 0) continue;
            double allowed = units * eps(dt) * mag[i];
            if (!(Math.abs(e[i] - a[i]) <= allowed)) {
                fail(String.format("%s: element %d of %d: cpu %s, cuda %s, |diff| %.3g > allowed %.3g = %.0f eps x %.3g (%s)", what, i,
                        e.length, e[i], a[i], Math.abs(e[i] - a[i]), allowed, units, mag[i], tol.reason()));
            }
        }
    }

    /** Within tol.ulps() ulps of the CPU value itself (CudaParityTest.assertClose on arrays). */
    private static void assertUlps(double[] e, double[] a, DType dt, ParitySpecs.Tolerance tol, String what) {
        double[] mag = new double[e.length];
        for (int i = 0; i < e.length; i++) mag[i] = dt == DType.F32 ? Math.ulp((float) e[i]) / eps(dt) : Math.ulp(e[i]) / eps(dt);
        assertWithinMagnitude(e, a, mag, tol.ulps(), dt, tol, what);
    }

    private static Stream<DynamicTest> perDtype(String name, java.util.function.Consumer<DType> body) {
        return ParityHarness.perDtype(name, body);
    }

    // ---- affine coupling

    /** (B, ...): one chunk (≤ 128), several (256, 257), past the chunk cap (1025, 4099), B past the 4 block rows, empty. */
    private static final long[][] COUPLING = {
            {1, 1}, {3, 31}, {5, 256}, {2, 257}, {5, 3, 5, 7}, {2, 1025}, {1, 4099}, {6, 2, 4, 4}, {0, 5}, {3, 0}};

    @TestFactory
    Stream<DynamicTest> affineCoupling() {
        ParitySpecs.Tolerance tol = ParitySpecs.SPECS.get("affineCoupling");
        return perDtype("affineCoupling", dt -> {
            Random r = new Random(900);
            for (long[] dims : COUPLING) {
                Shape s = Shape.of(dims);
                long b = s.dim(0), n = b == 0 ? 0 : s.numel() / b;
                Shape[] shapes = {s, Shape.of(b)};
                DType[] dtypes = {dt, F64};
                try (Scope scope = Scope.open()) {
                    double[] rawValues = values(r, s.numel(), -8, 6);
                    if (rawValues.length >= 4) { // far into both tails: s = 1 exactly, s ≈ 3e-18, s = 0
                        rawValues[0] = 40;
                        rawValues[1] = -42;
                        rawValues[2] = -800;
                        rawValues[3] = 800;
                    }
                    Tensor x = tensor(dt, s, values(r, s.numel(), -3, 3)), raw = tensor(dt, s, rawValues);
                    Tensor shift = tensor(dt, s, values(r, s.numel(), -2, 2)), dy = tensor(dt, s, values(r, s.numel(), -2, 2));
                    Tensor dl = Tensor.of(cpu, values(r, b, -3, 3), Shape.of(b));
                    String what = "affineCoupling " + dt + " " + s;

                    Op fwd = (k, in, out) -> k.affineCoupling(in[0], in[1], in[2], out[0], out[1]);
                    Outs o = both(new Tensor[] {x, raw, shift}, shapes, dtypes, fwd);
                    double[][] m = magnitude(new Tensor[] {f64(x, 1), f64(raw, 0), f64(shift, 1)}, shapes, fwd);
                    assertWithinMagnitude(o.cpu()[0], o.gpu()[0], m[0], tol.ulps(), dt, tol, what + " y");
                    assertLogdet(o, n, tol, what);

                    // the inverse with raw in a range where 1/s stays finite (raw = −800 makes it infinite)
                    Tensor rawInv = tensor(dt, s, values(r, s.numel(), -8, 6));
                    Op inv = (k, in, out) -> k.affineCouplingInverse(in[0], in[1], in[2], out[0], out[1]);
                    o = both(new Tensor[] {x, rawInv, shift}, shapes, dtypes, inv);
                    m = magnitude(new Tensor[] {f64(x, 1), f64(rawInv, 0), f64(shift, -1)}, shapes, inv);
                    assertWithinMagnitude(o.cpu()[0], o.gpu()[0], m[0], tol.ulps(), dt, tol, "affineCouplingInverse " + dt + " " + s + " x");
                    assertLogdet(o, n, tol, "affineCouplingInverse " + dt + " " + s);

                    Shape[] grads = {s, s};
                    Op bwd = (k, in, out) -> k.affineCouplingBackward(in[0], in[1], in[2], in[3], in[4], out[0], out[1]);
                    o = both(new Tensor[] {x, raw, shift, dy, dl}, grads, new DType[] {dt, dt}, bwd);
                    m = magnitude(new Tensor[] {f64(x, 1), f64(raw, 0), f64(shift, 1), f64(dy, 1), f64(dl, 1)}, grads, bwd);
                    for (int i = 0; i < 2; i++) {
                        assertWithinMagnitude(o.cpu()[i], o.gpu()[i], m[i], tol.ulps(), dt, tol,
                                "affineCouplingBackward " + dt + " " + s + (i == 0 ? " dx" : " draw"));
                    }
                }
            }
        });
    }

    /** logdet: n log-sigmoids of one sign summed in another order: (ulps + 2n) eps64 of |logdet|. */
    private static void assertLogdet(Outs o, long n, ParitySpecs.Tolerance tol, String what) {
        double[] e = o.cpu()[1], mag = new double[e.length];
        for (int i = 0; i < e.length; i++) mag[i] = Math.abs(e[i]);
        assertWithinMagnitude(e, o.gpu()[1], mag, tol.ulps() + 2.0 * n, F64, tol, what + " logdet");
    }

    // ---- actnorm

    /** (B, C, ...): spatial 1 ((B, C)), rows of one and several chunks, channels past the 4 block rows, B = 0. */
    private static final long[][] ACTNORM = {
            {1, 1, 1, 1}, {2, 3, 5, 7}, {5, 4, 16, 16}, {7, 5}, {4099, 3}, {3, 6, 1, 33}, {2, 1, 32, 33}, {0, 3, 2, 2}};

    @TestFactory
    Stream<DynamicTest> actnorm() {
        ParitySpecs.Tolerance tol = ParitySpecs.SPECS.get("actnorm"), tolB = ParitySpecs.SPECS.get("actnormBackward");
        return perDtype("actnorm", dt -> {
            Random r = new Random(901);
            for (long[] dims : ACTNORM) {
                Shape s = Shape.of(dims);
                long b = s.dim(0), c = s.dim(1), spatial = b * c == 0 ? 0 : s.numel() / (b * c);
                Shape[] shapes = {s, Shape.of(b)};
                DType[] dtypes = {dt, F64};
                try (Scope scope = Scope.open()) {
                    Tensor x = tensor(dt, s, values(r, s.numel(), -3, 3)), dy = tensor(dt, s, values(r, s.numel(), -2, 2));
                    Tensor ls = tensor(dt, Shape.of(c), values(r, c, -1, 1)), bias = tensor(dt, Shape.of(c), values(r, c, -1, 1));
                    Tensor dl = Tensor.of(cpu, values(r, b, -3, 3), Shape.of(b));
                    for (boolean inverse : new boolean[] {false, true}) {
                        String what = (inverse ? "actnormInverse " : "actnorm ") + dt + " " + s;
                        Op op = inverse ? (k, in, out) -> k.actnormInverse(in[0], in[1], in[2], out[0], out[1])
                                : (k, in, out) -> k.actnorm(in[0], in[1], in[2], out[0], out[1]);
                        Outs o = both(new Tensor[] {x, ls, bias}, shapes, dtypes, op);
                        double[][] m = magnitude(new Tensor[] {f64(x, 1), f64(ls, 0), f64(bias, inverse ? -1 : 1)}, shapes, op);
                        assertWithinMagnitude(o.cpu()[0], o.gpu()[0], m[0], tol.ulps(), dt, tol, what + " y");
                        assertUlps(o.cpu()[1], o.gpu()[1], F64, new ParitySpecs.Tolerance(0, "the same sequential sum"), what + " logdet");
                    }
                    Shape[] grads = {s, Shape.of(c), Shape.of(c)};
                    Op bwd = (k, in, out) -> k.actnormBackward(in[0], in[1], in[2], in[3], in[4], out[0], out[1], out[2]);
                    Outs o = both(new Tensor[] {x, ls, bias, dy, dl}, grads, new DType[] {dt, dt, dt}, bwd);
                    double[][] m = magnitude(new Tensor[] {f64(x, 1), f64(ls, 0), f64(bias, 1), f64(dy, 1), f64(dl, 1)}, grads, bwd);
                    String what = "actnormBackward " + dt + " " + s;
                    assertWithinMagnitude(o.cpu()[0], o.gpu()[0], m[0], tolB.ulps(), dt, tolB, what + " dx");
                    double sums = tolB.ulps() + 2.0 * (b * spatial + b);
                    assertWithinMagnitude(o.cpu()[1], o.gpu()[1], m[1], sums, dt, tolB, what + " dlogScale");
                    assertWithinMagnitude(o.cpu()[2], o.gpu()[2], m[2], sums, dt, tolB, what + " dbias");
                }
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> actnormStats() {
        ParitySpecs.Tolerance tol = ParitySpecs.SPECS.get("actnormStats");
        return perDtype("actnormStats", dt -> {
            Random r = new Random(902);
            for (long[] dims : ACTNORM) {
                Shape s = Shape.of(dims);
                if (s.numel() == 0) continue;
                int b = (int) s.dim(0), c = (int) s.dim(1), spatial = (int) (s.numel() / ((long) b * c)), n = b * spatial;
                double[] v = values(r, s.numel(), 1, 5);
                if (c > 1) { // channel 1 constant: mean exact, std exactly 0 on both sides
                    for (int bi = 0; bi < b; bi++) Arrays.fill(v, (bi * c + 1) * spatial, (bi * c + 2) * spatial, 2.7);
                }
                try (Scope scope = Scope.open()) {
                    Tensor x = tensor(dt, s, v);
                    double[] xs = x.toDoubleArray();
                    Outs o = both(new Tensor[] {x}, new Shape[] {Shape.of(c), Shape.of(c)}, new DType[] {dt, dt},
                            (k, in, out) -> k.actnormStats(in[0], out[0], out[1]));
                    double[] meanMag = new double[c], stdMag = new double[c];
                    for (int ci = 0; ci < c; ci++) {
                        double k0 = xs[ci * spatial], dev = 0;
                        for (int bi = 0; bi < b; bi++) {
                            for (int p = 0; p < spatial; p++) dev += Math.abs(xs[(bi * c + ci) * spatial + p] - k0);
                        }
                        meanMag[ci] = Math.abs(o.cpu()[0][ci]) + dev / n;
                        stdMag[ci] = o.cpu()[1][ci] + meanMag[ci] / (tol.ulps() + 2.0 * n);
                    }
                    String what = "actnormStats " + dt + " " + s;
                    assertWithinMagnitude(o.cpu()[0], o.gpu()[0], meanMag, tol.ulps() + 2.0 * n, dt, tol, what + " mean");
                    assertWithinMagnitude(o.cpu()[1], o.gpu()[1], stdMag, tol.ulps() + 2.0 * n, dt, tol, what + " std");
                    if (c > 1) assertEquals(0.0, o.gpu()[1][1], what + ": a constant channel has std exactly 0");
                }
            }
        });
    }

    // ---- LU: logAbsDet and matrixInverse

    /**
     * Around the emulator's 64 LU threads (a thread with one row, with two, with three) and its 32
     * solve threads x 4 blocks (130 columns loop); on a GPU also around its 256 LU threads.
     */
    private static int[] luSizes() {
        int[] small = {1, 2, 3, 31, 32, 33, 63, 64, 65, 130};
        if (CudaProbe.emulated()) return small;
        int[] all = Arrays.copyOf(small, small.length + 3);
        all[small.length] = 255;
        all[small.length + 1] = 257;
        all[small.length + 2] = 513;
        return all;
    }

    /**
     * Named matrices: random and ±1 entries (ties between pivot candidates, within a thread's rows
     * and across threads) at every size; up to C = 33 also a permutation, a singular and a NaN one.
     */
    private static List<Object[]> matrices(int c, Random r) {
        List<Object[]> m = new ArrayList<>();
        m.add(new Object[] {"random", values(r, (long) c * c, -1, 1)});
        double[] signs = new double[c * c];
        for (int i = 0; i < signs.length; i++) signs[i] = r.nextBoolean() ? 1 : -1;
        m.add(new Object[] {"±1", signs});
        if (c > 33) return m;
        double[] perm = new double[c * c];
        for (int i = 0; i < c; i++) perm[i * c + (i * 7 + 3) % c] = i % 2 == 0 ? 3 : -0.5; // a permutation iff gcd(7, c) = 1
        m.add(new Object[] {"scaled cyclic shift", perm});
        if (c >= 2) {
            double[] dup = values(r, (long) c * c, -1, 1);
            System.arraycopy(dup, 0, dup, (c - 1) * c, c); // last row = first row
            m.add(new Object[] {"singular", dup});
            double[] nan = values(r, (long) c * c, -1, 1);
            nan[c * c / 2] = Double.NaN;
            m.add(new Object[] {"NaN entry", nan});
        }
        return m;
    }

    @TestFactory
    Stream<DynamicTest> lu() {
        ParitySpecs.Tolerance logTol = ParitySpecs.SPECS.get("logAbsDet"), invTol = ParitySpecs.SPECS.get("matrixInverse");
        return perDtype("logAbsDet and matrixInverse", dt -> {
            Random r = new Random(903);
            for (int c : luSizes()) {
                if (c > 33 && dt == DType.F32 && CudaProbe.emulated()) continue; // dtype only changes loads and stores
                for (Object[] named : matrices(c, r)) {
                    try (Scope scope = Scope.open()) {
                        Tensor w = tensor(dt, Shape.of(c, c), (double[]) named[1]);
                        String what = dt + " C=" + c + " " + named[0];
                        Outs o = both(new Tensor[] {w}, new Shape[] {Shape.scalar()}, new DType[] {F64},
                                (k, in, out) -> k.logAbsDet(in[0], out[0]));
                        assertUlps(o.cpu()[0], o.gpu()[0], F64, logTol, "logAbsDet " + what);
                        o = both(new Tensor[] {w}, new Shape[] {Shape.of(c, c)}, new DType[] {dt},
                                (k, in, out) -> k.matrixInverse(in[0], out[0]));
                        assertUlps(o.cpu()[0], o.gpu()[0], dt, invTol, "matrixInverse " + what);
                    }
                }
            }
        });
    }

    // ---- squeeze

    private static final long[][] SQUEEZE = {{1, 1, 2, 2}, {2, 3, 4, 6}, {3, 5, 34, 18}, {0, 2, 2, 2}, {1, 2, 64, 2}};

    @TestFactory
    Stream<DynamicTest> squeeze() {
        ParitySpecs.Tolerance tol = ParitySpecs.SPECS.get("squeeze2d");
        return perDtype("squeeze2d and unsqueeze2d", dt -> {
            Random r = new Random(904);
            for (long[] dims : SQUEEZE) {
                Shape big = Shape.of(dims), small = Shapes.squeeze2d(big);
                try (Scope scope = Scope.open()) {
                    Outs o = both(new Tensor[] {tensor(dt, big, values(r, big.numel(), -4, 4))}, new Shape[] {small}, new DType[] {dt},
                            (k, in, out) -> k.squeeze2d(in[0], out[0]));
                    assertUlps(o.cpu()[0], o.gpu()[0], dt, tol, "squeeze2d " + dt + " " + big);
                    o = both(new Tensor[] {tensor(dt, small, values(r, small.numel(), -4, 4))}, new Shape[] {big}, new DType[] {dt},
                            (k, in, out) -> k.unsqueeze2d(in[0], out[0]));
                    assertUlps(o.cpu()[0], o.gpu()[0], dt, ParitySpecs.SPECS.get("unsqueeze2d"), "unsqueeze2d " + dt + " " + small);
                }
            }
        });
    }
}
