package org.dgm4j.backend.cuda;

import static org.dgm4j.backend.cuda.ParityHarness.tensor;
import static org.dgm4j.backend.cuda.ParityHarness.values;

import java.util.Random;
import java.util.stream.Stream;
import org.dgm4j.backend.ReduceOp;
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
 * reduce on CUDA against the CPU (tolerances: ParitySpecs.reduce). The layouts hit each path of
 * native/cuda/reduce.cu: warp per output (reduced counts 1..257 around the warp size), block per
 * output (1025, 4099), the column kernel (outer, R, inner > 1, inner across 32-wide tiles), the
 * general strided path (non-adjacent axes), grid-stride loops past the emulator's 4-block cap, size-1
 * and empty axes, and NaN / ±inf / ±0 rows.
 */
@Tag("cuda")
class CudaReduceParityTest {
    @BeforeAll
    static void backends() {
        ParityHarness.backends();
    }

    private record Case(Shape shape, int... axes) {}

    private static final Case[] CASES = {
            // rows, one warp per output: reduced counts around the warp size
            new Case(Shape.of(3, 1), 1), new Case(Shape.of(3, 31), 1), new Case(Shape.of(3, 32), 1),
            new Case(Shape.of(3, 33), 1), new Case(Shape.of(3, 255), 1), new Case(Shape.of(2, 256), 1),
            new Case(Shape.of(2, 257), 1), new Case(Shape.of(40, 33), 1), // 5 blocks of 8 warps > the cap of 4
            // rows, one block per output
            new Case(Shape.of(4099), 0), new Case(Shape.of(5, 1025), 1), new Case(Shape.of(3, 300, 5), 1, 2),
            // columns: (outer, R, inner)
            new Case(Shape.of(3, 257, 5), 1), new Case(Shape.of(1025, 2), 0), new Case(Shape.of(33, 70), 0),
            new Case(Shape.of(4099, 3), 0), new Case(Shape.of(2, 31, 1, 33), 1), new Case(Shape.of(40, 3, 2), 1),
            // general strided
            new Case(Shape.of(3, 4, 5), 0, 2), new Case(Shape.of(2, 3, 4, 5), 1, 3), new Case(Shape.of(2, 3, 4, 5), 0, 1, 3),
            new Case(Shape.of(6, 40, 35), 0, 2), new Case(Shape.of(40, 3, 30), 0, 2),
            // everything, nothing, size-1 axes
            new Case(Shape.of(5, 6, 7), 0, 1, 2), new Case(Shape.scalar()), // a scalar: no axes
            new Case(Shape.of(2, 1, 33), 1), new Case(Shape.of(1, 1), 0, 1),
    };

    /** Empty reduced axes (SUM, MEAN only: the others reject an empty x) and empty outputs. */
    private static final Case[] EMPTY = {new Case(Shape.of(0, 3), 0), new Case(Shape.of(3, 0), 0), new Case(Shape.of(3, 0), 1)};

    private static double[] input(ReduceOp op, Random r, long n) {
        // sums get positive inputs (no cancellation: the tolerance is a bound relative to the sum);
        // max / min get repeated values, zeros of both signs included
        if (op == ReduceOp.MAX || op == ReduceOp.MIN) {
            double[] v = values(r, n, -4, 4);
            for (int i = 0; i < v.length; i++) v[i] = Math.rint(v[i] * 2) / 2;
            return v;
        }
        return values(r, n, 1, 5);
    }

    private static void check(ReduceOp op, DType dt, Shape shape, int[] axes, double[] v) {
        try (Scope s = Scope.open()) {
            Tensor x = tensor(dt, shape, v);
            ParityHarness.withOutput("reduce " + op + " " + dt + " " + shape + " axes " + java.util.Arrays.toString(axes),
                    ParitySpecs.reduce(op, dt), new Tensor[] {x}, Shapes.keepDims(shape, axes),
                    a -> a[0].backend().kernels().reduce(op, a[0], axes, a[1]));
        }
    }

    /** rows x n with specials: NaN, +inf, all -inf, +inf with -inf, all ±0; transposed when flipped. */
    private static double[] specials(Random r, int rows, int n, boolean flipped) {
        double[][] m = new double[rows][];
        for (int i = 0; i < rows; i++) m[i] = values(r, n, 1, 5);
        m[0][n / 2] = Double.NaN;
        m[1][n - 1] = Double.POSITIVE_INFINITY;
        java.util.Arrays.fill(m[2], Double.NEGATIVE_INFINITY);
        m[3][0] = Double.POSITIVE_INFINITY;
        m[3][n - 1] = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) m[4][j] = j % 3 == 0 ? 0.0 : -0.0;
        double[] v = new double[rows * n];
        for (int i = 0; i < rows; i++) for (int j = 0; j < n; j++) v[flipped ? j * rows + i : i * n + j] = m[i][j];
        return v;
    }

    @TestFactory
    Stream<DynamicTest> reduce() {
        return Stream.of(ReduceOp.values()).flatMap(op -> ParityHarness.perDtype("reduce." + op, dt -> {
            Random r = new Random(600 + op.ordinal());
            for (Case c : CASES) check(op, dt, c.shape(), c.axes(), input(op, r, c.shape().numel()));
            if (op == ReduceOp.SUM || op == ReduceOp.MEAN) {
                for (Case c : EMPTY) check(op, dt, c.shape(), c.axes(), new double[0]);
            }
            for (int n : new int[] {33, 1100}) { // warp and block per output
                check(op, dt, Shape.of(6, n), new int[] {1}, specials(r, 6, n, false));
            }
            check(op, dt, Shape.of(33, 6), new int[] {0}, specials(r, 6, 33, true)); // columns
        }));
    }
}
