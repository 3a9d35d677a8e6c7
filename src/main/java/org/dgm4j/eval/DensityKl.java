package org.dgm4j.eval;

import java.util.stream.IntStream;
import org.dgm4j.data.Synthetic2D;

/**
 * Monte Carlo estimates of KL(p_data ‖ p_model) = E_data[log p_data − log p_model] and
 * KL(p_model ‖ p_data) = E_model[log p_model − log p_data] for 2-D models of a mixture with a known
 * density. log p_data is exact ({@link #mixture}); log p_model is exact where the model has a density
 * (flows, mixtures: pass it as a {@link LogDensity2D}) and otherwise a kernel-density estimate from
 * the model's samples ({@link Kde}). Values in nats; the Monte Carlo error is about sd/√n of the
 * averaged log ratio.
 */
public final class DensityKl {
    private DensityKl() {}

    /** A log density in the plane. */
    @FunctionalInterface
    public interface LogDensity2D {
        double at(double x, double y);

        /**
         * log p at n points (x, y), row-major (2n floats) → n values. By default {@link #at} per point in
         * parallel; a model evaluated on a backend overrides it to run in batches.
         */
        default double[] atAll(float[] points) {
            return IntStream.range(0, points.length / 2).parallel().mapToDouble(i -> at(points[2 * i], points[2 * i + 1])).toArray();
        }
    }

    /** Both directions and how log p_model was obtained ("exact" or the KDE's bandwidth); bandwidth: the KDE's h, NaN when exact. */
    public record Estimate(double dataToModel, double modelToData, String method, double bandwidth) {}

