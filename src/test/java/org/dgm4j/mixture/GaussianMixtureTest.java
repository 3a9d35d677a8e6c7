package org.dgm4j.mixture;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.dgm4j.mixture.GaussianMixture.Covariance;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * EM for Gaussian mixtures: monotone log-likelihood, recovery of known parameters from data drawn
 * here (independently of the class's own sampler), degenerate data, and the density formula.
 */
class GaussianMixtureTest {
    /** A known 2-D mixture: weights, means, full covariances (row-major 2×2). */
    static final double[] W = {0.5, 0.3, 0.2};
    static final double[][] MU = {{-4, 0}, {3, 3}, {2, -3}};
    static final double[][] SIGMA = {{1.0, 0.6, 0.6, 1.5}, {0.5, -0.2, -0.2, 0.4}, {2.0, 0.0, 0.0, 0.3}};

    /** n points of the known mixture by host code: x = μ + L z, L the 2×2 Cholesky factor. */
    static Sampled draw(int n, double[][] sigma, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[2 * n];
        int[] c = new int[n];
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble(), acc = 0;
            int k = W.length - 1;
            for (int j = 0; j < W.length; j++) {
                acc += W[j];
                if (u < acc) {
                    k = j;
                    break;
                }
            }
            double[] s = sigma[k];
            double l00 = Math.sqrt(s[0]), l10 = s[2] / l00, l11 = Math.sqrt(s[3] - l10 * l10);
            double z0 = gaussian(r), z1 = gaussian(r);
            x[2 * i] = MU[k][0] + l00 * z0;
            x[2 * i + 1] = MU[k][1] + l10 * z0 + l11 * z1;
            c[i] = k;
        }
        return new Sampled(x, c);
    }

    record Sampled(double[] x, int[] comp) {}

    static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** For each true component, the fitted component whose mean is nearest (asserting a one-to-one match). */
    static int[] match(double[] fittedMeans, int k, int d) {
        int[] m = new int[MU.length];
        boolean[] used = new boolean[k];
        for (int t = 0; t < MU.length; t++) {
            int best = -1;
            double bestD = Double.MAX_VALUE;
            for (int c = 0; c < k; c++) {
                double dist = 0;
                for (int i = 0; i < d; i++) dist += Math.pow(fittedMeans[c * d + i] - MU[t][i], 2);
                if (dist < bestD) {
                    bestD = dist;
                    best = c;
                }
            }
            assertFalse(used[best], "two true components matched fitted component " + best);
            used[best] = true;
            m[t] = best;
        }
        return m;
    }

    /** No EM iteration lowers the mean log-likelihood by more than 1e-9 of its size, full and diagonal. */
    @Test
    void logLikelihoodNeverDecreases() {
        for (Covariance type : Covariance.values()) {
            try (Scope s = Scope.open(); GaussianMixture gmm = new GaussianMixture(4, 2, type)) {
                Tensor x = Tensor.of(draw(1500, SIGMA, 7).x(), 1500, 2);
                // no Lloyd steps and a tolerance of 0: EM does all the work from rough seeds, 80 iterations
                GaussianMixture.FitResult r = gmm.kmeansIterations(0).tolerance(0).maxIterations(80).fit(x, new Generator(3));
                assertEquals(81, r.logLikelihoods().length, type.toString());
                assertTrue(r.maxRelativeDecrease() <= 1e-9, type + ": LL dropped by " + r.maxRelativeDecrease() + " (relative)");
                double first = r.logLikelihoods()[0], last = r.finalLogLikelihood();
                assertTrue(last > first + 0.01, type + ": EM should improve on the seeds: " + first + " → " + last);
            }
        }
    }

    /**
     * 6000 points of the known mixture; tolerances are about 5 standard errors of the estimators at
     * that size (component sizes 1200–3000): means 0.15, weights 0.03 (SE ≈ 0.006), covariance
     * entries 0.2 (SE of a variance ≈ σ²·√(2/N_k) ≤ 0.06).
     */
    @Test
    void recoversAKnownFullCovarianceMixture() {
        Sampled data = draw(6000, SIGMA, 11);
        try (Scope s = Scope.open(); GaussianMixture gmm = new GaussianMixture(3, 2, Covariance.FULL)) {
            Tensor x = Tensor.of(data.x(), 6000, 2);
            GaussianMixture.FitResult r = gmm.tolerance(1e-8).fit(x, new Generator(5));
            assertTrue(r.converged(), "converged within 100 iterations");
            double[] w = gmm.weights().toDoubleArray(), mu = gmm.means().toDoubleArray(), cov = gmm.covariances().toDoubleArray();
            int[] m = match(mu, 3, 2);
            for (int t = 0; t < 3; t++) {
                int c = m[t];
                assertEquals(W[t], w[c], 0.03, "weight " + t);
                for (int i = 0; i < 2; i++) assertEquals(MU[t][i], mu[c * 2 + i], 0.15, "mean " + t + "," + i);
                for (int e = 0; e < 4; e++) assertEquals(SIGMA[t][e], cov[c * 4 + e], 0.2, "covariance " + t + " entry " + e);
            }
            // well-separated components: predicted labels agree with the generating ones
            int[] pred = gmm.predict(x);
            int agree = 0;
            for (int i = 0; i < pred.length; i++) if (pred[i] == m[data.comp()[i]]) agree++;
            assertTrue(agree >= 0.99 * pred.length, "label agreement " + agree + "/" + pred.length);
        }
    }

    @Test
    void recoversAKnownDiagonalMixture() {
        double[][] diag = {{1.0, 0, 0, 1.5}, {0.5, 0, 0, 0.4}, {2.0, 0, 0, 0.3}};
        Sampled data = draw(6000, diag, 13);
        try (Scope s = Scope.open(); GaussianMixture gmm = new GaussianMixture(3, 2, Covariance.DIAGONAL)) {
            Tensor x = Tensor.of(data.x(), 6000, 2);
            assertTrue(gmm.tolerance(1e-8).fit(x, new Generator(9)).converged());
            assertEquals(Shape.of(3, 2), gmm.covariances().shape());
            double[] w = gmm.weights().toDoubleArray(), mu = gmm.means().toDoubleArray(), var = gmm.covariances().toDoubleArray();
            int[] m = match(mu, 3, 2);
            for (int t = 0; t < 3; t++) {
                int c = m[t];
                assertEquals(W[t], w[c], 0.03, "weight " + t);
                for (int i = 0; i < 2; i++) {
                    assertEquals(MU[t][i], mu[c * 2 + i], 0.15, "mean " + t + "," + i);
                    assertEquals(diag[t][i * 3], var[c * 2 + i], 0.2, "variance " + t + "," + i);
                }
            }
        }
    }

    /**
     * Duplicate points (3 distinct values, more components than that) and a constant dimension: the
     * floor keeps every covariance positive definite, so log-likelihoods and parameters stay finite.
     */
    @Test
    void degenerateDataStaysFiniteThanksToTheFloor() {
        double[] dup = new double[3 * 60 * 2];
        double[][] pts = {{0, 0}, {1, 2}, {-3, 1}};
        for (int i = 0; i < 180; i++) {
            dup[2 * i] = pts[i % 3][0];
            dup[2 * i + 1] = pts[i % 3][1];
        }
        double[] constant = draw(500, SIGMA, 17).x().clone();
        for (int i = 0; i < 500; i++) constant[2 * i + 1] = 5.0; // second dimension constant
        double[] allSame = new double[40 * 2];
        java.util.Arrays.fill(allSame, 2.5);
        for (Covariance type : Covariance.values()) {
            for (int k : new int[] {3, 4}) check(type, k, Tensor.of(dup, 180, 2), "duplicates K=" + k);
            check(type, 2, Tensor.of(constant, 500, 2), "constant dimension");
            check(type, 3, Tensor.of(allSame, 40, 2), "all points equal");
        }
    }

    private static void check(Covariance type, int k, Tensor x, String what) {
        try (Scope s = Scope.open(); GaussianMixture gmm = new GaussianMixture(k, 2, type)) {
            GaussianMixture.FitResult r = gmm.reg(1e-6).maxIterations(30).fit(x, new Generator(1));
            String tag = type + " " + what;
            for (double ll : r.logLikelihoods()) assertTrue(Double.isFinite(ll), tag + ": LL " + ll);
            for (double v : gmm.weights().toDoubleArray()) assertTrue(Double.isFinite(v) && v >= 0, tag + ": weight " + v);
            for (double v : gmm.means().toDoubleArray()) assertTrue(Double.isFinite(v), tag + ": mean " + v);
            double[] cov = gmm.covariances().toDoubleArray();
            for (int c = 0; c < k; c++) {
                for (int i = 0; i < 2; i++) {
                    double diagonal = type == Covariance.FULL ? cov[c * 4 + i * 3] : cov[c * 2 + i];
                    assertTrue(diagonal >= 1e-6 * (1 - 1e-9), tag + ": variance " + diagonal + " below the floor");
                }
            }
            for (double v : gmm.score(x).toDoubleArray()) assertTrue(Double.isFinite(v), tag + ": score " + v);
            assertTrue(r.maxRelativeDecrease() <= 1e-9, tag + ": LL dropped by " + r.maxRelativeDecrease());
        }
    }

    /** score() against the density written out by hand from the fitted parameters (full, D = 2). */
    @Test
    void scoreIsTheMixtureDensity() {
        try (Scope s = Scope.open(); GaussianMixture gmm = new GaussianMixture(3, 2, Covariance.FULL)) {
            gmm.maxIterations(5).fit(Tensor.of(draw(600, SIGMA, 19).x(), 600, 2), new Generator(2));
            double[] w = gmm.weights().toDoubleArray(), mu = gmm.means().toDoubleArray(), cov = gmm.covariances().toDoubleArray();
            double[] pts = {0, 0, -4, 1, 3, 2.5, 10, -10};
            double[] got = gmm.score(Tensor.of(pts, 4, 2)).toDoubleArray();
            for (int p = 0; p < 4; p++) {
                double dens = 0;
                for (int c = 0; c < 3; c++) {
                    double a = cov[c * 4], b = cov[c * 4 + 1], d = cov[c * 4 + 3], det = a * d - b * b;
                    double x0 = pts[2 * p] - mu[2 * c], x1 = pts[2 * p + 1] - mu[2 * c + 1];
                    double q = (d * x0 * x0 - 2 * b * x0 * x1 + a * x1 * x1) / det;
                    dens += w[c] * Math.exp(-0.5 * q) / (2 * Math.PI * Math.sqrt(det));
                }
                // relative 1e-9: two float64 evaluations of the same formula, one through Cholesky
                assertEquals(Math.log(dens), got[p], 1e-9 * Math.max(1, Math.abs(got[p])), "point " + p);
            }
            double[] resp = gmm.responsibilities(Tensor.of(pts, 4, 2)).toDoubleArray();
            for (int p = 0; p < 4; p++) assertEquals(1, resp[3 * p] + resp[3 * p + 1] + resp[3 * p + 2], 1e-12);
        }
    }

    /** Samples follow the model: component frequencies and per-component means (20,000 draws; ~5 SE). */
    @Test
    void samplesFollowTheFittedModel() {
        try (Scope s = Scope.open(); GaussianMixture gmm = new GaussianMixture(3, 2, Covariance.FULL)) {
            gmm.fit(Tensor.of(draw(3000, SIGMA, 23).x(), 3000, 2), new Generator(4));
            GaussianMixture.Sample smp = gmm.sample(20000, new Generator(8));
            assertEquals(Shape.of(20000, 2), smp.x().shape());
            assertEquals(DType.F64, smp.x().dtype());
            double[] x = smp.x().toDoubleArray(), w = gmm.weights().toDoubleArray(), mu = gmm.means().toDoubleArray(), cov = gmm.covariances().toDoubleArray();
            double[] count = new double[3], sum = new double[6], sq = new double[3];
            for (int i = 0; i < 20000; i++) {
                int c = smp.components()[i];
                count[c]++;
                sum[2 * c] += x[2 * i];
                sum[2 * c + 1] += x[2 * i + 1];
                sq[c] += Math.pow(x[2 * i] - mu[2 * c], 2);
            }
            for (int c = 0; c < 3; c++) {
                assertEquals(w[c], count[c] / 20000, 0.02, "frequency " + c);
                assertEquals(mu[2 * c], sum[2 * c] / count[c], 0.1, "mean x " + c);
                assertEquals(mu[2 * c + 1], sum[2 * c + 1] / count[c], 0.1, "mean y " + c);
                assertEquals(cov[4 * c], sq[c] / count[c], 0.15 * cov[4 * c] + 0.02, "variance x " + c);
            }
            // the same generator state gives the same samples
            assertArrayEquals(x, gmm.sample(20000, new Generator(8)).x().toDoubleArray());
        }
    }

    /** Restarts keep the best run: never worse than the first run alone from the same generator state. */
    @Test
    void restartsKeepTheBestRun() {
        try (Scope s = Scope.open(); GaussianMixture one = new GaussianMixture(5, 2, Covariance.FULL); GaussianMixture five = new GaussianMixture(5, 2, Covariance.FULL)) {
            Tensor x = Tensor.of(draw(1000, SIGMA, 31).x(), 1000, 2);
            double single = one.kmeansIterations(0).fit(x, new Generator(12)).finalLogLikelihood();
            GaussianMixture.FitResult best = five.kmeansIterations(0).restarts(5).fit(x, new Generator(12));
            assertTrue(best.finalLogLikelihood() >= single, best.finalLogLikelihood() + " < " + single);
            assertEquals(best.finalLogLikelihood(), five.meanLogLikelihood(x), 1e-12, "the kept parameters are the best run's");
        }
    }

    @Test
    void sameSeedSameFitAndBadInputIsRejected() {
        double[] data = draw(800, SIGMA, 29).x();
        double[] a, b;
        try (Scope s = Scope.open(); GaussianMixture g1 = new GaussianMixture(3, 2, Covariance.FULL); GaussianMixture g2 = new GaussianMixture(3, 2, Covariance.FULL)) {
            g1.fit(Tensor.of(data, 800, 2), new Generator(6));
            g2.fit(Tensor.of(data, 800, 2), new Generator(6));
            a = g1.means().toDoubleArray();
            b = g2.means().toDoubleArray();
            assertArrayEquals(a, b, 0);
            // float32 data is accepted (cast to float64 inside)
            float[] f = new float[data.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) data[i];
            assertTrue(Double.isFinite(g1.meanLogLikelihood(Tensor.of(f, 800, 2))));
            assertThrows(IllegalArgumentException.class, () -> g1.fit(Tensor.of(data, 400, 4), new Generator(1)));
            assertThrows(IllegalArgumentException.class, () -> g1.fit(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2), new Generator(1)));
            assertEquals(java.util.List.of("weights", "means", "covariances"), java.util.List.copyOf(g1.stateDict().keySet()));
        }
    }
}
