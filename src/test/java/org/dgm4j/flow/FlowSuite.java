package org.dgm4j.flow;

import static org.dgm4j.flow.FlowTesting.assertClose;
import static org.dgm4j.flow.FlowTesting.normal;
import static org.dgm4j.flow.FlowTesting.weighted;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Gradcheck;
import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The flow library's contracts, run on one backend per subclass (CPU: {@link FlowCpuTest}; CUDA or its
 * emulator: {@link FlowCudaTest}). Every bijector and every model is checked for
 *
 * <ul>
 *   <li>inverse(forward(x)) = x: max error ≤ 1e-4 (float32) or 1e-10 (float64) times max(1, max|x|),
 *       float32's 2^−24 rounding compounded over a few dozen ops with scales up to ~10, float64's
 *       2^−53 the same way;</li>
 *   <li>inverse's logdet = −forward's, same tolerances relative to max(1, |logdet|);</li>
 *   <li>forward's logdet = log|det J| of the Jacobian by central differences (float64, one batched
 *       forward pass, see {@link FlowTesting#jacobianLogAbsDet}), ≤ 1e-6 relative to max(1, |log det|):
 *       the entries are good to ~1e-9, the LU of a ≤ 32×32 matrix loses a few digits at most, so 1e-6
 *       leaves room without hiding a wrong term (those are O(1)).</li>
 * </ul>
 *
 * Parameters are perturbed away from their (often zero) initialization first, so nets and priors are
 * non-trivial functions. Gradients of every layer's parameters and of its inputs are checked against
 * central differences in float64 with Gradcheck's tolerances (see {@link #gradients} for what runs
 * where: each op costs milliseconds on the CUDA emulator, so there the element-by-element checks are
 * replaced by parity with the CPU).
 */
abstract class FlowSuite {
    /** The backend the models are created on. */
    abstract Backend backend();

    /** Keeps the sizes small where each op is expensive (the emulator). */
    boolean small() {
        return false;
    }

    @BeforeEach
    void useBackend() {
        Backends.use(backend());
    }

    @AfterEach
    void restoreCpu() {
        Backends.use(Backends.cpu());
    }

    /** A bijector factory with the per-batch input shape it takes. */
    record Case(String name, long[] dims, BiFunction<DType, Generator, Bijector> make) {
        @Override
        public String toString() {
            return name + " " + Shape.of(dims);
        }
    }

    static Case c(String name, BiFunction<DType, Generator, Bijector> make, long... dims) {
        return new Case(name, dims, make);
    }

