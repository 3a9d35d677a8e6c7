package org.dgm4j.autograd;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.dgm4j.backend.Backends;
import org.dgm4j.backend.BinaryOp;
import org.dgm4j.backend.Conv2dParams;
import org.dgm4j.backend.OpTable;
import org.dgm4j.backend.ReduceOp;
import org.dgm4j.backend.UnaryOp;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every differentiable op of the op table passes a float64 gradient check
 * (|analytic − numeric| ≤ 1e-5 + 1e-3·|numeric|); a differentiable op without a case here fails.
 */
class GradcheckOpTableTest {
    /** One gradient check: a function of float64 inputs with their shapes and value ranges. */
    record Case(Function<Tensor[], Tensor> f, long[][] shapes, double lo, double hi, double eps) {
        static Case of(Function<Tensor[], Tensor> f, double lo, double hi, long[]... shapes) {
            return new Case(f, shapes, lo, hi, Gradcheck.EPS);
        }
    }

    /** Inputs away from kinks (relu, abs at 0) and inside domains (log, sqrt, pow need x > 0). */
    static Map<String, List<Case>> cases() {
        Map<String, List<Case>> m = new LinkedHashMap<>();
        for (UnaryOp op : UnaryOp.values()) {
            if (!op.differentiable) continue;
            boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.RECIPROCAL || op == UnaryOp.POW_SCALAR;
            double p = switch (op) {
                case LEAKY_RELU -> 0.2;
                case ADD_SCALAR -> 1.5;
                case MUL_SCALAR -> -2.5;
                case POW_SCALAR -> 2.7;
                default -> 0;
            };
            m.put("unary." + op, List.of(Case.of(x -> Ops.unary(op, p, x[0]), positive ? 0.3 : -2, 2, new long[] {3, 5})));
        }
        for (BinaryOp op : BinaryOp.values()) {
            if (!op.differentiable) continue;
            boolean positive = op == BinaryOp.POW || op == BinaryOp.DIV;
            double lo = positive ? 0.5 : -2;
            Function<Tensor[], Tensor> f = x -> Ops.binary(op, x[0], x[1]);
            m.put("binary." + op, List.of(
                    Case.of(f, lo, 2, new long[] {2, 3, 4}, new long[] {2, 3, 4}),
                    Case.of(f, lo, 2, new long[] {2, 1, 4}, new long[] {3, 1}),
                    Case.of(f, lo, 2, new long[] {4}, new long[] {2, 3, 1})));
        }
        for (ReduceOp op : ReduceOp.values()) {
            m.put("reduce." + op, List.of(
                    Case.of(x -> Ops.reduce(op, x[0], false, 1), -2, 2, new long[] {3, 4, 5}),
                    Case.of(x -> Ops.reduce(op, x[0], true, 0, 2), -2, 2, new long[] {3, 4, 5}),
                    Case.of(x -> Ops.reduce(op, x[0], false), -2, 2, new long[] {2, 3})));
        }
        m.put("expand", List.of(Case.of(x -> Ops.expand(x[0], Shape.of(2, 3, 4)), -1, 1, new long[] {3, 1})));
        // through float32 and back: values and step on a 1/64 grid so every rounding is exact
        m.put("copy", List.of(new Case(x -> Ops.cast(Ops.cast(x[0], DType.F32), DType.F64).mul(x[0]), new long[][] {{4}}, -1, 1, 1.0 / 64)));
        // linear: with and without bias and ReLU; random pre-activations lie far from ReLU's kink next to eps
        m.put("linear", List.of(
                Case.of(x -> Ops.linear(x[0], x[1], x[2], false), -1, 1, new long[] {3, 4}, new long[] {5, 4}, new long[] {5}),
                Case.of(x -> Ops.linear(x[0], x[1], x[2], true), -1, 1, new long[] {6, 4}, new long[] {5, 4}, new long[] {5}),
                Case.of(x -> Ops.linear(x[0], x[1], null, true), -1, 1, new long[] {3, 2}, new long[] {7, 2}),
                Case.of(x -> Ops.linear(x[0], x[1], null, false), -1, 1, new long[] {4, 1}, new long[] {2, 1})));
        m.put("matmul", List.of(
                Case.of(x -> Ops.matmul(x[0], x[1]), -1, 1, new long[] {3, 4}, new long[] {4, 5}),
                Case.of(x -> Ops.matmul(x[0], true, x[1], true), -1, 1, new long[] {4, 3}, new long[] {5, 4}),
                Case.of(x -> Ops.matmul(x[0], false, x[1], true), -1, 1, new long[] {2, 3, 4}, new long[] {2, 5, 4})));
        m.put("conv2d", List.of(
                Case.of(x -> Ops.conv2d(x[0], x[1], x[2], Conv2dParams.of(1, 1, 1)), -1, 1,
                        new long[] {2, 3, 5, 4}, new long[] {2, 3, 3, 3}, new long[] {2}),
                Case.of(x -> Ops.conv2d(x[0], x[1], null, new Conv2dParams(2, 1, 0, 2, 2, 1)), -1, 1,
                        new long[] {1, 2, 7, 6}, new long[] {3, 2, 2, 3}),
                // channels-last: x (N, H, W, C); a "same" 3x3, a 1x1 (the CPU's matmul path in float32), an asymmetric strided one
                Case.of(x -> Ops.conv2d(x[0], x[1], x[2], Conv2dParams.of(1, 1, 1).channelsLast(true)), -1, 1,
                        new long[] {2, 5, 4, 3}, new long[] {2, 3, 3, 3}, new long[] {2}),
                Case.of(x -> Ops.conv2d(x[0], x[1], x[2], Conv2dParams.of(1, 0, 1).channelsLast(true)), -1, 1,
                        new long[] {2, 3, 5, 4}, new long[] {3, 4, 1, 1}, new long[] {3}),
                Case.of(x -> Ops.conv2d(x[0], x[1], null, new Conv2dParams(2, 1, 0, 2, 2, 1, true)), -1, 1,
                        new long[] {1, 7, 6, 2}, new long[] {3, 2, 2, 3}),
                Case.of(x -> Ops.convTranspose2d(x[0], x[1], x[2], Conv2dParams.of(2, 1, 1), 1, 1), -1, 1,
                        new long[] {2, 3, 3, 4}, new long[] {3, 2, 3, 3}, new long[] {2})));
        m.put("permute", List.of(Case.of(x -> Ops.permute(x[0], 2, 0, 1), -1, 1, new long[] {2, 3, 4})));
        m.put("concat", List.of(Case.of(x -> Ops.concat(1, x[0], x[1]), -1, 1, new long[] {2, 3, 2}, new long[] {2, 1, 2})));
        m.put("slice", List.of(
                Case.of(x -> Ops.slice(x[0], 1, 1, 6, 2), -1, 1, new long[] {2, 7, 3}),
                Case.of(x -> Ops.narrowBatch(x[0], 1, 3).mul(x[0].narrowBatch(0, 2)), -1, 1, new long[] {4, 3})));
        flowCases(m);
        return m;
    }

