package org.dgm4j.eval;

import org.dgm4j.tensor.Tensor;

/**
 * The Fréchet distance between Gaussians fitted to two sets of features (Dowson and Landau 1982;
 * Heusel et al. 2017 made it a sample-quality measure with Inception features, "FID"):
 * <pre>
 *   FD = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2·(Σ₁Σ₂)^{1/2})
 * </pre>
 * Everything is float64. The trace of the matrix square root is taken without a non-symmetric
 * square root: with A = Σ₁^{1/2} (from the eigendecomposition of the symmetric PSD Σ₁), the product
 * Σ₁Σ₂ = A·(AΣ₂) has the same eigenvalues as the symmetric PSD matrix AΣ₂A, so
 * Tr((Σ₁Σ₂)^{1/2}) = Σ_k √λ_k(AΣ₂A). Both eigendecompositions are {@link SymmetricEigen}'s Jacobi
 * method; eigenvalues that rounding makes slightly negative (at most about 1e-12 of the largest)
 * count as 0. This is exact where scipy's sqrtm route (used by the reference FID code) needs a
 * complex result and an "imaginary component" tolerance.
 */
public final class FrechetDistance {
    private FrechetDistance() {}

    /** A Gaussian fitted to samples: mean (d) and covariance (d, d) with the unbiased 1/(n − 1), as numpy.cov. */
    public record Gaussian(double[] mean, double[][] covariance) {
        public int dimensions() {
            return mean.length;
        }

        /** Fits features (n, d), n ≥ 2, in float64 (two passes: mean, then centred products). */
        public static Gaussian fit(Tensor features) {
            if (features.rank() != 2 || features.dim(0) < 2) throw new IllegalArgumentException("features must be (n, d) with n >= 2, found " + features.shape());
            int n = (int) features.dim(0), d = (int) features.dim(1);
            double[] x = features.toDoubleArray();
            double[] mean = new double[d];
            for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mean[j] += x[i * d + j];
            for (int j = 0; j < d; j++) mean[j] /= n;
            double[][] cov = new double[d][d];
            double[] c = new double[d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) c[j] = x[i * d + j] - mean[j];
                for (int a = 0; a < d; a++) {
                    double ca = c[a];
                    if (ca == 0) continue; // post-ReLU features are often exactly zero
                    double[] row = cov[a];
                    for (int b = a; b < d; b++) row[b] += ca * c[b];
                }
            }
            for (int a = 0; a < d; a++) {
                for (int b = a; b < d; b++) {
                    cov[a][b] /= n - 1;
                    cov[b][a] = cov[a][b];
                }
            }
            return new Gaussian(mean, cov);
        }
    }

    /** FD between Gaussians fitted to features a (n, d) and b (m, d). */
    public static double of(Tensor a, Tensor b) {
        return between(Gaussian.fit(a), Gaussian.fit(b));
    }

    /** FD between two Gaussians of the same dimension. */
    public static double between(Gaussian p, Gaussian q) {
        int d = p.dimensions();
        if (q.dimensions() != d) throw new IllegalArgumentException("Gaussians of " + d + " and " + q.dimensions() + " dimensions");
        double meanTerm = 0, traces = 0;
        for (int i = 0; i < d; i++) {
            double diff = p.mean()[i] - q.mean()[i];
            meanTerm += diff * diff;
            traces += p.covariance()[i][i] + q.covariance()[i][i];
        }
        return meanTerm + traces - 2 * traceSqrtOfProduct(p.covariance(), q.covariance());
    }

    /** Tr((Σ₁Σ₂)^{1/2}) for symmetric PSD Σ₁, Σ₂ (d, d), as Σ_k √λ_k(Σ₁^{1/2} Σ₂ Σ₁^{1/2}). */
    public static double traceSqrtOfProduct(double[][] s1, double[][] s2) {
        double[][] a = SymmetricEigen.apply(SymmetricEigen.of(s1), l -> Math.sqrt(Math.max(l, 0)));
        double[][] m = multiply(multiply(a, s2), a);
        double t = 0;
        for (double l : SymmetricEigen.of(m).values()) t += Math.sqrt(Math.max(l, 0));
        return t;
    }

    static double[][] multiply(double[][] x, double[][] y) {
        int n = x.length, k = y.length, m = y[0].length;
        double[][] out = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < k; l++) {
                double v = x[i][l];
                if (v == 0) continue;
                double[] yr = y[l], or = out[i];
                for (int j = 0; j < m; j++) or[j] += v * yr[j];
            }
        }
        return out;
    }
}
