package org.dgm4j.backend.cuda;

import static org.dgm4j.backend.cuda.ParityHarness.DTYPES;
import static org.dgm4j.backend.cuda.ParityHarness.cpu;
import static org.dgm4j.backend.cuda.ParityHarness.gpu;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

import org.dgm4j.backend.BinaryOp;
import org.dgm4j.backend.UnaryOp;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * Every CUDA op against the CPU backend on the same inputs, with the tolerances of
 * {@link ParitySpecs}. Sizes hit every launch branch: empty (no launch), a partial first block,
 * exactly one block of 256, one more (a second block), and sizes past the grid cap so each thread
 * of the grid-stride loop runs several times (4 blocks on the emulator; 1024 blocks on a GPU, which
 * gets a bigger size). Runs on a GPU or on the emulator (surefire execution cuda-emu); skipped
 * where the CUDA probe finds neither.
 */
@Tag("cuda")
class CudaParityTest {
    @BeforeAll
    static void backends() {
        ParityHarness.backends();
    }

    static long[] sizes() {
        long[] small = {0, 1, 31, 32, 33, 255, 256, 257, 1025, 4099};
        if (CudaProbe.emulated()) return small;
        long[] all = java.util.Arrays.copyOf(small, small.length + 1);
        all[small.length] = 1024 * 256 * 3 + 5; // three trips of the grid-stride loop on a GPU
        return all;
    }

    /** Broadcast layouts: equal shapes (the flat path), scalars, both sides broadcast, rank 8. */
    static final Shape[][] BROADCASTS = {
            {Shape.of(257), Shape.of(257)},
            {Shape.of(4099), Shape.of(4099)},
            {Shape.of(3, 1), Shape.of(1, 4)},
            {Shape.scalar(), Shape.of(33)},
            {Shape.of(4, 1, 33), Shape.of(5, 33)},
            {Shape.of(2, 3, 4), Shape.of(2, 3, 4)},
            {Shape.of(2, 1, 2, 1, 2, 1, 3, 5), Shape.of(1, 3, 1, 2, 1, 2, 3, 1)},
            {Shape.of(0, 3), Shape.of(1, 3)},
            {Shape.scalar(), Shape.scalar()},
    };

    // ---- inputs