    /** out and logdet of a flow op as one vector, so the check weights the gradients of both. */
    private static Tensor joint(Ops.WithLogdet r) {
        return Ops.concat(0, Ops.reshape(r.out(), Shape.of(r.out().numel())), r.logdet());
    }

    /** A constant (C, C) matrix: scale·I, or scale times the permutation row i → column perm[i]. */
    private static Tensor constant(Tensor like, int c, double scale, int[] perm) {
        double[] v = new double[c * c];
        for (int i = 0; i < c; i++) v[i * c + (perm == null ? i : perm[i])] = scale;
        return Tensor.of(like.backend(), v, Shape.of(c, c));
    }

    /**
     * The normalizing-flow ops: both outputs checked together (joint), raw in [−3, 2] so raw + 2
     * takes both signs (both branches of the stable sigmoid); matrices kept well-conditioned
     * (0.3·x plus a scaled identity or a permutation, the latter forcing row swaps).
     */
    private static void flowCases(Map<String, List<Case>> m) {
        m.put("affineCoupling", List.of(
                Case.of(x -> joint(Ops.affineCoupling(x[0], x[1], x[2])), -3, 2, new long[] {2, 3, 2, 2}, new long[] {2, 3, 2, 2},
                        new long[] {2, 3, 2, 2}),
                Case.of(x -> joint(Ops.affineCoupling(x[0], x[1], x[2])), -3, 2, new long[] {3, 5}, new long[] {3, 5}, new long[] {3, 5}),
                // only logdet reaches the loss: the out gradient is absent
                Case.of(x -> Ops.affineCoupling(x[0], x[1], x[2]).logdet(), -3, 2, new long[] {2, 4}, new long[] {2, 4}, new long[] {2, 4})));
        m.put("affineCouplingInverse", List.of(
                Case.of(x -> joint(Ops.affineCouplingInverse(x[0], x[1], x[2])), -3, 2, new long[] {2, 3, 2, 2},
                        new long[] {2, 3, 2, 2}, new long[] {2, 3, 2, 2})));
        m.put("actnorm", List.of(
                Case.of(x -> joint(Ops.actnorm(x[0], x[1], x[2])), -1, 1, new long[] {2, 3, 2, 3}, new long[] {3}, new long[] {3}),
                Case.of(x -> joint(Ops.actnorm(x[0], x[1], x[2])), -1, 1, new long[] {4, 3}, new long[] {3}, new long[] {3}),
                Case.of(x -> Ops.actnorm(x[0], x[1], x[2]).out(), -1, 1, new long[] {2, 2, 3, 1}, new long[] {2}, new long[] {2})));
        m.put("actnormInverse", List.of(
                Case.of(x -> joint(Ops.actnormInverse(x[0], x[1], x[2])), -1, 1, new long[] {2, 3, 2, 3}, new long[] {3}, new long[] {3})));
        m.put("logAbsDet", List.of(
                Case.of(x -> Ops.logAbsDet(Ops.add(Ops.mulScalar(x[0], 0.3), constant(x[0], 4, 2, null))), -1, 1, new long[] {4, 4}),
                Case.of(x -> Ops.logAbsDet(Ops.add(Ops.mulScalar(x[0], 0.3), constant(x[0], 3, -2, new int[] {2, 0, 1}))), -1, 1,
                        new long[] {3, 3}),
                Case.of(x -> Ops.logAbsDet(x[0]), 0.5, 2, new long[] {1, 1})));
        m.put("matrixInverse", List.of(
                Case.of(x -> Ops.matrixInverse(Ops.add(Ops.mulScalar(x[0], 0.3), constant(x[0], 3, 2, new int[] {1, 2, 0}))), -1, 1,
                        new long[] {3, 3})));
        m.put("squeeze2d", List.of(Case.of(x -> Ops.squeeze2d(x[0]), -1, 1, new long[] {2, 3, 4, 2})));
        m.put("unsqueeze2d", List.of(Case.of(x -> Ops.unsqueeze2d(x[0]), -1, 1, new long[] {2, 8, 2, 3})));
    }

