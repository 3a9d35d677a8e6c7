package org.dgm4j.backend.cuda;

import static org.dgm4j.backend.cuda.ParityHarness.tensor;
import static org.dgm4j.backend.cuda.ParityHarness.values;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.dgm4j.backend.AdamStep;
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
 * permute, concat, slice, sliceAdd (native/cuda/movement.cu) and the fused optimizer updates
 * (optim.cu) on CUDA against the CPU, all bit-exact (ParitySpecs). Element counts 1, 31, 32, 33, 255,
 * 256, 257, 1025 and ~4099 cover a partial block, one block, two, and the grid-stride loop past the
 * emulator's 4-block cap.
 */
@Tag("cuda")
class CudaMovementParityTest {
    @BeforeAll
    static void backends() {
        ParityHarness.backends();
    }

    private static final long[] SIZES = {0, 1, 31, 32, 33, 255, 256, 257, 1025, 4099};

    private static Tensor random(DType dt, Shape s, Random r) {
        return tensor(dt, s, values(r, s.numel(), -4, 4));
    }

    @TestFactory
    Stream<DynamicTest> permute() {
        Object[][] cases = {
                {Shape.of(257), new int[] {0}}, {Shape.scalar(), new int[0]}, {Shape.of(0, 3), new int[] {1, 0}},
                {Shape.of(1, 1), new int[] {1, 0}}, {Shape.of(4, 8), new int[] {1, 0}}, {Shape.of(31, 33), new int[] {1, 0}},
                {Shape.of(5, 51), new int[] {1, 0}}, {Shape.of(257, 1), new int[] {1, 0}}, {Shape.of(5, 205), new int[] {1, 0}},
                {Shape.of(17, 241), new int[] {1, 0}}, {Shape.of(3, 33, 5), new int[] {2, 0, 1}},
                {Shape.of(3, 33, 5), new int[] {0, 2, 1}}, {Shape.of(2, 3, 4, 5), new int[] {3, 1, 0, 2}},
                {Shape.of(2, 3, 4, 5), new int[] {0, 1, 3, 2}}, {Shape.of(2, 3, 4, 5), new int[] {0, 1, 2, 3}},
                {Shape.of(4, 1, 33, 2), new int[] {2, 0, 3, 1}},
                {Shape.of(2, 1, 2, 1, 2, 1, 3, 2), new int[] {7, 6, 5, 4, 3, 2, 1, 0}},
        };
        return ParityHarness.perDtype("permute", dt -> {
            Random r = new Random(700);
            for (Object[] c : cases) {
                Shape s = (Shape) c[0];
                int[] perm = (int[]) c[1];
                try (Scope scope = Scope.open()) {
                    ParityHarness.withOutput("permute " + dt + " " + s + " " + Arrays.toString(perm), ParitySpecs.SPECS.get("permute"),
                            new Tensor[] {random(dt, s, r)}, Shapes.permute(s, perm),
                            a -> a[0].backend().kernels().permute(a[0], perm, a[1]));
                }
            }
        });
    }

    @TestFactory
    Stream<DynamicTest> concat() {
        Object[][] cases = {
                {0, new Shape[] {Shape.of(3, 5), Shape.of(0, 5), Shape.of(7, 5)}},
                {1, new Shape[] {Shape.of(4, 1), Shape.of(4, 32), Shape.of(4, 33)}},
                {2, new Shape[] {Shape.of(2, 3, 255), Shape.of(2, 3, 2)}},
                {0, new Shape[] {Shape.of(1025)}},
                {0, new Shape[] {Shape.of(1), Shape.of(31), Shape.of(4099)}},
                {1, new Shape[] {Shape.of(2, 1, 3), Shape.of(2, 256, 3), Shape.of(2, 2, 3), Shape.of(2, 257, 3)}},
                {1, new Shape[] {Shape.of(0, 2), Shape.of(0, 3)}},
        };
        return ParityHarness.perDtype("concat", dt -> {
            Random r = new Random(701);
            for (Object[] c : cases) {
                int axis = (int) c[0];
                Shape[] shapes = (Shape[]) c[1];
                try (Scope scope = Scope.open()) {
                    Tensor[] xs = new Tensor[shapes.length];
                    long total = 0;
                    for (int k = 0; k < xs.length; k++) {
                        xs[k] = random(dt, shapes[k], r);
                        total += shapes[k].dim(axis);
                    }
                    int n = xs.length;
                    ParityHarness.withOutput("concat " + dt + " axis " + axis + " " + Arrays.toString(shapes),
                            ParitySpecs.SPECS.get("concat"), xs, shapes[0].with(axis, total),
                            a -> a[n].backend().kernels().concat(Arrays.copyOf(a, n), axis, a[n]));
                }
            }
        });
    }

