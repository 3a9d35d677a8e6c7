package org.dgm4j.rbm;

import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Backend;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * log Z of a {@link BinaryRbm} by annealed importance sampling (Neal 2001), as Salakhutdinov and
 * Murray 2008 ("On the quantitative analysis of deep belief networks") apply it to RBMs.
 *
 * <p><b>Path.</b> A base-rate model A (W = 0, visible biases b_A, no hidden biases; b_A is usually
 * the logit of the training data's pixel means, {@link #baseRateBias}) is annealed into the target
 * B = (W, b, c) through the geometric path of unnormalized marginals
 * <pre>
 *   log p*_β(v) = (1 − β)·vᵀb_A + β·vᵀb + Σ_j softplus(β·(c_j + (vW)_j)),   0 = β_0 &lt; … &lt; β_K = 1,
 * </pre>
 * so p*_0 has log Z_0 = H·log 2 + Σ_i softplus(b_A,i) and p*_1(v) = e^{−F(v)}. Each of M chains
 * starts with an exact sample of p_0 and, for t = 1..K, adds log p*_{β_t}(v) − log p*_{β_{t−1}}(v) to
 * its log-weight, then (t &lt; K) moves by one Gibbs sweep that leaves p_{β_t} invariant:
 * h ~ σ(β_t(c + vW)), v ~ σ((1 − β_t) b_A + β_t (b + hWᵀ)).
 *
 * <p><b>Estimate.</b> log Ẑ = log Z_0 + log mean_m exp(log w_m), the log-mean-exp in double on
 * the host. The bracket is Salakhutdinov and Murray's: with r = mean(w), σ̂ = std(w)/√M (both of w
 * scaled by its largest value), [log(r − 3σ̂), log(r + 3σ̂)], the low end −∞ when r ≤ 3σ̂. Ẑ is
 * unbiased for Z, so log Ẑ is biased low on average (Jensen); the bracket speaks of Z's estimator
 * variance only, not of chains that never reached a mode.
 *
 * <p><b>Where it runs.</b> The chains (M, V) and log-weights (M) stay on the RBM's backend: per
 * intermediate distribution two matmuls (vW and hWᵀ) and elementwise ops; the log-weight
 * increments are computed and accumulated in float64 whatever the RBM's dtype (over ~10⁴ steps
 * float32 sums would drift). Only the M final log-weights come to the host.
 */
public final class AnnealedImportanceSampling {
    private AnnealedImportanceSampling() {}

    /**
     * @param logZ       the estimate log Ẑ (nats)
     * @param logZLow    log(r − 3σ̂) + shift (−∞ when r ≤ 3σ̂)
     * @param logZHigh   log(r + 3σ̂) + shift
     * @param logZBase   log Z_0 of the base-rate model
     * @param logWeights the M importance log-weights
     */
    public record Estimate(double logZ, double logZLow, double logZHigh, double logZBase, double[] logWeights) {
        /** Effective sample size (Σw)²/Σw² of the chains' weights, between 1 and M. */
        public double effectiveSampleSize() {
            double max = Double.NEGATIVE_INFINITY;
            for (double l : logWeights) max = Math.max(max, l);
            double s = 0, s2 = 0;
            for (double l : logWeights) {
                double w = Math.exp(l - max);
                s += w;
                s2 += w * w;
            }
            return s * s / s2;
        }
    }

    /**
     * The estimate from the log-weights of several independent runs on the same RBM and base model
     * (chains are independent, so runs with different seeds pool into one run of all their chains).
     */
    public static Estimate pool(Estimate... parts) {
        if (parts.length == 0) throw new IllegalArgumentException("nothing to pool");
        int n = 0;
        for (Estimate e : parts) {
            if (e.logZBase() != parts[0].logZBase()) throw new IllegalArgumentException("pooled runs must share the base model: log Z0 " + e.logZBase() + " vs " + parts[0].logZBase());
            n += e.logWeights().length;
        }
        double[] all = new double[n];
        int at = 0;
        for (Estimate e : parts) {
            System.arraycopy(e.logWeights(), 0, all, at, e.logWeights().length);
            at += e.logWeights().length;
        }
        return estimate(parts[0].logZBase(), all);
    }

    /** K intervals evenly spaced: β_t = t/K, K + 1 values. */
    public static double[] linearBetas(int intervals) {
        if (intervals < 1) throw new IllegalArgumentException("need >= 1 interval, found " + intervals);
        double[] b = new double[intervals + 1];
        for (int t = 0; t <= intervals; t++) b[t] = (double) t / intervals;
        return b;
    }

    /**
     * The schedule of Salakhutdinov and Murray 2008, scaled: {@code 500·scale} equal steps over
     * [0, 0.5), {@code 4000·scale} over [0.5, 0.9), {@code 10000·scale} over [0.9, 1]; scale 1 gives
     * their 14,500 intervals.
     */
    public static double[] salakhutdinovBetas(double scale) {
        int n1 = (int) Math.max(1, Math.round(500 * scale)), n2 = (int) Math.max(1, Math.round(4000 * scale)), n3 = (int) Math.max(1, Math.round(10000 * scale));
        double[] b = new double[n1 + n2 + n3 + 1];
        int at = 0;
        for (int i = 0; i < n1; i++) b[at++] = 0.5 * i / n1;
        for (int i = 0; i < n2; i++) b[at++] = 0.5 + 0.4 * i / n2;
        for (int i = 0; i < n3; i++) b[at++] = 0.9 + 0.1 * i / n3;
        b[at] = 1;
        return b;
    }