    private static double[] values(Random r, long n, double lo, double hi, boolean quantize) {
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * r.nextDouble();
            if (quantize) v[i] = Math.rint(v[i] * 2) / 2; // repeats, so EQ / GE / LE see equal pairs
        }
        return v;
    }

    private static Tensor tensor(DType dt, Shape s, double[] v) {
        if (dt == DType.F64) return Tensor.of(cpu, v, s);
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return Tensor.of(cpu, f, s);
    }

    /** Inputs inside each op's domain; x[0] = 0 where 0 is a branch point (relu, sign, abs). */
    private static double[] unaryInput(UnaryOp op, Random r, long n) {
        double[] v = switch (op) {
            case LOG, SQRT, POW_SCALAR -> values(r, n, 0.05, 6, false);
            case RECIPROCAL -> values(r, n, 0.1, 6, false);
            case EXP, SIGMOID, TANH, SOFTPLUS -> values(r, n, -30, 30, false);
            default -> values(r, n, -6, 6, false);
        };
        if (op == UnaryOp.RECIPROCAL) for (int i = 0; i < v.length; i += 2) v[i] = -v[i];
        else if (n > 0 && !(op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.POW_SCALAR)) v[0] = 0;
        return v;
    }

    private static double param(UnaryOp op) {
        return switch (op) {
            case LEAKY_RELU -> 0.1; // not a float: the device must use p in double, as the CPU does
            case ADD_SCALAR -> 0.3;
            case MUL_SCALAR -> -1.7;
            case POW_SCALAR -> 2.5;
            default -> 0;
        };
    }

    // ---- comparison

    static void assertClose(Tensor expected, Tensor actual, ParitySpecs.Tolerance tol, String what) {
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        assertTrue(e.length == a.length, what + ": sizes differ");
        boolean f32 = expected.dtype() == DType.F32;
        for (int i = 0; i < e.length; i++) {
            if (Double.compare(e[i], a[i]) == 0) continue; // bit-equal, NaN included
            double allowed = tol.ulps() * (f32 ? Math.ulp((float) e[i]) : Math.ulp(e[i]));
            if (!(Math.abs(e[i] - a[i]) <= allowed)) {
                fail(String.format("%s: element %d of %d: cpu %s, cuda %s (%.2f ulp; allowed %d: %s)", what, i, e.length,
                        e[i], a[i], Math.abs(e[i] - a[i]) / (f32 ? Math.ulp((float) e[i]) : Math.ulp(e[i])), tol.ulps(),
                        tol.reason()));
            }
        }
    }

    /** Runs op on the CPU inputs and on their device copies; compares the outputs. */
    private static void both(String what, Shape outShape, DType dt, ParitySpecs.Tolerance tol, Tensor[] cpuIn,
                             BiConsumer<Tensor[], Tensor> op) {
        try (Scope scope = Scope.open()) {
            Tensor[] gpuIn = new Tensor[cpuIn.length];
            for (int i = 0; i < cpuIn.length; i++) gpuIn[i] = cpuIn[i].to(gpu);
            Tensor outCpu = Tensor.empty(cpu, dt, outShape), outGpu = Tensor.empty(gpu, dt, outShape);
            op.accept(cpuIn, outCpu);
            op.accept(gpuIn, outGpu);
            assertClose(outCpu, outGpu, tol, what);
        }
    }

    private static Stream<DynamicTest> perDtype(String name, java.util.function.Consumer<DType> body) {
        return Stream.of(DTYPES).map(dt -> DynamicTest.dynamicTest(name + " " + dt, () -> body.accept(dt)));
    }

    // ---- the ops

    @TestFactory
    Stream<DynamicTest> unary() {
        return Stream.of(UnaryOp.values()).flatMap(op -> perDtype("unary." + op, dt -> {
            Random r = new Random(op.ordinal());
            for (long n : sizes()) {
                try (Scope s = Scope.open()) {
                    Tensor x = tensor(dt, Shape.of(n), unaryInput(op, r, n));
                    both("unary " + op + " " + dt + " n=" + n, x.shape(), dt, ParitySpecs.unary(op), new Tensor[] {x},
                            (in, out) -> in[0].backend().kernels().unary(op, param(op), in[0], out));
                }
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> unaryBackward() {
        return Stream.of(UnaryOp.values()).flatMap(op -> perDtype("unaryBackward." + op, dt -> {
            Random r = new Random(100 + op.ordinal());
            for (long n : sizes()) {
                try (Scope s = Scope.open()) {
                    Tensor x = tensor(dt, Shape.of(n), unaryInput(op, r, n));
                    Tensor y = Tensor.empty(cpu, dt, x.shape());
                    cpu.kernels().unary(op, param(op), x, y); // the same y on both sides
                    Tensor gy = tensor(dt, x.shape(), values(r, n, -2, 2, false));
                    both("unaryBackward " + op + " " + dt + " n=" + n, x.shape(), dt, ParitySpecs.unaryBackward(op),
                            new Tensor[] {x, y, gy},
                            (in, gx) -> in[0].backend().kernels().unaryBackward(op, param(op), in[0], in[1], in[2], gx));
                }
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> binary() {
        return Stream.of(BinaryOp.values()).flatMap(op -> perDtype("binary." + op, dt -> {
            Random r = new Random(200 + op.ordinal());
            List<Shape[]> layouts = new ArrayList<>(List.of(BROADCASTS));
            for (long n : sizes()) layouts.add(new Shape[] {Shape.of(n), Shape.of(n)});
            for (Shape[] ab : layouts) {
                try (Scope s = Scope.open()) {
                    boolean pow = op == BinaryOp.POW;
                    Tensor a = tensor(dt, ab[0], values(r, ab[0].numel(), pow ? 0.1 : -4, 4, !pow));
                    Tensor b = tensor(dt, ab[1], values(r, ab[1].numel(), pow ? -3 : -4, pow ? 3 : 4, !pow));
                    if (op == BinaryOp.DIV) b = tensor(dt, ab[1], values(r, ab[1].numel(), 0.25, 4, true));
                    Shape out = org.dgm4j.backend.Shapes.broadcast("parity", ab[0], ab[1]);
                    both("binary " + op + " " + dt + " " + ab[0] + " " + ab[1], out, dt, ParitySpecs.SPECS.get("binary." + op),
                            new Tensor[] {a, b}, (in, o) -> in[0].backend().kernels().binary(op, in[0], in[1], o));
                }
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> expand() {
        Shape[][] cases = {{Shape.of(1), Shape.of(257)}, {Shape.of(3, 1), Shape.of(2, 3, 33)}, {Shape.scalar(), Shape.of(4, 5)},
                {Shape.of(5, 1, 7), Shape.of(5, 6, 7)}, {Shape.of(33), Shape.of(1, 33)}, {Shape.of(2, 1), Shape.of(2, 0)}};
        return perDtype("expand", dt -> {
            Random r = new Random(300);
            for (Shape[] c : cases) {
                try (Scope s = Scope.open()) {
                    Tensor x = tensor(dt, c[0], values(r, c[0].numel(), -4, 4, false));
                    both("expand " + dt + " " + c[0] + " -> " + c[1], c[1], dt, ParitySpecs.SPECS.get("expand"),
                            new Tensor[] {x}, (in, o) -> in[0].backend().kernels().expand(in[0], o));
                }
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> fill() {
        return perDtype("fill", dt -> {
            for (long n : sizes()) {
                both("fill " + dt + " n=" + n, Shape.of(n), dt, ParitySpecs.SPECS.get("fill"), new Tensor[0],
                        (in, o) -> o.backend().kernels().fill(o, 0.1));
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> copy() {
        return Stream.of(DTYPES).flatMap(from -> Stream.of(DTYPES).map(to -> DynamicTest.dynamicTest("copy " + from + " -> " + to, () -> {
            Random r = new Random(400);
            for (long n : sizes()) {
                try (Scope s = Scope.open()) {
                    Tensor x = tensor(from, Shape.of(n), values(r, n, -1e3, 1e3, false));
                    both("copy " + from + " -> " + to + " n=" + n, x.shape(), to, ParitySpecs.SPECS.get("copy"),
                            new Tensor[] {x}, (in, o) -> in[0].backend().kernels().copy(in[0], o));
                }
            }
        })));
    }

    /** Seeds with high bits, and offsets whose counters carry from the low into the high word. */
    private static final long[][] SEEDS = {{0, 0}, {42, 7}, {-1L, (1L << 32) - 100}, {0x9E3779B97F4A7C15L, 1L << 40}};

    @TestFactory
    Stream<DynamicTest> random() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType dt : DTYPES) {
            tests.add(DynamicTest.dynamicTest("uniform " + dt, () -> draws(dt, "uniform",
                    (seed, o) -> o.backend().kernels().uniform(seed[0], seed[1], o))));
            tests.add(DynamicTest.dynamicTest("normal " + dt, () -> draws(dt, "normal",
                    (seed, o) -> o.backend().kernels().normal(seed[0], seed[1], o))));
            tests.add(DynamicTest.dynamicTest("bernoulli " + dt, () -> bernoulli(dt)));
        }
        return tests.stream();
    }

    private interface Draw {
        void run(long[] seed, Tensor out);
    }

    private static void draws(DType dt, String name, Draw draw) {
        for (long[] seed : SEEDS) {
            for (long n : sizes()) {
                both(name + " " + dt + " seed=" + seed[0] + " offset=" + seed[1] + " n=" + n, Shape.of(n), dt,
                        ParitySpecs.SPECS.get(name), new Tensor[0], (in, o) -> draw.run(seed, o));
            }
        }
    }

    private static void bernoulli(DType dt) {
        Random r = new Random(500);
        Shape[][] cases = {{Shape.of(257), Shape.of(257)}, {Shape.scalar(), Shape.of(4099)}, {Shape.of(3, 1), Shape.of(3, 33)},
                {Shape.of(0), Shape.of(0)}};
        for (long[] seed : SEEDS) {
            for (Shape[] c : cases) {
                try (Scope s = Scope.open()) {
                    Tensor p = tensor(dt, c[0], values(r, c[0].numel(), 0, 1, false));
                    both("bernoulli " + dt + " seed=" + seed[0] + " " + c[0] + " -> " + c[1], c[1], dt,
                            ParitySpecs.SPECS.get("bernoulli"), new Tensor[] {p},
                            (in, o) -> in[0].backend().kernels().bernoulli(seed[0], seed[1], in[0], o));
                }
            }
        }
    }
}
