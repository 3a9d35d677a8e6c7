package org.dgm4j.distributions;

import org.dgm4j.tensor.Tensor;

/**
 * Diagonal Gaussians N(μ, diag σ²) parameterized by mean and log-variance, in nats.
 */
public final class Normal {
    /** log(2π). */
    public static final double LOG_2PI = Math.log(2 * Math.PI);

    private Normal() {}

    /** log N(x; μ, exp(logVar)) elementwise = −½(log 2π + logVar + (x − μ)²·exp(−logVar)); all broadcast. */
    public static Tensor logProb(Tensor x, Tensor mean, Tensor logVar) {
        return x.sub(mean).square().mul(logVar.neg().exp()).add(logVar).add(LOG_2PI).mul(-0.5);
    }

    /** log N(x; μ, σ²) elementwise with a fixed σ: −½(log 2π + 2 log σ + (x − μ)²/σ²); x and mean broadcast. */
    public static Tensor logProb(Tensor x, Tensor mean, double sigma) {
        if (!(sigma > 0) || Double.isInfinite(sigma)) throw new IllegalArgumentException("sigma must be finite and > 0, found " + sigma);
        return x.sub(mean).square().mul(-0.5 / (sigma * sigma)).add(-0.5 * LOG_2PI - Math.log(sigma));
    }

    /** log N(x; 0, I) summed over the last axis: x (B, d) → (B) = −½ Σ_j (x_j² + log 2π). */
    public static Tensor standardLogProbSum(Tensor x) {
        return x.square().sum(x.rank() - 1).add(x.dim(-1) * LOG_2PI).mul(-0.5);
    }

    /**
     * KL(N(μ, diag exp(logVar)) ‖ N(0, I)) per example in closed form:
     * −½ Σ_j (1 + logσ²_j − μ_j² − σ²_j); mean and logVar (B, d) → (B).
     */
    public static Tensor klToStandardNormal(Tensor mean, Tensor logVar) {
        return logVar.add(1.0).sub(mean.square()).sub(logVar.exp()).sum(1).mul(-0.5);
    }
}
