package org.dgm4j.rbm;

import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Backend;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * The exact log partition function of a small {@link BinaryRbm}, by enumerating the smaller layer
 * and summing the other out in closed form:
 * <pre>
 *   H ≤ V:  log Z = logsumexp over h ∈ {0,1}^H of  hᵀc + Σ_i softplus(b_i + (W h)_i)
 *   V &lt; H:  log Z = logsumexp over v ∈ {0,1}^V of  vᵀb + Σ_j softplus(c_j + (vᵀW)_j)   (= −F(v))
 * </pre>
 * Configurations go to the backend in chunks of at most 2^14 rows as float64 tensors (parameters
 * cast to float64), each chunk's log-sum-exp comes back as one double, and chunks are combined on
 * the host. Configuration number i sets unit j to bit j of i. Cost 2^min(V,H) · V · H multiply-adds:
 * {@link #MAX_ENUMERATED} = 20 caps it (about 10^6 configurations).
 */
public final class ExactPartition {
    /** The largest min(V, H) enumerated. */
    public static final int MAX_ENUMERATED = 20;
    private static final int CHUNK_BITS = 14;

    private ExactPartition() {}

    /** log Z of {@code rbm} in nats. */
    public static double logZ(BinaryRbm rbm) {
        boolean overHidden = rbm.hidden() <= rbm.visible();
        int n = overHidden ? rbm.hidden() : rbm.visible();
        check(n);
        double acc = Double.NEGATIVE_INFINITY;
        long total = 1L << n;
        try (var ng = Autograd.noGrad(); Scope s = Scope.open()) {
            Tensor w = rbm.weight().toDType(DType.F64), b = rbm.visibleBias().toDType(DType.F64), c = rbm.hiddenBias().toDType(DType.F64);
            for (long start = 0; start < total; start += 1L << CHUNK_BITS) {
                try (Scope chunk = Scope.open()) {
                    Tensor cfg = configurations(rbm.backend(), n, start, Math.min(total, start + (1L << CHUNK_BITS)));
                    Tensor value = overHidden
                            ? Ops.matmul(cfg, c.reshape(n, 1)).reshape(cfg.dim(0)).add(Ops.matmul(cfg, false, w, true).add(b).softplus().sum(1))
                            : Ops.matmul(cfg, b.reshape(n, 1)).reshape(cfg.dim(0)).add(Ops.matmul(cfg, w).add(c).softplus().sum(1));
                    acc = logAddExp(acc, value.logsumexp().item());
                }
            }
        }
        return acc;
    }

    /**
     * log p(v) of every visible configuration, index i = Σ_j v_j 2^j (V ≤ {@link #MAX_ENUMERATED}),
     * for exact sampling and exact likelihoods in tests of tiny models.
     */
    public static double[] visibleLogProbabilities(BinaryRbm rbm) {
        int v = rbm.visible();
        check(v);
        double logZ = logZ(rbm);
        double[] out = new double[1 << v];
        try (var ng = Autograd.noGrad(); Scope s = Scope.open()) {
            Tensor w = rbm.weight().toDType(DType.F64), b = rbm.visibleBias().toDType(DType.F64), c = rbm.hiddenBias().toDType(DType.F64);
            for (int start = 0; start < out.length; start += 1 << CHUNK_BITS) {
                try (Scope chunk = Scope.open()) {
                    int end = Math.min(out.length, start + (1 << CHUNK_BITS));
                    Tensor cfg = configurations(rbm.backend(), v, start, end);
                    double[] negF = Ops.matmul(cfg, b.reshape(v, 1)).reshape(end - start).add(Ops.matmul(cfg, w).add(c).softplus().sum(1)).toDoubleArray();
                    for (int i = 0; i < negF.length; i++) out[start + i] = negF[i] - logZ;
                }
            }
        }
        return out;
    }

    /** Rows start..end−1 as binary vectors: (end − start, n) float64, row r is configuration start + r. */
    static Tensor configurations(Backend be, int n, long start, long end) {
        int rows = Math.toIntExact(end - start);
        double[] bits = new double[rows * n];
        for (int r = 0; r < rows; r++) {
            long cfg = start + r;
            for (int j = 0; j < n; j++) bits[r * n + j] = (cfg >>> j) & 1;
        }
        return Tensor.of(be, bits, Shape.of(rows, n));
    }

    private static void check(int n) {
        if (n > MAX_ENUMERATED) {
            throw new IllegalArgumentException("exact enumeration over " + n + " units (2^" + n + " configurations) exceeds the limit of "
                    + MAX_ENUMERATED + "; use AnnealedImportanceSampling");
        }
    }

    /** log(e^a + e^b) without overflow; −∞ is the identity. */
    static double logAddExp(double a, double b) {
        if (a == Double.NEGATIVE_INFINITY) return b;
        if (b == Double.NEGATIVE_INFINITY) return a;
        double m = Math.max(a, b);
        return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
    }
}
