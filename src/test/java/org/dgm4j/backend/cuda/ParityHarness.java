package org.dgm4j.backend.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;

/**
 * Shared plumbing of the CUDA parity tests: the two backends (skipping the class without a device),
 * inputs, and runs of an op on both with {@link CudaParityTest#assertClose}.
 */
final class ParityHarness {
    static final DType[] DTYPES = {DType.F32, DType.F64};
    static Backend cpu, gpu;

    private ParityHarness() {}

    /** Call from @BeforeAll: skips the class where the CUDA probe finds no device or emulator. */
    static void backends() {
        CudaProbe.Result probe = CudaProbe.probe();
        assumeTrue(probe.available(), () -> "no CUDA device: " + probe.reason());
        cpu = Backends.cpu();
        gpu = CudaProbe.backend();
    }

    static double[] values(Random r, long n, double lo, double hi) {
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * r.nextDouble();
        return v;
    }

    static Tensor tensor(DType dt, Shape s, double[] v) {
        if (dt == DType.F64) return Tensor.of(cpu, v, s);
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return Tensor.of(cpu, f, s);
    }

    static Stream<DynamicTest> perDtype(String name, Consumer<DType> body) {
        return Stream.of(DTYPES).map(dt -> DynamicTest.dynamicTest(name + " " + dt, () -> body.accept(dt)));
    }

    /** An op on CPU tensors and on device copies of them; compares the operands at {@code compare}. */
    static void inPlace(String what, ParitySpecs.Tolerance tol, Tensor[] cpuArgs, Consumer<Tensor[]> op, int... compare) {
        try (Scope scope = Scope.open()) {
            Tensor[] gpuArgs = new Tensor[cpuArgs.length];
            for (int i = 0; i < cpuArgs.length; i++) gpuArgs[i] = cpuArgs[i] == null ? null : cpuArgs[i].to(gpu);
            op.accept(cpuArgs);
            op.accept(gpuArgs);
            for (int i : compare) CudaParityTest.assertClose(cpuArgs[i], gpuArgs[i], tol, what + " (operand " + i + ")");
        }
    }

    /** An op writing a fresh output of shape out: inputs, then the output last. */
    static void withOutput(String what, ParitySpecs.Tolerance tol, Tensor[] cpuIn, Shape out, Consumer<Tensor[]> op) {
        Tensor[] args = java.util.Arrays.copyOf(cpuIn, cpuIn.length + 1);
        try (Scope scope = Scope.open()) {
            args[cpuIn.length] = Tensor.empty(cpu, cpuIn.length > 0 ? cpuIn[0].dtype() : DType.F32, out);
            inPlace(what, tol, args, op, cpuIn.length);
        }
    }
}
