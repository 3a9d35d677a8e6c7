package org.dgm4j.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Function;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Gradcheck;
import org.dgm4j.autograd.Ops;
import org.dgm4j.nn.Module;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/** Shared checks of the flow tests: random inputs, parameter perturbation, Jacobians, parameter gradchecks. */
final class FlowTesting {
    private FlowTesting() {}

    /** N(0, scale²) values of dtype on the current backend. */
    static Tensor normal(DType dtype, long seed, double scale, long... dims) {
        return Ops.mulScalar(new Generator(seed).normal(dtype, dims), scale);
    }

    /**
     * Adds N(0, std²) noise to every parameter in place, so zero-initialized layers (last layers of
     * coupling nets, priors) become non-trivial functions before their contracts are checked. The noise
     * is drawn on the host, so a layer built on any backend with the same seeds ends up the same.
     */
    static void perturb(Module m, double std, long seed) {
        java.util.Random r = new java.util.Random(seed);
        for (Tensor p : m.parameters()) {
            double[] v = p.toDoubleArray();
            for (int i = 0; i < v.length; i++) v[i] += std * r.nextGaussian();
            write(p, v);
        }
    }

    /** Whether m or a submodule needs data-dependent initialization. */
    static boolean hasActNorm(Module m) {
        if (m instanceof ActNorm) return true;
        for (Module c : m.children().values()) if (hasActNorm(c)) return true;
        return false;
    }

    static double maxAbs(double[] v) {
        double m = 0;
        for (double d : v) m = Math.max(m, Math.abs(d));
        return m;
    }

