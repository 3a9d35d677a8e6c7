package org.dgm4j.autograd;

import java.util.function.Function;
import org.dgm4j.backend.Backend;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;

/**
 * Compares autograd's gradients with float64 central differences. The output is reduced to the
 * scalar Σ out·r with a fixed random r, so every output element's gradient is exercised. Passes
 * when |analytic − numeric| ≤ atol + rtol·|numeric| for every input element.
 */
public final class Gradcheck {
    public static final double EPS = 1e-6, ATOL = 1e-5, RTOL = 1e-3;

    private Gradcheck() {}

    /** The worst element found: where, the two values, and whether it is within tolerance. */
    public record Result(boolean passed, int input, int index, double analytic, double numeric) {
        @Override
        public String toString() {
            return (passed ? "ok" : "FAILED") + ": input " + input + " element " + index + " analytic " + analytic + " numeric " + numeric;
        }
    }

    /** f maps float64 inputs (given as host arrays of the given shapes) to one tensor. */
    public static Result check(Backend backend, Function<Tensor[], Tensor> f, double[][] values, long[][] shapes) {
        return check(backend, f, values, shapes, EPS);
    }

    /** With another finite-difference step (e.g. a power of two for ops that round through float32). */
    public static Result check(Backend backend, Function<Tensor[], Tensor> f, double[][] values, long[][] shapes, double eps) {
        try (Scope scope = Scope.open()) {
            Tensor[] inputs = new Tensor[values.length];
            for (int i = 0; i < values.length; i++) {
                inputs[i] = Tensor.of(backend, values[i], org.dgm4j.tensor.Shape.of(shapes[i])).requiresGrad(true);
            }
            Tensor out = f.apply(inputs);
            Tensor r = new Generator(7).normal(backend, DType.F64, out.shape());
            Ops.sum(Ops.mul(out, r), false).backward();
            double[] weights = r.toDoubleArray();
            Result worst = null;
            double worstExcess = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < values.length; i++) {
                double[] analytic = inputs[i].grad() == null ? new double[values[i].length] : inputs[i].grad().toDoubleArray();
                for (int j = 0; j < values[i].length; j++) {
                    double numeric = numeric(backend, f, values, shapes, weights, i, j, eps);
                    double excess = Math.abs(analytic[j] - numeric) - (ATOL + RTOL * Math.abs(numeric));
                    if (excess > worstExcess || Double.isNaN(excess)) {
                        worstExcess = Double.isNaN(excess) ? Double.POSITIVE_INFINITY : excess;
                        worst = new Result(excess <= 0, i, j, analytic[j], numeric);
                    }
                }
            }
            return worst == null ? new Result(true, -1, -1, 0, 0) : worst;
        }
    }

    private static double numeric(Backend backend, Function<Tensor[], Tensor> f, double[][] values, long[][] shapes,
                                  double[] weights, int input, int index, double eps) {
        double saved = values[input][index];
        values[input][index] = saved + eps;
        double plus = weighted(backend, f, values, shapes, weights);
        values[input][index] = saved - eps;
        double minus = weighted(backend, f, values, shapes, weights);
        values[input][index] = saved;
        return (plus - minus) / (2 * eps);
    }

    private static double weighted(Backend backend, Function<Tensor[], Tensor> f, double[][] values, long[][] shapes, double[] weights) {
        try (Scope scope = Scope.open(); var ng = Autograd.noGrad()) {
            Tensor[] inputs = new Tensor[values.length];
            for (int i = 0; i < values.length; i++) inputs[i] = Tensor.of(backend, values[i], org.dgm4j.tensor.Shape.of(shapes[i]));
            double[] out = f.apply(inputs).toDoubleArray();
            double s = 0;
            for (int i = 0; i < out.length; i++) s += out[i] * weights[i];
            return s;
        }
    }
}