    /** (shape of the whole, axis, start, step, count). */
    private static final Object[][] SLICES = {
            {Shape.of(257), 0, 0L, 1L, 257L}, {Shape.of(4099), 0, 1L, 3L, 1366L}, {Shape.of(5, 33, 7), 1, 2L, 5L, 7L},
            {Shape.of(4, 10), 1, 9L, 1L, 1L}, {Shape.of(3, 4), 0, 1L, 2L, 0L}, {Shape.of(40, 33), 0, 3L, 4L, 10L},
            {Shape.of(2, 3, 4, 5), 3, 0L, 2L, 3L}, {Shape.of(1025, 2), 0, 0L, 1L, 1025L},
    };

    @TestFactory
    Stream<DynamicTest> slice() {
        List<DynamicTest> tests = new ArrayList<>();
        for (boolean add : new boolean[] {false, true}) {
            String name = add ? "sliceAdd" : "slice";
            tests.addAll(ParityHarness.perDtype(name, dt -> {
                Random r = new Random(add ? 703 : 702);
                for (Object[] c : SLICES) {
                    Shape whole = (Shape) c[0];
                    int axis = (int) c[1];
                    long start = (long) c[2], step = (long) c[3];
                    Shape part = whole.with(axis, (long) c[4]);
                    String what = name + " " + dt + " " + whole + " axis " + axis + " from " + start + " step " + step + " -> " + part;
                    try (Scope scope = Scope.open()) {
                        if (add) {
                            ParityHarness.inPlace(what, ParitySpecs.SPECS.get(name), new Tensor[] {random(dt, part, r), random(dt, whole, r)},
                                    a -> a[0].backend().kernels().sliceAdd(a[0], axis, start, step, a[1]), 1);
                        } else {
                            ParityHarness.withOutput(what, ParitySpecs.SPECS.get(name), new Tensor[] {random(dt, whole, r)}, part,
                                    a -> a[0].backend().kernels().slice(a[0], axis, start, step, a[1]));
                        }
                    }
                }
            }).toList());
        }
        return tests.stream();
    }

    /** (momentum, dampening, weightDecay, nesterov, firstStep); momentum 0 runs without a buffer. */
    private static final Object[][] SGD = {
            {0.0, 0.0, 0.0, false, false}, {0.9, 0.1, 1e-2, false, true}, {0.9, 0.0, 5e-4, true, false}, {0.5, 0.3, 0.0, false, false},
    };

    @TestFactory
    Stream<DynamicTest> sgdUpdate() {
        return ParityHarness.perDtype("sgdUpdate", dt -> {
            Random r = new Random(704);
            for (Object[] c : SGD) {
                double momentum = (double) c[0], dampening = (double) c[1], wd = (double) c[2];
                boolean nesterov = (boolean) c[3], first = (boolean) c[4];
                for (long n : SIZES) {
                    Shape s = Shape.of(n);
                    try (Scope scope = Scope.open()) {
                        Tensor buf = momentum == 0 ? null : random(dt, s, r);
                        ParityHarness.inPlace("sgdUpdate " + dt + " n=" + n + " " + Arrays.toString(c), ParitySpecs.SPECS.get("sgdUpdate"),
                                new Tensor[] {random(dt, s, r), random(dt, s, r), buf},
                                a -> a[0].backend().kernels().sgdUpdate(a[0], a[1], a[2], 0.1, momentum, dampening, wd, nesterov, first),
                                buf == null ? new int[] {0} : new int[] {0, 2});
                    }
                }
            }
        });
    }

    private static final AdamStep[] ADAM = {
            new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0, false, false, 1),
            new AdamStep(3e-3, 0.8, 0.99, 1e-6, 1e-2, false, false, 7), // L2
            new AdamStep(1e-2, 0.9, 0.999, 1e-8, 0.1, true, false, 3), // AdamW
            new AdamStep(2e-3, 0.9, 0.999, 1e-8, 1e-2, false, true, 5), // Adamax
    };

    @TestFactory
    Stream<DynamicTest> adamUpdate() {
        return ParityHarness.perDtype("adamUpdate", dt -> {
            Random r = new Random(705);
            for (AdamStep st : ADAM) {
                for (long n : SIZES) {
                    Shape s = Shape.of(n);
                    try (Scope scope = Scope.open()) {
                        Tensor v = tensor(dt, s, values(r, n, 0, 2)); // second moments are >= 0
                        ParityHarness.inPlace("adamUpdate " + dt + " n=" + n + " " + st, ParitySpecs.SPECS.get("adamUpdate"),
                                new Tensor[] {random(dt, s, r), random(dt, s, r), random(dt, s, r), v},
                                a -> a[0].backend().kernels().adamUpdate(a[0], a[1], a[2], a[3], st), 0, 2, 3);
                    }
                }
            }
        });
    }
}
