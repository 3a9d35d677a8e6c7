package org.dgm4j.eval;

import org.dgm4j.autograd.Autograd;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;

/**
 * Importance-sampled estimates of log p(x) (Burda et al. 2016's k-sample bound, the IWAE bound when
 * q is a VAE's encoder): log p(x) ≈ log (1/k) Σ_i p(x, h_i)/q(h_i|x), h_i ~ q(h|x). Its expectation is
 * a lower bound on log p(x) that never falls below the ELBO and rises towards log p(x) as k grows, so
 * −estimate is an upper bound (in expectation) on the test NLL. The k samples are drawn in chunks of
 * at most {@code chunk} per example, each chunk freed before the next, with the log-mean-exp
 * streamed in double ({@link LogMeanExp}): k = 5000 costs the memory of one chunk.
 */
public final class ImportanceSampling {
    private ImportanceSampling() {}

    /** Per-example estimates for one batch: log p(x) by importance sampling, and the ELBO from the same draws. */
    public record Estimate(double[] logLikelihood, double[] elbo) {}

    /** k samples per example of x (B, ...), in chunks of at most {@code chunk} samples, noise from {@code g}; no graph. */
    public static Estimate estimate(ImportanceWeighted model, Tensor x, int k, int chunk, Generator g) {
        if (k < 1 || chunk < 1) throw new IllegalArgumentException("k and chunk must be >= 1, found " + k + " and " + chunk);
        LogMeanExp acc = new LogMeanExp(Math.toIntExact(x.dim(0)));
        for (int done = 0; done < k; ) {
            int m = Math.min(chunk, k - done);
            try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
                acc.add(model.logWeights(x, m, g).toDoubleArray(), m);
            }
            done += m;
        }
        return new Estimate(acc.logMeanExp(), acc.mean());
    }

    /** Mean and standard error of the mean of {@code v}. */
    public static double[] meanAndStandardError(double[] v) {
        double mean = 0;
        for (double x : v) mean += x;
        mean /= v.length;
        double var = 0;
        for (double x : v) var += (x - mean) * (x - mean);
        double se = v.length > 1 ? Math.sqrt(var / (v.length - 1) / v.length) : Double.NaN;
        return new double[] {mean, se};
    }
}
