package org.dgm4j.eval;

/**
 * A streaming log-mean-exp per example, in double: feed log-weights in chunks of samples, read
 * log((1/k) Σ_i exp(lw_i)) without ever holding all k of them or overflowing. Per example it keeps the
 * running maximum m and s = Σ_i exp(lw_i − m), rescaling s when a larger value arrives. Also keeps
 * the plain mean of the log-weights (the k-sample estimate of the ELBO, which the IWAE bound never
 * falls below).
 */
public final class LogMeanExp {
    private final double[] max, scaled, sum;
    private long count;

    /** For {@code examples} independent examples. */
    public LogMeanExp(int examples) {
        max = new double[examples];
        scaled = new double[examples];
        sum = new double[examples];
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
    }

    /** Adds {@code samples} log-weights per example, laid out (samples, examples) row-major (what a (k, B) tensor reads back as). */
    public void add(double[] lw, int samples) {
        int b = max.length;
        if (lw.length != (long) samples * b) throw new IllegalArgumentException(lw.length + " values are not " + samples + " samples of " + b + " examples");
        for (int i = 0; i < samples; i++) {
            for (int e = 0; e < b; e++) {
                double v = lw[i * b + e];
                if (Double.isNaN(v)) throw new IllegalArgumentException("log-weight of example " + e + " is NaN");
                sum[e] += v;
                if (v == Double.NEGATIVE_INFINITY) continue; // a zero weight adds nothing
                if (v <= max[e]) {
                    scaled[e] += Math.exp(v - max[e]);
                } else {
                    scaled[e] = scaled[e] * Math.exp(max[e] - v) + 1; // exp(−∞) = 0 before the first finite value
                    max[e] = v;
                }
            }
        }
        count += samples;
    }

    /** Samples seen per example. */
    public long count() {
        return count;
    }

    /** log((1/k) Σ exp(lw)) per example (the importance-sampled estimate of log p(x), a lower bound in expectation). */
    public double[] logMeanExp() {
        double[] out = new double[max.length];
        for (int e = 0; e < out.length; e++) out[e] = max[e] + Math.log(scaled[e]) - Math.log(count);
        return out;
    }

    /** (1/k) Σ lw per example (the ELBO estimated with the same samples). */
    public double[] mean() {
        double[] out = new double[max.length];
        for (int e = 0; e < out.length; e++) out[e] = sum[e] / count;
        return out;
    }
}