    /** max|a − b| ≤ tol·max(1, max|b|): relative to the data's magnitude, absolute near zero. */
    static void assertClose(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": sizes");
        double scale = Math.max(1, maxAbs(expected)), worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= tol * scale, what + ": max |difference| " + worst + " at " + at + " (expected " + (at < 0 ? "" : expected[at])
                + ", found " + (at < 0 ? "" : actual[at]) + "), allowed " + tol * scale);
    }

    /** f(x) and log|det ∂f(x)_b/∂x_b| per example, from one call of f ({@link #withJacobian}). */
    record Jacobian(double[] value, double[] logAbsDet) {}

    /**
     * f(x) and log|det J_b| at each example of x (float64) with J_b = ∂f(x)_b/∂x_b by central
     * differences, all in ONE call of f: x and the 2·D perturbed copies x_b ± h·e_i of every example
     * are stacked along the batch axis (examples do not interact once ActNorm is initialized), so the
     * check costs one forward pass on any backend. h = 1e-5: truncation O(h²) ≈ 1e-10 and rounding
     * 1e-16/h ≈ 1e-11 per entry.
     */
    static Jacobian withJacobian(Function<Tensor, Tensor> f, Tensor x) {
        final double h = 1e-5;
        int b = Math.toIntExact(x.dim(0)), d = Math.toIntExact(x.numel() / x.dim(0));
        double[] v = x.toDoubleArray(), stacked = new double[b * d + b * 2 * d * d];
        System.arraycopy(v, 0, stacked, 0, b * d);
        for (int e = 0; e < b; e++) {
            for (int i = 0; i < d; i++) {
                for (int sgn = 0; sgn < 2; sgn++) {
                    int copy = b + (e * d + i) * 2 + sgn;
                    System.arraycopy(v, e * d, stacked, copy * d, d);
                    stacked[copy * d + i] += sgn == 0 ? h : -h;
                }
            }
        }
        long[] dims = x.dims();
        dims[0] = b + 2L * b * d;
        double[] y;
        try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
            Tensor out = f.apply(Ops.cast(Tensor.of(x.backend(), stacked, Shape.of(dims)), x.dtype()));
            if (out.numel() != stacked.length) throw new AssertionError("output has " + out.numel() / dims[0] + " values per example, input " + d);
            y = out.toDoubleArray();
        }
        double[] logAbsDet = new double[b];
        for (int e = 0; e < b; e++) {
            double[] jac = new double[d * d];
            for (int i = 0; i < d; i++) {
                int plus = (b + (e * d + i) * 2) * d, minus = plus + d;
                for (int j = 0; j < d; j++) jac[j * d + i] = (y[plus + j] - y[minus + j]) / (2 * h);
            }
            logAbsDet[e] = HostLinalg.lu(jac, d).logAbsDet();
        }
        return new Jacobian(java.util.Arrays.copyOf(y, b * d), logAbsDet);
    }

    /**
     * Every parameter element's gradient of loss() against float64 central differences with
     * Gradcheck's step and tolerances (parameters are perturbed in place, since Gradcheck takes its
     * inputs as fresh tensors). loss() must be a deterministic one-element function of the parameters.
     */
    static void gradcheckParameters(Module m, java.util.function.Supplier<Tensor> loss, String what) {
        if (m.parameters().isEmpty()) return;
        m.zeroGrad();
        try (Scope s = Scope.open()) {
            loss.get().backward();
        }
        for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
            Tensor p = e.getValue();
            assertEquals(DType.F64, p.dtype(), "gradchecks run in float64");
            double[] analytic = p.grad() == null ? new double[(int) p.numel()] : p.grad().toDoubleArray();
            double[] values = p.toDoubleArray();
            for (int j = 0; j < values.length; j++) {
                double saved = values[j];
                values[j] = saved + Gradcheck.EPS;
                double plus = evaluate(m, p, values, loss);
                values[j] = saved - Gradcheck.EPS;
                double minus = evaluate(m, p, values, loss);
                values[j] = saved;
                double numeric = (plus - minus) / (2 * Gradcheck.EPS);
                assertEquals(numeric, analytic[j], Gradcheck.ATOL + Gradcheck.RTOL * Math.abs(numeric), what + ": " + e.getKey() + "[" + j + "]");
            }
            write(p, values);
        }
        m.zeroGrad();
    }

    private static double evaluate(Module m, Tensor p, double[] values, java.util.function.Supplier<Tensor> loss) {
        write(p, values);
        try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
            return loss.get().item();
        }
    }

    /**
     * A gradcheck along one random direction v of every parameter of m and of the given leaf inputs at
     * once: (L(θ + εv) − L(θ − εv)) / 2ε against Σ ∇L·v, with Gradcheck's step and tolerances. Two
     * evaluations whatever the size, so it also runs where each op is expensive. The gradients must
     * already be in place (loss().backward() done by the caller); they are left there.
     */
    static void gradcheckDirection(Module m, Tensor[] inputs, java.util.function.Supplier<Tensor> loss, long seed, String what) {
        java.util.List<Tensor> vars = new java.util.ArrayList<>(m.parameters());
        vars.addAll(java.util.List.of(inputs));
        java.util.Random r = new java.util.Random(seed);
        double[][] base = new double[vars.size()][], dir = new double[vars.size()][];
        double analytic = 0;
        for (int k = 0; k < vars.size(); k++) {
            Tensor t = vars.get(k);
            base[k] = t.toDoubleArray();
            dir[k] = new double[base[k].length];
            double[] g = t.grad() == null ? new double[base[k].length] : t.grad().toDoubleArray();
            for (int j = 0; j < dir[k].length; j++) {
                dir[k][j] = r.nextGaussian();
                analytic += g[j] * dir[k][j];
            }
        }
        double[] side = new double[2];
        for (int sgn = 0; sgn < 2; sgn++) {
            for (int k = 0; k < vars.size(); k++) {
                double[] v = base[k].clone();
                for (int j = 0; j < v.length; j++) v[j] += (sgn == 0 ? 1 : -1) * Gradcheck.EPS * dir[k][j];
                write(vars.get(k), v);
            }
            try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
                side[sgn] = loss.get().item();
            }
        }
        for (int k = 0; k < vars.size(); k++) write(vars.get(k), base[k]);
        double numeric = (side[0] - side[1]) / (2 * Gradcheck.EPS);
        assertEquals(numeric, analytic, Gradcheck.ATOL + Gradcheck.RTOL * Math.abs(numeric), what + ": directional derivative");
    }

    static void write(Tensor p, double[] values) {
        try (Tensor host = Tensor.of(p.backend(), values, p.shape())) {
            p.backend().kernels().copy(host, p);
        }
    }

    /** Σ r·t with a fixed random r of t's shape (float64): exercises every element's gradient. */
    static Tensor weighted(Tensor t, long seed) {
        Tensor d = Ops.cast(t, DType.F64);
        Tensor r = new Generator(seed).normal(d.backend(), DType.F64, d.shape());
        return Ops.sum(Ops.mul(d, r), false);
    }

    static Shape shape(long... dims) {
        return Shape.of(dims);
    }
}