    /**
     * The base-rate visible biases logit(p) of pixel means p (V) clipped to [eps, 1 − eps] (a pixel
     * that is always 0 in the data would otherwise give −∞); the result has p's dtype and backend.
     */
    public static Tensor baseRateBias(Tensor dataMean, double eps) {
        try (var ng = Autograd.noGrad()) {
            return BinaryRbm.logit(dataMean, eps);
        }
    }

    /**
     * Estimates log Z of {@code rbm} with M = {@code chains} chains along {@code betas} (increasing
     * from 0 to 1) from the base model with visible biases {@code baseBias} (V). Draws from g:
     * M·V uniforms for the start, then M·(H + V) per intermediate distribution.
     */
    public static Estimate logPartition(BinaryRbm rbm, Tensor baseBias, int chains, double[] betas, Generator g) {
        checkSchedule(betas);
        if (chains < 2) throw new IllegalArgumentException("AIS needs >= 2 chains (for the bracket), found " + chains);
        int v = rbm.visible(), h = rbm.hidden();
        if (baseBias.rank() != 1 || baseBias.dim(0) != v) throw new IllegalArgumentException("base bias must be (" + v + "), found " + baseBias.shape());
        Backend be = rbm.backend();
        DType dt = rbm.dtype();
        double[] logW;
        double logZ0 = h * Math.log(2);
        try (var ng = Autograd.noGrad(); Scope s = Scope.open()) {
            Tensor bA = baseBias.toDType(dt);
            if (bA.backend() != be) bA = bA.to(be);
            for (double x : bA.toDoubleArray()) logZ0 += softplus(x);
            Tensor w = rbm.weight(), b = rbm.visibleBias(), c = rbm.hiddenBias();
            Tensor dB = b.sub(bA).reshape(v, 1); // (V, 1)
            Tensor state = g.bernoulli(bA.sigmoid().reshape(1, v).expand(chains, v)); // exact samples of p_0
            Tensor lw = Tensor.zeros(be, DType.F64, Shape.of(chains));
            for (int t = 1; t < betas.length; t++) {
                double bt = betas[t], bp = betas[t - 1];
                try (Scope step = Scope.open()) {
                    Tensor a = Ops.matmul(state, w).add(c); // (M, H)
                    Tensor a64 = a.toDType(DType.F64);
                    Tensor vd = Ops.matmul(state, dB).toDType(DType.F64).reshape(chains); // vᵀ(b − b_A)
                    Tensor inc = vd.mul(bt - bp).add(a64.mul(bt).softplus().sub(a64.mul(bp).softplus()).sum(1));
                    Tensor nextLw = step.keep(lw.add(inc));
                    lw.close();
                    lw = nextLw;
                    if (t < betas.length - 1) {
                        Tensor hid = g.bernoulli(a.mul(bt).sigmoid());
                        Tensor bias = bA.mul(1 - bt).add(b.mul(bt)); // (V)
                        Tensor next = step.keep(g.bernoulli(Ops.matmul(hid, false, w, true).mul(bt).add(bias).sigmoid()));
                        state.close();
                        state = next;
                    }
                }
            }
            logW = lw.toDoubleArray();
        }
        return estimate(logZ0, logW);
    }

    /** log-mean-exp of the log-weights plus log Z_0, with the ±3σ̂ bracket (class comment). */
    static Estimate estimate(double logZ0, double[] logW) {
        int m = logW.length;
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logW) {
            if (Double.isNaN(l)) throw new IllegalStateException("AIS produced a NaN log-weight");
            max = Math.max(max, l);
        }
        double mean = 0;
        for (double l : logW) mean += Math.exp(l - max);
        mean /= m;
        double var = 0;
        for (double l : logW) {
            double d = Math.exp(l - max) - mean;
            var += d * d;
        }
        double se = Math.sqrt(var / (m - 1)) / Math.sqrt(m);
        double shift = logZ0 + max;
        double low = mean > 3 * se ? shift + Math.log(mean - 3 * se) : Double.NEGATIVE_INFINITY;
        return new Estimate(shift + Math.log(mean), low, shift + Math.log(mean + 3 * se), logZ0, logW);
    }

    private static void checkSchedule(double[] betas) {
        if (betas.length < 2 || betas[0] != 0 || betas[betas.length - 1] != 1) {
            throw new IllegalArgumentException("β schedule must run from 0 to 1 with >= 2 values");
        }
        for (int t = 1; t < betas.length; t++) {
            if (!(betas[t] > betas[t - 1])) throw new IllegalArgumentException("β schedule must increase strictly; β[" + t + "] = " + betas[t] + " after " + betas[t - 1]);
        }
    }

    private static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }
}