    static List<Case> bijectors() {
        List<Case> l = new ArrayList<>();
        l.add(c("actnorm image", (dt, g) -> new ActNorm(3, dt), 3, 3, 2, 2));
        l.add(c("actnorm flat", (dt, g) -> new ActNorm(5, dt), 3, 5));
        l.add(c("invconv dense image", (dt, g) -> new InvConv1x1(3, dt, g), 2, 3, 2, 2));
        l.add(c("invconv dense flat", (dt, g) -> new InvConv1x1(4, dt, g), 3, 4));
        l.add(c("invconv LU image", (dt, g) -> new InvConv1x1Lu(4, dt, g), 2, 4, 2, 2));
        l.add(c("invconv LU flat", (dt, g) -> new InvConv1x1Lu(3, dt, g), 2, 3));
        l.add(c("additive channel conv", (dt, g) -> new AdditiveCoupling(4, Mask.CHANNEL, false, CouplingNet.conv(3, dt, g)), 2, 4, 2, 2));
        l.add(c("additive checkerboard conv", (dt, g) -> new AdditiveCoupling(2, Mask.CHECKERBOARD, true, CouplingNet.conv(3, dt, g)), 2, 2, 3, 2));
        l.add(c("additive odd/even mlp", (dt, g) -> new AdditiveCoupling(5, Mask.CHECKERBOARD, false, CouplingNet.mlp(6, 2, dt, g)), 3, 5));
        l.add(c("affine channel conv", (dt, g) -> new AffineCoupling(4, Mask.CHANNEL, false, CouplingNet.conv(3, dt, g)), 2, 4, 2, 2));
        l.add(c("affine channel conv flipped, odd C", (dt, g) -> new AffineCoupling(3, Mask.CHANNEL, true, CouplingNet.conv(3, dt, g)), 2, 3, 2, 2));
        l.add(c("affine checkerboard conv", (dt, g) -> new AffineCoupling(2, Mask.CHECKERBOARD, false, CouplingNet.conv(3, dt, g)), 2, 2, 2, 3));
        l.add(c("affine channel mlp odd D", (dt, g) -> new AffineCoupling(5, Mask.CHANNEL, false, CouplingNet.mlp(6, 2, dt, g)), 3, 5));
        l.add(c("affine odd/even mlp flipped", (dt, g) -> new AffineCoupling(4, Mask.CHECKERBOARD, true, CouplingNet.mlp(6, 1, dt, g)), 3, 4));
        l.add(c("squeeze", (dt, g) -> new Squeeze(), 2, 2, 4, 2));
        l.add(c("split prior, odd C", (dt, g) -> new SplitPrior(5, dt, g), 2, 5, 2, 2));
        l.add(c("learned top prior", (dt, g) -> new LearnedPrior(3, dt), 2, 3, 2, 2));
        l.add(c("flat", (dt, g) -> new Flat(Shape.of(2, 3, 2)), 2, 2, 3, 2));
        l.add(c("glow step chain", (dt, g) -> new Chain(new ActNorm(4, dt), new InvConv1x1Lu(4, dt, g),
                new AffineCoupling(4, Mask.CHANNEL, false, CouplingNet.conv(3, dt, g))), 2, 4, 2, 2));
        return l;
    }

    static List<Case> models() {
        List<Case> l = new ArrayList<>();
        l.add(c("NICE, logistic base", (dt, g) -> new Nice(Shape.of(1, 2, 3), 4, 8, 2, Base.LOGISTIC, dt, g), 2, 1, 2, 3));
        l.add(c("RealNVP 2-D", (dt, g) -> new RealNvp2d(4, 8, 2, dt, g), 3, 2));
        l.add(c("RealNVP image, 2 scales", (dt, g) -> new RealNvpImage(Shape.of(1, 4, 4), 2, 3, dt, g), 2, 1, 4, 4));
        l.add(c("Glow dense 1x1, learned top", (dt, g) -> new Glow(Shape.of(1, 4, 4), 2, 1, 3, true, false, dt, g), 2, 1, 4, 4));
        l.add(c("Glow LU 1x1, standard top", (dt, g) -> new Glow(Shape.of(2, 4, 4), 2, 2, 3, false, true, dt, g), 2, 2, 4, 4));
        return l;
    }

