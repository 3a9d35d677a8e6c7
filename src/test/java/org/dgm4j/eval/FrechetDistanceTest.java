package org.dgm4j.eval;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The Fréchet distance against closed forms, and the Jacobi eigensolver it rests on. */
class FrechetDistanceTest {
    @Test
    void jacobiReconstructsTheMatrix() {
        double[][] a = randomSpd(12, 1);
        SymmetricEigen.Result e = SymmetricEigen.of(a);
        double[][] back = SymmetricEigen.apply(e, l -> l);
        for (int i = 0; i < 12; i++) {
            for (int j = 0; j < 12; j++) assertEquals(a[i][j], back[i][j], 1e-12, "V diag(l) V^T at " + i + "," + j); // a few ulps of entries ~10
        }
        double[][] root = SymmetricEigen.apply(e, Math::sqrt);
        double[][] sq = FrechetDistance.multiply(root, root);
        for (int i = 0; i < 12; i++) for (int j = 0; j < 12; j++) assertEquals(a[i][j], sq[i][j], 1e-11);
        // known eigenvalues: diag(3, 1) rotated by 30 degrees
        double c = Math.cos(Math.PI / 6), s = Math.sin(Math.PI / 6);
        double[][] r = {{3 * c * c + s * s, (3 - 1) * c * s}, {(3 - 1) * c * s, 3 * s * s + c * c}};
        double[] l = SymmetricEigen.of(r).values();
        java.util.Arrays.sort(l);
        assertArrayEquals(new double[] {1, 3}, l, 1e-14);
    }

    /** For 2x2 PSD M, Tr(M^{1/2}) = sqrt(tr M + 2 sqrt(det M)); with M = S1 S2 (not symmetric, not commuting) the trace term is closed form. */
    @Test
    void twoDimensionalGaussiansAgainstTheClosedForm() {
        double[][] s1 = {{2.0, 0.6}, {0.6, 1.0}}, s2 = {{0.5, -0.2}, {-0.2, 1.5}};
        double[] m1 = {1, -2}, m2 = {0.5, 0.5};
        double[][] p = FrechetDistance.multiply(s1, s2);
        double trSqrt = Math.sqrt(p[0][0] + p[1][1] + 2 * Math.sqrt(det(s1) * det(s2)));
        assertEquals(trSqrt, FrechetDistance.traceSqrtOfProduct(s1, s2), 1e-13);
        double expected = 0.25 + 6.25 + (2 + 1) + (0.5 + 1.5) - 2 * trSqrt;
        double fd = FrechetDistance.between(new FrechetDistance.Gaussian(m1, s1), new FrechetDistance.Gaussian(m2, s2));
        assertEquals(expected, fd, 1e-12);
        assertEquals(fd, FrechetDistance.between(new FrechetDistance.Gaussian(m2, s2), new FrechetDistance.Gaussian(m1, s1)), 1e-12, "symmetric");
    }

    /** Diagonal covariances commute: FD = |mu1 - mu2|^2 + sum_i (sigma1_i - sigma2_i)^2. */
    @Test
    void diagonalGaussiansInHigherDimension() {
        int d = 40;
        double[] m1 = new double[d], m2 = new double[d];
        double[][] s1 = new double[d][d], s2 = new double[d][d];
        double expected = 0;
        for (int i = 0; i < d; i++) {
            m1[i] = 0.1 * i;
            m2[i] = -0.05 * i;
            double a = 0.5 + i % 7, b = 1.0 + (i % 3) * 0.25;
            s1[i][i] = a * a;
            s2[i][i] = b * b;
            expected += (m1[i] - m2[i]) * (m1[i] - m2[i]) + (a - b) * (a - b);
        }
        assertEquals(expected, FrechetDistance.between(new FrechetDistance.Gaussian(m1, s1), new FrechetDistance.Gaussian(m2, s2)), 1e-9 * expected);
    }

    /** Identical feature sets: 0 up to rounding of the covariance's square root (1e-9 of its trace). Includes rank-deficient features. */
    @Test
    void identicalFeatureSetsAreAtDistanceZero() {
        int n = 300, d = 16;
        double[] x = new double[n * d];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) x[i * d + j] = j < 12 ? r.nextGaussian() * (1 + j) : 0; // 4 dead features, as after a ReLU
        }
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.of(x, n, d);
            double fd = FrechetDistance.of(a, a);
            assertEquals(0, fd, 1e-9 * 650, "FD " + fd);
        }
    }

    /** Samples of two known Gaussians: the fitted FD approaches the closed form (sampling error O(d/sqrt n)). */
    @Test
    void sampledGaussiansApproachTheClosedForm() {
        int n = 20_000;
        double[][] s1 = {{2.0, 0.6}, {0.6, 1.0}}, s2 = {{0.5, -0.2}, {-0.2, 1.5}};
        double[] m1 = {1, -2}, m2 = {0.5, 0.5};
        double exact = FrechetDistance.between(new FrechetDistance.Gaussian(m1, s1), new FrechetDistance.Gaussian(m2, s2));
        try (Scope s = Scope.open()) {
            double fd = FrechetDistance.of(Tensor.of(draw(m1, s1, n, 1), n, 2), Tensor.of(draw(m2, s2, n, 2), n, 2));
            // standard error of the mean term is about 2|mu1 - mu2| sqrt(tr S / n) ~ 0.05; 0.15 is three of them
            assertEquals(exact, fd, 0.15, "exact " + exact + ", sampled " + fd);
        }
    }

    private static double[] draw(double[] m, double[][] s, int n, long seed) {
        // Cholesky of a 2x2
        double l00 = Math.sqrt(s[0][0]), l10 = s[1][0] / l00, l11 = Math.sqrt(s[1][1] - l10 * l10);
        SplittableRandom r = new SplittableRandom(seed);
        double[] out = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double a = r.nextGaussian(), b = r.nextGaussian();
            out[2 * i] = m[0] + l00 * a;
            out[2 * i + 1] = m[1] + l10 * a + l11 * b;
        }
        return out;
    }

    private static double det(double[][] a) {
        return a[0][0] * a[1][1] - a[0][1] * a[1][0];
    }

    private static double[][] randomSpd(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] b = new double[n][n];
        for (double[] row : b) for (int j = 0; j < n; j++) row[j] = r.nextGaussian();
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) {
            double v = i == j ? 0.1 : 0;
            for (int k = 0; k < n; k++) v += b[i][k] * b[j][k];
            a[i][j] = v;
        }
        return a;
    }
}