    @Test
    void everyDifferentiableOpHasAGradcheck() {
        Map<String, List<Case>> cases = cases();
        List<String> missing = new ArrayList<>();
        for (OpTable.Entry e : OpTable.entries()) {
            if (e.differentiable() && !cases.containsKey(e.name())) missing.add(e.name());
        }
        assertTrue(missing.isEmpty(), "differentiable ops without a gradcheck: " + missing);
    }

    @TestFactory
    Stream<DynamicTest> gradcheckEveryOp() {
        Random rnd = new Random(11);
        List<DynamicTest> tests = new ArrayList<>();
        cases().forEach((name, list) -> {
            for (int c = 0; c < list.size(); c++) {
                Case k = list.get(c);
                double[][] values = new double[k.shapes().length][];
                for (int i = 0; i < values.length; i++) {
                    values[i] = new double[(int) Shape.of(k.shapes()[i]).numel()];
                    for (int j = 0; j < values[i].length; j++) {
                        double v = k.lo() + (k.hi() - k.lo()) * rnd.nextDouble();
                        values[i][j] = k.eps() == Gradcheck.EPS ? v : Math.rint(v / k.eps()) * k.eps();
                    }
                }
                tests.add(DynamicTest.dynamicTest(name + " #" + c, () -> {
                    Gradcheck.Result r = Gradcheck.check(Backends.cpu(), k.f(), values, k.shapes(), k.eps());
                    if (!r.passed()) fail(name + ": " + r);
                }));
            }
        });
        return tests.stream();
    }
}