    private Stream<DynamicTest> contracts(List<Case> cases, DType... dtypes) {
        List<DynamicTest> tests = new ArrayList<>();
        for (Case k : cases) {
            for (DType dt : dtypes) {
                tests.add(DynamicTest.dynamicTest(k + " " + dt, () -> contract(k, dt)));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> bijectorContracts() {
        return contracts(bijectors(), DType.F32, DType.F64);
    }

    /** On the emulator float64 only (the strict round trip and the Jacobian); the layers' float32 runs cover the float32 kernels. */
    @TestFactory
    Stream<DynamicTest> modelContracts() {
        return small() ? contracts(models(), DType.F64) : contracts(models(), DType.F32, DType.F64);
    }

    /**
     * Builds, initializes (ActNorm) on a batch of 16 from x's distribution, perturbs: a bijector in a
     * non-trivial but well-conditioned state. (Initializing on the 2 or 3 examples under test would
     * give ActNorm scales in the hundreds where a level has 1×1 positions, and a forward map so
     * contractive that no inverse can be accurate.)
     */
    static Bijector ready(Case k, DType dt, Tensor x) {
        Bijector f = k.make().apply(dt, new Generator(5));
        if (FlowTesting.hasActNorm(f)) {
            long[] dims = x.dims();
            dims[0] = 16;
            try (Scope s = Scope.open()) {
                f.initialize(normal(dt, 11, 1.0, dims));
            }
        }
        FlowTesting.perturb(f, 0.2, 17);
        return f;
    }

    void contract(Case k, DType dt) {
        double tol = dt == DType.F32 ? 1e-4 : 1e-10;
        try (Scope s = Scope.open()) {
            Tensor x = normal(dt, 3, 1.0, k.dims());
            try (Bijector f = ready(k, dt, x)) {
                Bijector.Result fwd = f.forward(x);
                long batch = x.dim(0);
                assertEquals(DType.F64, fwd.logdet().dtype(), "logdets are float64");
                assertEquals(Shape.of(batch), fwd.logdet().shape(), "one logdet per example");
                assertEquals(dt, fwd.value().dtype());
                assertEquals(x.numel(), fwd.value().numel(), "a bijection keeps the size");
                Bijector.Result inv = f.inverse(fwd.value());
                assertEquals(x.shape(), inv.value().shape());
                assertClose(x.toDoubleArray(), inv.value().toDoubleArray(), tol, "inverse(forward(x)) = x");
                double[] ld = fwd.logdet().toDoubleArray(), back = inv.logdet().toDoubleArray();
                for (int b = 0; b < ld.length; b++) {
                    assertEquals(-ld[b], back[b], tol * Math.max(1, Math.abs(ld[b])), "inverse logdet = −forward logdet, example " + b);
                    assertTrue(Double.isFinite(ld[b]), "finite logdet");
                }
                if (dt == DType.F64) {
                    // the emulator computes slowly: there the first example only (the stacked batch is 1 + 2·D)
                    int n = small() ? 1 : ld.length;
                    FlowTesting.Jacobian jac = FlowTesting.withJacobian(in -> f.forward(in).value(), x.narrowBatch(0, n));
                    assertClose(fwd.value().narrowBatch(0, n).toDoubleArray(), jac.value(), 1e-12, "a batch's examples do not interact");
                    for (int b = 0; b < n; b++) {
                        assertEquals(jac.logAbsDet()[b], ld[b], 1e-6 * Math.max(1, Math.abs(jac.logAbsDet()[b])),
                                "logdet = log|det J| (central differences), example " + b);
                    }
                }
            }
        }
    }

    // ---- gradients ------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> layerGradients() {
        return bijectors().stream().map(k -> DynamicTest.dynamicTest(k.toString(), () -> gradients(k)));
    }

    /** Σ r1·forward(x) + Σ r2·logdet + Σ r3·inverse(z) + Σ r4·inverse logdet, float64: every output exercised. */
    static Tensor probe(Bijector f, Tensor x, Tensor z) {
        Bijector.Result fw = f.forward(x), in = f.inverse(z);
        return Ops.add(Ops.add(weighted(fw.value(), 1), weighted(fw.logdet(), 2)), Ops.add(weighted(in.value(), 3), weighted(in.logdet(), 4)));
    }

    /**
     * Gradients of {@link #probe} in float64. Where ops are cheap (CPU, a real GPU): every parameter
     * element by in-place central differences and the inputs x and z through {@link Gradcheck}. On every
     * backend: a central difference along one random direction of all parameters and inputs together.
     * Off the CPU also parity: each gradient equals the one of the same layer built on the CPU (the
     * oracle checked element by element), to 1e-8 relative (float64 sums in another order).
     */
    void gradients(Case k) {
        long[] dims = k.dims().clone();
        dims[0] = 2; // two examples suffice and halve the work
        try (Scope s = Scope.open()) {
            Tensor x = normal(DType.F64, 3, 1.0, dims);
            try (Bijector f = ready(k, DType.F64, x)) {
                Tensor z;
                try (var ng = Autograd.noGrad()) {
                    Tensor y = f.forward(x).value();
                    z = Ops.add(y, normal(DType.F64, 4, 0.1, y.dims()));
                }
                if (!small()) {
                    FlowTesting.gradcheckParameters(f, () -> probe(f, x, z), k.toString());
                    Gradcheck.Result forwardX = Gradcheck.check(backend(), in -> {
                        Bijector.Result fw = f.forward(in[0]);
                        return Ops.add(weighted(fw.value(), 1), weighted(fw.logdet(), 2));
                    }, new double[][] {x.toDoubleArray()}, new long[][] {dims});
                    assertTrue(forwardX.passed(), "d/dx of forward: " + forwardX);
                    Gradcheck.Result inverseZ = Gradcheck.check(backend(), in -> {
                        Bijector.Result iv = f.inverse(in[0]);
                        return Ops.add(weighted(iv.value(), 3), weighted(iv.logdet(), 4));
                    }, new double[][] {z.toDoubleArray()}, new long[][] {z.dims()});
                    assertTrue(inverseZ.passed(), "d/dz of inverse: " + inverseZ);
                }
                Tensor xv = Ops.copyOf(x).requiresGrad(true), zv = Ops.copyOf(z).requiresGrad(true);
                f.zeroGrad();
                probe(f, xv, zv).backward();
                FlowTesting.gradcheckDirection(f, new Tensor[] {xv, zv}, () -> probe(f, xv, zv), 23, k.toString());
                if (backend() != Backends.cpu()) assertGradientsMatchCpu(k, f, xv, zv);
                f.zeroGrad();
            }
        }
    }

    /** f's gradients (already computed for probe(f, xv, zv)) equal those of its twin built on the CPU. */
    private void assertGradientsMatchCpu(Case k, Bijector f, Tensor xv, Tensor zv) {
        Backend cpu = Backends.cpu();
        Tensor xc = xv.to(cpu).requiresGrad(true), zc = zv.to(cpu).requiresGrad(true);
        Backends.use(cpu);
        try (Bijector twin = ready(k, DType.F64, xc)) {
            Backends.use(backend());
            probe(twin, xc, zc).backward();
            LinkedHashMap<String, Tensor> mine = f.namedParameters(), ref = twin.namedParameters();
            assertEquals(ref.keySet(), mine.keySet());
            for (String name : ref.keySet()) {
                assertClose(ref.get(name).toDoubleArray(), mine.get(name).toDoubleArray(), 1e-10, k + ": parameter " + name + " as on the CPU");
                assertClose(ref.get(name).grad().toDoubleArray(), mine.get(name).grad().toDoubleArray(), 1e-8, k + ": gradient of " + name + " as on the CPU");
            }
            assertClose(xc.grad().toDoubleArray(), xv.grad().toDoubleArray(), 1e-8, k + ": gradient of x as on the CPU");
            assertClose(zc.grad().toDoubleArray(), zv.grad().toDoubleArray(), 1e-8, k + ": gradient of z as on the CPU");
        } finally {
            Backends.use(backend());
        }
    }

    // ---- ActNorm's initialization ---------------------------------------------------------------

    @Test
    void actNormConstantChannelStaysFinite() {
        try (Scope s = Scope.open(); ActNorm a = new ActNorm(3, DType.F32)) {
            float[] v = new float[4 * 3 * 2 * 2];
            for (int i = 0; i < v.length; i++) v[i] = (i / 4) % 3 == 1 ? 3.5f : (float) Math.sin(i); // channel 1 constant
            Tensor x = Tensor.of(v, 4, 3, 2, 2);
            Bijector.Result r = a.initialize(x);
            for (double d : r.value().toDoubleArray()) assertTrue(Double.isFinite(d), "finite output " + d);
            for (double d : r.logdet().toDoubleArray()) assertTrue(Double.isFinite(d), "finite logdet " + d);
            for (double d : a.logScale().tensor().toDoubleArray()) assertTrue(Double.isFinite(d), "finite log-scale");
            double[] y = r.value().toDoubleArray();
            for (int i = 0; i < y.length; i++) if ((i / 4) % 3 == 1) assertEquals(0, y[i], 0, "a constant channel maps to 0");
            assertClose(x.toDoubleArray(), a.inverse(r.value()).value().toDoubleArray(), 1e-4, "inverse on the constant channel too");
        }
    }

    @Test
    void actNormInitializesOnceNormalizesAndSurvivesTheStateDict() {
        try (Scope s = Scope.open(); ActNorm a = new ActNorm(2, DType.F64); ActNorm fresh = new ActNorm(2, DType.F64)) {
            Tensor x = Ops.addScalar(normal(DType.F64, 8, 3.0, 64, 2, 3, 3), 5);
            assertFalse(a.isInitialized());
            assertThrows(IllegalStateException.class, () -> a.forward(x), "no hidden initialization in forward");
            double[] y = a.initialize(x).value().toDoubleArray();
            assertTrue(a.isInitialized());
            for (int c = 0; c < 2; c++) { // zero mean, unit variance per channel on the init batch
                double sum = 0, sq = 0;
                int n = 0;
                for (int b = 0; b < 64; b++) for (int p = 0; p < 9; p++) {
                    double v = y[(b * 2 + c) * 9 + p];
                    sum += v;
                    sq += v * v;
                    n++;
                }
                assertEquals(0, sum / n, 1e-10);
                assertEquals(1, sq / n, 1e-5); // the eps of 1/(std + eps) at std ≈ 3
            }
            double[] bias = a.bias().tensor().toDoubleArray(), logScale = a.logScale().tensor().toDoubleArray();
            a.initialize(normal(DType.F64, 9, 1.0, 8, 2, 3, 3)); // done once: a second batch changes nothing
            assertArrayEquals(bias, a.bias().tensor().toDoubleArray());
            assertArrayEquals(logScale, a.logScale().tensor().toDoubleArray());

            LinkedHashMap<String, Tensor> state = a.stateDict();
            assertEquals(List.of("bias", "logScale", "initialized"), List.copyOf(state.keySet()));
            fresh.loadStateDict(state);
            assertTrue(fresh.isInitialized(), "the flag travels with the state dict");
            fresh.initialize(normal(DType.F64, 10, 1.0, 8, 2, 3, 3));
            assertArrayEquals(bias, fresh.bias().tensor().toDoubleArray(), "a loaded layer is never re-initialized");
            assertArrayEquals(x.toDoubleArray(), fresh.inverse(fresh.forward(x).value()).value().toDoubleArray(), 1e-9);
        }
    }

    // ---- structure ------------------------------------------------------------------------------

    @Test
    void zeroInitializedLayersStartAsIdentityOrFixedScale() {
        try (Scope s = Scope.open();
             AdditiveCoupling add = new AdditiveCoupling(4, Mask.CHANNEL, false, CouplingNet.conv(3, DType.F64, new Generator(1)));
             AffineCoupling aff = new AffineCoupling(4, Mask.CHECKERBOARD, false, CouplingNet.conv(3, DType.F64, new Generator(1)));
             SplitPrior split = new SplitPrior(4, DType.F64, new Generator(1))) {
            Tensor x = normal(DType.F64, 2, 1.0, 2, 4, 2, 2);
            assertArrayEquals(x.toDoubleArray(), add.forward(x).value().toDoubleArray(), 0);
            assertArrayEquals(x.toDoubleArray(), split.forward(x).value().toDoubleArray(), 0);
            assertArrayEquals(new double[] {0, 0}, split.forward(x).logdet().toDoubleArray(), 0);
            double s2 = 1 / (1 + Math.exp(-2)), xs[] = x.toDoubleArray(), ys[] = aff.forward(x).value().toDoubleArray();
            for (int i = 0; i < xs.length; i++) {
                int h = (i / 2) % 2, w = i % 2;
                assertEquals((h + w) % 2 == 0 ? xs[i] : xs[i] * s2, ys[i], 1e-15, "kept positions unchanged, the others scaled by σ(2)");
            }
            assertEquals(4 * 2 * Math.log(s2), aff.forward(x).logdet().toDoubleArray()[0], 1e-12, "logdet = (free positions)·log σ(2)");
        }
    }
}
