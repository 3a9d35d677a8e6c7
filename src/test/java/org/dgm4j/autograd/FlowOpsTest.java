package org.dgm4j.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The normalizing-flow ops of the op table (on the CPU, their reference) against naive compositions
 * of existing ops, inverse(forward) round trips, known determinants, and the argument checks.
 * Tolerances: float64 results within 1e-12 relative of the composition (a few roundings apart);
 * float32 results within 2e-7 relative of the float64 composition (the one rounding to float32).
 */
class FlowOpsTest {
    private final Backend cpu = Backends.cpu();
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private Tensor random(Random r, DType dt, double lo, double hi, long... dims) {
        Shape s = Shape.of(dims);
        double[] v = new double[(int) s.numel()];
        for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * r.nextDouble();
        Tensor t = Tensor.of(cpu, v, s);
        return dt == DType.F64 ? t : Ops.cast(t, dt);
    }

    private static Tensor f64(Tensor t) {
        return Ops.cast(t, DType.F64);
    }

    private static void assertClose(Tensor expected, Tensor actual, double rel, String what) {
        assertEquals(expected.shape(), actual.shape(), what + ": shape");
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            double tol = rel * Math.max(1, Math.abs(e[i]));
            assertTrue(Math.abs(e[i] - a[i]) <= tol, what + ": element " + i + ": expected " + e[i] + ", found " + a[i]);
        }
    }

    private static double rel(DType dt) {
        return dt == DType.F64 ? 1e-12 : 2e-7;
    }

    /** Σ over every axis but the batch axis, as (B). */
    private static Tensor perSampleSum(Tensor t) {
        int[] axes = new int[t.rank() - 1];
        for (int i = 1; i < t.rank(); i++) axes[i - 1] = i;
        return Ops.sum(t, false, axes);
    }

    // ---- affine coupling

    @Test
    void affineCouplingMatchesTheComposition() {
        Random r = new Random(1);
        for (DType dt : DType.values()) {
            for (long[] dims : new long[][] {{2, 3, 4, 5}, {3, 7}}) {
                Tensor x = random(r, dt, -3, 3, dims), raw = random(r, dt, -6, 4, dims), shift = random(r, dt, -2, 2, dims);
                Ops.WithLogdet fused = Ops.affineCoupling(x, raw, shift);
                Tensor s = Ops.sigmoid(Ops.addScalar(f64(raw), 2));
                String what = "affineCoupling " + dt + " " + x.shape();
                assertClose(Ops.mul(Ops.add(f64(x), f64(shift)), s), fused.out(), rel(dt), what + " out");
                assertEquals(dt, fused.out().dtype());
                assertEquals(DType.F64, fused.logdet().dtype());
                assertClose(perSampleSum(Ops.log(s)), fused.logdet(), 1e-12, what + " logdet");

                Ops.WithLogdet back = Ops.affineCouplingInverse(fused.out(), raw, shift);
                assertClose(x, back.out(), dt == DType.F64 ? 1e-12 : 1e-6, what + " inverse(forward)");
                assertArrayEquals(Ops.neg(fused.logdet()).toDoubleArray(), back.logdet().toDoubleArray(), 0,
                        what + ": the inverse's logdet is minus the forward's, term by term");
            }
        }
    }

    /** Far into both tails: s = 1, s ≈ 1e-18, s underflowing to 0; log s stays finite and exact. */
    @Test
    void affineCouplingIsStableForExtremeRaw() {
        double[] raw = {800, 40, -42, -800};
        Tensor x = Tensor.of(cpu, new double[] {1, 1, 1, 1}, Shape.of(1, 4));
        Tensor zero = Tensor.zeros(cpu, DType.F64, Shape.of(1, 4));
        Ops.WithLogdet f = Ops.affineCoupling(x, Tensor.of(cpu, raw, Shape.of(1, 4)), zero);
        double[] y = f.out().toDoubleArray();
        assertEquals(1.0, y[0]);
        assertEquals(1 / (1 + Math.exp(-42)), y[1], 1e-16);
        assertEquals(Math.exp(-40), y[2], 1e-16 * Math.exp(-40));
        assertEquals(0.0, y[3]);
        // log s: -0, -log1p(e^-42), -40 - log1p(e^-40), -798 - log1p(e^-798)
        double expected = -Math.log1p(Math.exp(-42)) + (-40 - Math.log1p(Math.exp(-40))) - 798;
        assertEquals(expected, f.logdet().item(), 1e-12);
    }

    /** The fused backward against autograd through the composition, for both outputs at once. */
    @Test
    void affineCouplingGradientsMatchTheComposition() {
        Random r = new Random(2);
        long[] dims = {2, 3, 2, 2};
        double[][] in = new double[3][];
        for (int i = 0; i < 3; i++) in[i] = random(r, DType.F64, i == 1 ? -5 : -2, 2, dims).toDoubleArray();
        Tensor wy = random(r, DType.F64, -1, 1, dims), wl = random(r, DType.F64, -1, 1, 2);
        double[][] fused = grads(in, dims, v -> {
            Ops.WithLogdet o = Ops.affineCoupling(v[0], v[1], v[2]);
            return Ops.add(Ops.sum(Ops.mul(o.out(), wy), false), Ops.sum(Ops.mul(o.logdet(), wl), false));
        });
        double[][] composed = grads(in, dims, v -> {
            Tensor s = Ops.sigmoid(Ops.addScalar(v[1], 2));
            Tensor y = Ops.mul(Ops.add(v[0], v[2]), s);
            return Ops.add(Ops.sum(Ops.mul(y, wy), false), Ops.sum(Ops.mul(perSampleSum(Ops.log(s)), wl), false));
        });
        for (int i = 0; i < 3; i++) assertArrayEquals(composed[i], fused[i], 1e-12, "gradient of input " + i);
    }

    /** Gradients of loss(inputs) w.r.t. the float64 inputs of the given shape. */
    private double[][] grads(double[][] values, long[] dims, java.util.function.Function<Tensor[], Tensor> loss) {
        Tensor[] v = new Tensor[values.length];
        for (int i = 0; i < v.length; i++) v[i] = Tensor.of(cpu, values[i], Shape.of(dims)).requiresGrad(true);
        loss.apply(v).backward();
        double[][] g = new double[v.length][];
        for (int i = 0; i < v.length; i++) {
            g[i] = v[i].grad().toDoubleArray();
            v[i].setGrad(null);
        }
        return g;
    }

    /** Each output alone reaches the loss: the other's gradient is zero, not lost or doubled. */
    @Test
    void eitherOutputAloneGivesItsOwnGradient() {
        Random r = new Random(3);
        Tensor x = random(r, DType.F64, -1, 1, 3, 4).requiresGrad(true);
        Tensor raw = random(r, DType.F64, -1, 1, 3, 4).requiresGrad(true);
        Tensor shift = random(r, DType.F64, -1, 1, 3, 4);
        Ops.sum(Ops.affineCoupling(x, raw, shift).logdet(), false).backward();
        assertArrayEquals(new double[12], x.grad().toDoubleArray(), "logdet does not depend on x");
        double[] rawFromLogdet = raw.grad().toDoubleArray();
        raw.setGrad(null);
        x.setGrad(null);
        Ops.sum(Ops.affineCoupling(x, raw, shift).out(), false).backward();
        double[] s = Ops.sigmoid(Ops.addScalar(raw.detach(), 2)).toDoubleArray();
        assertArrayEquals(s, x.grad().toDoubleArray(), 1e-15, "d Σy / dx = s");
        for (int i = 0; i < 12; i++) assertEquals(1 - s[i], rawFromLogdet[i], 1e-15, "d Σ log s / d raw = 1 - s");
        x.setGrad(null);
        raw.setGrad(null);
    }

    // ---- actnorm

    @Test
    void actnormMatchesTheComposition() {
        Random r = new Random(4);
        for (DType dt : DType.values()) {
            for (long[] dims : new long[][] {{2, 3, 4, 5}, {6, 3}}) {
                Tensor x = random(r, dt, -3, 3, dims), ls = random(r, dt, -1, 1, 3), bias = random(r, dt, -1, 1, 3);
                long spatial = x.numel() / (dims[0] * 3);
                Shape channel = x.rank() == 4 ? Shape.of(1, 3, 1, 1) : Shape.of(1, 3);
                Ops.WithLogdet fused = Ops.actnorm(x, ls, bias);
                String what = "actnorm " + dt + " " + x.shape();
                Tensor expected = Ops.mul(Ops.add(f64(x), Ops.reshape(f64(bias), channel)), Ops.reshape(Ops.exp(f64(ls)), channel));
                assertClose(expected, fused.out(), rel(dt), what + " out");
                double ld = spatial * Ops.sum(f64(ls), false).item();
                for (double v : fused.logdet().toDoubleArray()) assertEquals(ld, v, 1e-12 * Math.abs(ld), what + " logdet");

                Ops.WithLogdet back = Ops.actnormInverse(fused.out(), ls, bias);
                assertClose(x, back.out(), dt == DType.F64 ? 1e-12 : 1e-6, what + " inverse(forward)");
                assertArrayEquals(Ops.neg(fused.logdet()).toDoubleArray(), back.logdet().toDoubleArray(), 0, what + " inverse logdet");
            }
        }
    }

    @Test
    void actnormGradientsMatchTheComposition() {
        Random r = new Random(5);
        Tensor wy = random(r, DType.F64, -1, 1, 2, 3, 2, 2), wl = random(r, DType.F64, -1, 1, 2);
        double[][] in = {random(r, DType.F64, -2, 2, 2, 3, 2, 2).toDoubleArray(), random(r, DType.F64, -1, 1, 3).toDoubleArray(),
                random(r, DType.F64, -1, 1, 3).toDoubleArray()};
        long[][] shapes = {{2, 3, 2, 2}, {3}, {3}};
        double[][] fused = grads(in, shapes, v -> {
            Ops.WithLogdet o = Ops.actnorm(v[0], v[1], v[2]);
            return Ops.add(Ops.sum(Ops.mul(o.out(), wy), false), Ops.sum(Ops.mul(o.logdet(), wl), false));
        });
        double[][] composed = grads(in, shapes, v -> {
            Shape channel = Shape.of(1, 3, 1, 1);
            Tensor y = Ops.mul(Ops.add(v[0], Ops.reshape(v[2], channel)), Ops.exp(Ops.reshape(v[1], channel)));
            Tensor logdet = Ops.expand(Ops.reshape(Ops.mulScalar(Ops.sum(v[1], false), 4), Shape.of(1)), Shape.of(2));
            return Ops.add(Ops.sum(Ops.mul(y, wy), false), Ops.sum(Ops.mul(logdet, wl), false));
        });
        for (int i = 0; i < 3; i++) assertArrayEquals(composed[i], fused[i], 1e-12, "gradient of input " + i);
    }

    private double[][] grads(double[][] values, long[][] shapes, java.util.function.Function<Tensor[], Tensor> loss) {
        Tensor[] v = new Tensor[values.length];
        for (int i = 0; i < v.length; i++) v[i] = Tensor.of(cpu, values[i], Shape.of(shapes[i])).requiresGrad(true);
        loss.apply(v).backward();
        double[][] g = new double[v.length][];
        for (int i = 0; i < v.length; i++) {
            g[i] = v[i].grad().toDoubleArray();
            v[i].setGrad(null);
        }
        return g;
    }

    @Test
    void actnormStatsMatchTheNaiveTwoPassAndAConstantChannelHasStdZero() {
        Random r = new Random(6);
        for (DType dt : DType.values()) {
            double[] v = random(r, DType.F64, -1, 1, 4, 3, 5, 5).toDoubleArray();
            for (int i = 0; i < v.length; i++) v[i] += 1e4; // an offset the shifted two-pass does not mind
            for (int b = 0; b < 4; b++) java.util.Arrays.fill(v, (b * 3 + 2) * 25, (b * 3 + 3) * 25, 0.1); // channel 2 constant
            Tensor x = Ops.cast(Tensor.of(cpu, v, Shape.of(4, 3, 5, 5)), dt);
            Ops.ChannelStats st = Ops.actnormStats(x);
            Tensor mean = Ops.mean(f64(x), true, 0, 2, 3);
            Tensor std = Ops.sqrt(Ops.mean(Ops.square(Ops.sub(f64(x), mean)), false, 0, 2, 3));
            assertClose(Ops.reshape(mean, Shape.of(3)), st.mean(), rel(dt), "mean " + dt);
            double[] s = st.std().toDoubleArray(), e = std.toDoubleArray();
            for (int c = 0; c < 2; c++) assertEquals(e[c], s[c], (dt == DType.F64 ? 1e-9 : 1e-3) * e[c], "std " + dt + " channel " + c);
            assertEquals(0.0, s[2], "a constant channel: std exactly 0 (the caller adds its epsilon), never NaN");
            assertEquals(x.toDoubleArray()[50], st.mean().toDoubleArray()[2], "a constant channel: mean exactly the constant");
        }
    }

    // ---- LU: logAbsDet and matrixInverse

    private double logAbsDet(int c, double... w) {
        return Ops.logAbsDet(Tensor.of(cpu, w, Shape.of(c, c))).item();
    }

    @Test
    void logAbsDetOfKnownMatrices() {
        assertEquals(Math.log(24), logAbsDet(3, 2, 0, 0, 0, 3, 0, 0, 0, 4), 1e-15);
        assertEquals(Math.log(6), logAbsDet(2, 0, 2, 3, 0), 1e-15, "a zero first pivot: needs a row swap");
        assertEquals(Math.log(2), logAbsDet(3, 0, 1, 2, 1, 0, 3, 4, -3, 8), 1e-15, "det -2, two swaps");
        assertEquals(Math.log(5), logAbsDet(1, -5), 1e-15, "C = 1");
        assertEquals(2 * Math.log(1e300) - 310 * Math.log(10), logAbsDet(3, 1e300, 0, 0, 0, 1e300, 0, 0, 0, 1e-310), 1e-12,
                "|det| = 1e290, its partial products over- and underflow a double: m·2^E does not");
        assertEquals(Double.NEGATIVE_INFINITY, logAbsDet(2, 1, 2, 2, 4), "singular");
        assertEquals(Double.NEGATIVE_INFINITY, logAbsDet(3, 1, 0, 2, 3, 0, 1, 5, 0, 7), "a zero column");
        assertEquals(Double.NEGATIVE_INFINITY, logAbsDet(1, 0), "C = 1, zero");
        assertTrue(Double.isNaN(logAbsDet(2, 1, Double.NaN, 0, 1)), "NaN entry");
        assertTrue(Double.isNaN(logAbsDet(2, Double.POSITIVE_INFINITY, 0, 0, 1)), "infinite entry");
        Tensor f32 = Ops.cast(Tensor.of(cpu, new double[] {0, 2, 3, 0}, Shape.of(2, 2)), DType.F32);
        Tensor ld = Ops.logAbsDet(f32);
        assertEquals(DType.F64, ld.dtype(), "float64 whatever w's dtype");
        assertEquals(Math.log(6), ld.item(), 1e-15);
    }

    @Test
    void matrixInverseOfKnownAndRandomMatrices() {
        assertArrayEquals(new double[] {0, 1.0 / 3, 0.5, 0}, Ops.matrixInverse(Tensor.of(cpu, new double[] {0, 2, 3, 0}, Shape.of(2, 2)))
                .toDoubleArray(), 1e-16);
        double[] singular = Ops.matrixInverse(Tensor.of(cpu, new double[] {1, 2, 2, 4}, Shape.of(2, 2))).toDoubleArray();
        for (double v : singular) assertTrue(Double.isNaN(v), "a singular matrix has an all-NaN inverse");
        Random r = new Random(7);
        for (DType dt : DType.values()) {
            Tensor w = random(r, dt, -1, 1, 40, 40);
            Tensor wi = Ops.matrixInverse(w);
            double[] eye = new double[40 * 40];
            for (int i = 0; i < 40; i++) eye[i * 41] = 1;
            assertClose(Tensor.of(cpu, eye, Shape.of(40, 40)), Ops.matmul(f64(w), f64(wi)), dt == DType.F64 ? 1e-11 : 1e-4, "w·w⁻¹ " + dt);
            assertEquals(0, Ops.logAbsDet(w).item() + Ops.logAbsDet(wi).item(), dt == DType.F64 ? 1e-12 : 1e-4,
                    "log|det w| + log|det w⁻¹| = 0, " + dt);
        }
    }

    @Test
    void logAbsDetGradientIsTheInverseTranspose() {
        Random r = new Random(8);
        Tensor w = random(r, DType.F64, -1, 1, 5, 5).requiresGrad(true);
        Ops.logAbsDet(w).backward();
        Tensor expected = Ops.transpose(Ops.matrixInverse(w.detach()), 0, 1);
        assertArrayEquals(expected.toDoubleArray(), w.grad().toDoubleArray(), 1e-15);
        w.setGrad(null);
    }

    // ---- squeeze

    @Test
    void squeezeIsGlowsReshapePermuteReshape() {
        Random r = new Random(9);
        for (DType dt : DType.values()) {
            Tensor x = random(r, dt, -1, 1, 2, 3, 6, 4);
            Tensor expected = Ops.reshape(Ops.permute(Ops.reshape(x, Shape.of(2, 3, 3, 2, 2, 2)), 0, 1, 3, 5, 2, 4), Shape.of(2, 12, 3, 2));
            Tensor sq = Ops.squeeze2d(x);
            assertArrayEquals(expected.toDoubleArray(), sq.toDoubleArray(), 0, "squeeze2d " + dt);
            assertArrayEquals(x.toDoubleArray(), Ops.unsqueeze2d(sq).toDoubleArray(), 0, "unsqueeze2d(squeeze2d(x)) = x, " + dt);
        }
    }

    // ---- argument checks name the shapes

    @Test
    void badArgumentsAreJavaExceptionsNamingTheShapes() {
        Tensor odd = Tensor.zeros(cpu, DType.F32, Shape.of(1, 2, 5, 4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ops.squeeze2d(odd));
        assertTrue(e.getMessage().contains("even") && e.getMessage().contains("(1, 2, 5, 4)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ops.unsqueeze2d(Tensor.zeros(cpu, DType.F32, Shape.of(1, 6, 2, 2))));
        assertTrue(e.getMessage().contains("multiple of 4"), e.getMessage());

        Tensor x = Tensor.zeros(cpu, DType.F32, Shape.of(2, 3, 4, 4));
        e = assertThrows(IllegalArgumentException.class, () -> Ops.affineCoupling(x, Tensor.zeros(cpu, DType.F32, Shape.of(2, 3, 4, 2)), x));
        assertTrue(e.getMessage().contains("raw") && e.getMessage().contains("(2, 3, 4, 4)") && e.getMessage().contains("(2, 3, 4, 2)"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ops.actnorm(x, Tensor.zeros(cpu, DType.F32, Shape.of(4)),
                Tensor.zeros(cpu, DType.F32, Shape.of(3))));
        assertTrue(e.getMessage().contains("(3,)") && e.getMessage().contains("(4,)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ops.logAbsDet(Tensor.zeros(cpu, DType.F64, Shape.of(2, 3))));
        assertTrue(e.getMessage().contains("square") && e.getMessage().contains("(2, 3)"), e.getMessage());
        Tensor logdet32 = Tensor.zeros(cpu, DType.F32, Shape.of(2));
        e = assertThrows(IllegalArgumentException.class, () -> cpu.kernels().affineCoupling(x, x, x, Ops.zerosLike(x), logdet32));
        assertTrue(e.getMessage().contains("logdet must be float64"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ops.actnormStats(Tensor.zeros(cpu, DType.F32, Shape.of(0, 3))));
        assertTrue(e.getMessage().contains("no values"), e.getMessage());
    }
}