    /** The exact log density of an axis-aligned Gaussian mixture, by log-sum-exp over components (finite far from every mode). */
    public static LogDensity2D mixture(Synthetic2D.Mixture m) {
        double[] w = m.probabilities();
        int k = w.length;
        double[] logNorm = new double[k];
        for (int c = 0; c < k; c++) logNorm[c] = Math.log(w[c]) - Math.log(2 * Math.PI * m.stddevs()[c][0] * m.stddevs()[c][1]);
        return (x, y) -> {
            double[] terms = new double[k];
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                double dx = (x - m.means()[c][0]) / m.stddevs()[c][0], dy = (y - m.means()[c][1]) / m.stddevs()[c][1];
                terms[c] = logNorm[c] - 0.5 * (dx * dx + dy * dy);
                max = Math.max(max, terms[c]);
            }
            if (max == Double.NEGATIVE_INFINITY) return max; // only zero-weight components
            double s = 0;
            for (double t : terms) s += Math.exp(t - max);
            return max + Math.log(s);
        };
    }

    /**
     * Both KLs with an exact model density. dataSamples are drawn from the data, modelSamples from the
     * model; each n (x, y) pairs, row-major.
     */
    public static Estimate exact(LogDensity2D data, float[] dataSamples, LogDensity2D model, float[] modelSamples) {
        return new Estimate(meanLogRatio(dataSamples, data, model), meanLogRatio(modelSamples, model, data), "exact", Double.NaN);
    }

    /**
     * Both KLs with the model's density estimated by {@link Kde#fit} from modelSamples. At the model's
     * own samples the estimate leaves the point itself out (otherwise its own kernel inflates
     * log p_model by about log(1/(2πh²n))).
     */
    public static Estimate kde(LogDensity2D data, float[] dataSamples, float[] modelSamples) {
        Kde kde = Kde.fit(modelSamples);
        double toModel = meanLogRatio(dataSamples, data, kde::at);
        double toData = meanLogRatio(modelSamples, (x, y) -> 0, data) + kde.meanLeaveOneOutLogDensity();
        return new Estimate(toModel, toData, String.format(java.util.Locale.ROOT, "kde h=%.4g (%s)", kde.bandwidth(), Kde.RULE), kde.bandwidth());
    }

    /** mean over the points of log p(x) − log q(x). */
    private static double meanLogRatio(float[] points, LogDensity2D p, LogDensity2D q) {
        double[] a = p.atAll(points), b = q.atAll(points);
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] - b[i];
        return s / a.length;
    }

    /**
     * A Gaussian kernel-density estimate with one isotropic bandwidth h:
     * p̂(x) = (1/n) Σ_i N(x; y_i, h²I), evaluated in log space (log-sum-exp, finite anywhere).
     * Bandwidth rule ({@link #RULE}): Scott's h_S = σ̄·n^(−1/6) (σ̄ the mean of the two coordinates'
     * standard deviations) is far too wide for narrow modes (σ = 0.02 on a ring of radius 2 gives
     * h_S ≈ 0.3), so h is the value of the grid h_S·2^(−j/2), j = 0..{@value #GRID}, that maximizes
     * the leave-one-out log-likelihood of the first {@value #SELECTION_POINTS} samples under the KDE of
     * all samples (likelihood cross-validation).
     */
    public static final class Kde implements LogDensity2D {
        public static final String RULE = "leave-one-out likelihood over Scott's rule x 2^(-j/2), j = 0..16";
        static final int GRID = 16, SELECTION_POINTS = 2000;
        private final float[] points;
        private final int n;
        private final double h;

        private Kde(float[] points, double h) {
            this.points = points;
            this.n = points.length / 2;
            this.h = h;
        }

        /** A KDE of n ≥ 2 samples with the bandwidth chosen as described. */
        public static Kde fit(float[] samples) {
            int n = samples.length / 2;
            if (n < 2 || samples.length % 2 != 0) throw new IllegalArgumentException("a KDE needs at least 2 points (x, y), found " + samples.length + " values");
            double scott = scott(samples);
            double[] h = new double[GRID + 1];
            for (int j = 0; j <= GRID; j++) h[j] = scott * Math.pow(2, -j / 2.0);
            int m = Math.min(n, SELECTION_POINTS);
            // per held-out point, the leave-one-out log density at every bandwidth (distances computed once)
            double[] ll = IntStream.range(0, m).parallel().mapToObj(i -> leaveOneOut(samples, i, h)).reduce(new double[h.length], (a, b) -> {
                double[] c = new double[a.length];
                for (int j = 0; j < c.length; j++) c[j] = a[j] + b[j];
                return c;
            });
            int best = 0;
            for (int j = 1; j < h.length; j++) if (ll[j] > ll[best]) best = j;
            return new Kde(samples, h[best]);
        }

        /** log p̂_{−i}(y_i) for each bandwidth in h. */
        private static double[] leaveOneOut(float[] p, int i, double[] h) {
            int n = p.length / 2;
            double[] d2 = new double[n - 1];
            double min = Double.POSITIVE_INFINITY;
            for (int j = 0, at = 0; j < n; j++) {
                if (j == i) continue;
                double dx = p[2 * i] - p[2 * j], dy = p[2 * i + 1] - p[2 * j + 1];
                d2[at] = dx * dx + dy * dy;
                min = Math.min(min, d2[at++]);
            }
            double[] out = new double[h.length];
            for (int k = 0; k < h.length; k++) {
                double inv = 1 / (2 * h[k] * h[k]), s = 0;
                for (double v : d2) {
                    double e = (v - min) * inv;
                    if (e < 40) s += Math.exp(-e); // terms below e^-40 of the largest do not change the sum
                }
                out[k] = -min * inv + Math.log(s) - Math.log(n - 1) - Math.log(2 * Math.PI * h[k] * h[k]);
            }
            return out;
        }

        /** A KDE with a given bandwidth. */
        public static Kde withBandwidth(float[] samples, double h) {
            if (!(h > 0)) throw new IllegalArgumentException("bandwidth must be > 0, found " + h);
            return new Kde(samples, h);
        }

        /** Scott's rule in 2-D: σ̄·n^(−1/6). */
        public static double scott(float[] samples) {
            int n = samples.length / 2;
            double sd = 0;
            for (int axis = 0; axis < 2; axis++) {
                double m = 0, s = 0;
                for (int i = 0; i < n; i++) m += samples[2 * i + axis];
                m /= n;
                for (int i = 0; i < n; i++) s += (samples[2 * i + axis] - m) * (samples[2 * i + axis] - m);
                sd += Math.sqrt(s / (n - 1)) / 2;
            }
            return (sd > 0 ? sd : 1) * Math.pow(n, -1.0 / 6);
        }

        public double bandwidth() {
            return h;
        }

        @Override
        public double at(double x, double y) {
            return logDensity(x, y, -1, n);
        }

        /** The mean over all samples of log p̂ at each sample with the sample itself left out. */
        public double meanLeaveOneOutLogDensity() {
            return meanLeaveOneOutLogDensity(n);
        }

        private double meanLeaveOneOutLogDensity(int count) {
            return IntStream.range(0, count).parallel().mapToDouble(i -> logDensity(points[2 * i], points[2 * i + 1], i, n - 1)).sum() / count;
        }

        /** log of (1/count) Σ_{i ≠ skip} N((x, y); y_i, h²I): log-sum-exp around the nearest sample. */
        private double logDensity(double x, double y, int skip, int count) {
            double inv = 1 / (2 * h * h), min = Double.POSITIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                if (i == skip) continue;
                double dx = x - points[2 * i], dy = y - points[2 * i + 1];
                min = Math.min(min, dx * dx + dy * dy);
            }
            double s = 0;
            for (int i = 0; i < n; i++) {
                if (i == skip) continue;
                double dx = x - points[2 * i], dy = y - points[2 * i + 1];
                double e = (dx * dx + dy * dy - min) * inv;
                if (e < 40) s += Math.exp(-e); // terms below e^-40 of the largest do not change the sum
            }
            return -min * inv + Math.log(s) - Math.log(count) - Math.log(2 * Math.PI * h * h);
        }
    }
}
