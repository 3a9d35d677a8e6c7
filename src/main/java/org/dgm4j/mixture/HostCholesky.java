package org.dgm4j.mixture;

/**
 * Host-side float64 Cholesky factorization and triangular inverse of one small D×D symmetric matrix
 * (a mixture component's covariance). D is the data dimension, so this is O(D³) on the host per
 * component and EM iteration: fine for the tens of dimensions mixtures are fitted to, not meant for
 * D in the thousands. Matrices are row-major {@code double[D·D]}.
 */
final class HostCholesky {
    private HostCholesky() {}

    /**
     * Lower-triangular L with L·Lᵀ = a (row-major, upper part zero); a: (D, D) symmetric. Throws
     * {@link IllegalStateException} naming {@code what} and the pivot when a is not positive definite.
     */
    static double[] factor(double[] a, int d, String what) {
        double[] l = new double[d * d];
        for (int j = 0; j < d; j++) {
            double s = a[j * d + j];
            for (int k = 0; k < j; k++) s -= l[j * d + k] * l[j * d + k];
            if (!(s > 0) || !Double.isFinite(s)) {
                throw new IllegalStateException(what + " is not positive definite (pivot " + j + " is " + s
                        + "); raise the covariance floor reg");
            }
            double ljj = Math.sqrt(s);
            l[j * d + j] = ljj;
            for (int i = j + 1; i < d; i++) {
                double t = a[i * d + j];
                for (int k = 0; k < j; k++) t -= l[i * d + k] * l[j * d + k];
                l[i * d + j] = t / ljj;
            }
        }
        return l;
    }

    /** L⁻¹ of a lower-triangular L (D, D) with a positive diagonal, by forward substitution; lower-triangular. */
    static double[] lowerInverse(double[] l, int d) {
        double[] inv = new double[d * d];
        for (int col = 0; col < d; col++) {
            // solve L·x = e_col; x is column col of L⁻¹ (zero above the diagonal)
            for (int i = col; i < d; i++) {
                double s = i == col ? 1 : 0;
                for (int k = col; k < i; k++) s -= l[i * d + k] * inv[k * d + col];
                inv[i * d + col] = s / l[i * d + i];
            }
        }
        return inv;
    }

    /** log det(a) = 2·Σ log L_jj from a's Cholesky factor L (D, D). */
    static double logDet(double[] l, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) s += Math.log(l[j * d + j]);
        return 2 * s;
    }
}
