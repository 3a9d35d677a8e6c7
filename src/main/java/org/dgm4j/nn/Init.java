package org.dgm4j.nn;

import org.dgm4j.autograd.Autograd;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;

/**
 * Initializers that overwrite a tensor in place (PyTorch's torch.nn.init). Random ones draw from a
 * {@link Generator}, so the same seed gives the same model on every backend. Fans follow PyTorch:
 * for a weight of shape (d0, d1, k...) fanIn = d1·∏k and fanOut = d0·∏k (for ConvTranspose2d's
 * (in, out, kh, kw) layout this is PyTorch's own, swapped, convention).
 */
public final class Init {
    private Init() {}

    /** The recommended gain of PyTorch's calculate_gain for a nonlinearity after the layer. */
    public enum Nonlinearity {
        LINEAR, SIGMOID, TANH, RELU, LEAKY_RELU, SELU;

        /** {@code slope} is leaky_relu's negative slope (ignored otherwise). */
        public double gain(double slope) {
            return switch (this) {
                case LINEAR, SIGMOID -> 1.0;
                case TANH -> 5.0 / 3.0;
                case RELU -> Math.sqrt(2.0);
                case LEAKY_RELU -> Math.sqrt(2.0 / (1 + slope * slope));
                case SELU -> 0.75;
            };
        }
    }

    public static long fanIn(Tensor w) {
        if (w.rank() < 2) throw new IllegalArgumentException("fan in/out needs a weight of rank >= 2, found " + w.shape());
        return w.dim(1) * receptiveField(w);
    }

    public static long fanOut(Tensor w) {
        if (w.rank() < 2) throw new IllegalArgumentException("fan in/out needs a weight of rank >= 2, found " + w.shape());
        return w.dim(0) * receptiveField(w);
    }

    private static long receptiveField(Tensor w) {
        long r = 1;
        for (int i = 2; i < w.rank(); i++) r *= w.dim(i);
        return r;
    }

    public static Tensor zeros(Tensor t) {
        return constant(t, 0);
    }

    public static Tensor ones(Tensor t) {
        return constant(t, 1);
    }

    public static Tensor constant(Tensor t, double value) {
        t.backend().kernels().fill(t, value);
        return t;
    }

    /** U[lo, hi). */
    public static Tensor uniform(Tensor t, double lo, double hi, Generator gen) {
        try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
            Tensor u = gen.uniform(t.backend(), t.dtype(), t.shape());
            t.backend().kernels().copy(u.mul(hi - lo).add(lo), t);
        }
        return t;
    }

    /** N(mean, std²). */
    public static Tensor normal(Tensor t, double mean, double std, Generator gen) {
        try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
            Tensor n = gen.normal(t.backend(), t.dtype(), t.shape());
            t.backend().kernels().copy(n.mul(std).add(mean), t);
        }
        return t;
    }

    /** Glorot and Bengio 2010: U(−a, a) with a = gain·√(6 / (fanIn + fanOut)). */
    public static Tensor xavierUniform(Tensor w, double gain, Generator gen) {
        double a = gain * Math.sqrt(6.0 / (fanIn(w) + fanOut(w)));
        return uniform(w, -a, a, gen);
    }

    /** N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut)). */
    public static Tensor xavierNormal(Tensor w, double gain, Generator gen) {
        return normal(w, 0, gain * Math.sqrt(2.0 / (fanIn(w) + fanOut(w))), gen);
    }

    /** He et al. 2015: U(−b, b) with b = gain·√(3 / fan), fan = fanIn (or fanOut when {@code fanOutMode}). */
    public static Tensor kaimingUniform(Tensor w, Nonlinearity nl, double slope, boolean fanOutMode, Generator gen) {
        double b = nl.gain(slope) * Math.sqrt(3.0 / (fanOutMode ? fanOut(w) : fanIn(w)));
        return uniform(w, -b, b, gen);
    }

    /** N(0, σ²) with σ = gain / √fan. */
    public static Tensor kaimingNormal(Tensor w, Nonlinearity nl, double slope, boolean fanOutMode, Generator gen) {
        return normal(w, 0, nl.gain(slope) / Math.sqrt(fanOutMode ? fanOut(w) : fanIn(w)), gen);
    }

    /**
     * PyTorch's default for Linear and Conv layers (kaiming_uniform with a = √5, and the bias rule):
     * U(−1/√fanIn, 1/√fanIn) where fanIn is the fan in of {@code weight}.
     */
    public static Tensor pytorchDefault(Tensor t, long fanIn, Generator gen) {
        double b = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        return uniform(t, -b, b, gen);
    }

    /**
     * Saxe et al. 2014: w viewed as (d0, rest) becomes gain·Q with orthonormal rows or columns, Q from
     * the QR decomposition (modified Gram–Schmidt, in double on the host) of a normal matrix, with
     * signs fixed by R's diagonal as in PyTorch. Meant for the small matrices of initialization.
     */
    public static Tensor orthogonal(Tensor w, double gain, Generator gen) {
        int rows = Math.toIntExact(w.dim(0)), cols = Math.toIntExact(w.numel() / rows);
        boolean tall = rows >= cols; // orthonormalize the columns of the tall orientation
        int n = tall ? rows : cols, m = tall ? cols : rows;
        double[] a;
        try (Tensor g = gen.normal(org.dgm4j.backend.Backends.cpu(), org.dgm4j.tensor.DType.F64, org.dgm4j.tensor.Shape.of(rows, cols))) {
            a = g.toDoubleArray();
        }
        double[][] q = new double[m][n]; // q[j] = column j of the (n × m) tall matrix
        for (int j = 0; j < m; j++) for (int i = 0; i < n; i++) q[j][i] = tall ? a[i * cols + j] : a[j * cols + i];
        for (int j = 0; j < m; j++) {
            for (int k = 0; k < j; k++) {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += q[k][i] * q[j][i];
                for (int i = 0; i < n; i++) q[j][i] -= dot * q[k][i];
            }
            double norm = 0;
            for (int i = 0; i < n; i++) norm += q[j][i] * q[j][i];
            norm = Math.sqrt(norm); // R's diagonal is positive here, so no sign fix is needed
            for (int i = 0; i < n; i++) q[j][i] /= norm;
        }
        double[] out = new double[rows * cols];
        for (int j = 0; j < m; j++) for (int i = 0; i < n; i++) out[tall ? i * cols + j : j * cols + i] = gain * q[j][i];
        try (Tensor host = Tensor.of(org.dgm4j.backend.Backends.cpu(), out, w.shape())) {
            Parameter.copyInto("orthogonal", host, w);
        }
        return w;
    }
}
