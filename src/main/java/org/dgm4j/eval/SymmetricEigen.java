package org.dgm4j.eval;

/**
 * Eigendecomposition of a real symmetric matrix A = V·diag(λ)·Vᵀ by the cyclic Jacobi method, in
 * double: sweeps of plane rotations, each zeroing one off-diagonal pair, until the off-diagonal mass
 * is below 1e-15 of the whole (relative accuracy of every eigenvalue about n·1e-16·‖A‖). Slow for
 * large n (O(n³) per sweep, 6 to 10 sweeps), exact enough and simple for the d ≤ a few hundred of
 * feature covariances.
 */
public final class SymmetricEigen {
    private static final int MAX_SWEEPS = 100;

    private SymmetricEigen() {}

    /** Eigenvalues (unsorted) and the eigenvectors as the columns of {@code vectors}: vectors[i][k] is component i of vector k. */
    public record Result(double[] values, double[][] vectors) {}

    /** a: (n, n) symmetric (only its upper triangle is read); not modified. */
    public static Result of(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            if (a[i].length != n) throw new IllegalArgumentException("matrix must be square, row " + i + " has " + a[i].length + " entries for " + n + " rows");
            for (int j = i; j < n; j++) {
                m[i][j] = a[i][j];
                m[j][i] = a[i][j];
            }
        }
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) v[i][i] = 1;
        double total = 0;
        for (double[] row : m) for (double x : row) total += x * x;
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += 2 * m[p][q] * m[p][q];
            if (off <= 1e-30 * total || off == 0) break;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (m[p][q] == 0) continue;
                    rotate(m, v, p, q);
                }
            }
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) values[i] = m[i][i];
        return new Result(values, v);
    }

    /** The rotation in plane (p, q) that zeroes m[p][q] (Numerical Recipes' stable form), applied to m and accumulated in v. */
    private static void rotate(double[][] m, double[][] v, int p, int q) {
        int n = m.length;
        double theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (theta == 0) t = 1;
        double c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (int k = 0; k < n; k++) { // columns p and q: m ← m·J
            double mkp = m[k][p], mkq = m[k][q];
            m[k][p] = c * mkp - s * mkq;
            m[k][q] = s * mkp + c * mkq;
        }
        for (int k = 0; k < n; k++) { // rows p and q: m ← Jᵀ·m
            double mpk = m[p][k], mqk = m[q][k];
            m[p][k] = c * mpk - s * mqk;
            m[q][k] = s * mpk + c * mqk;
        }
        m[p][q] = 0;
        m[q][p] = 0;
        for (int k = 0; k < n; k++) {
            double vkp = v[k][p], vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
        }
    }

    /** f(A) = V·diag(f(λ))·Vᵀ for a function of the eigenvalues, e.g. the square root of a PSD matrix. */
    public static double[][] apply(Result e, java.util.function.DoubleUnaryOperator f) {
        int n = e.values().length;
        double[] fl = new double[n];
        for (int k = 0; k < n; k++) fl[k] = f.applyAsDouble(e.values()[k]);
        double[][] v = e.vectors(), out = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += v[i][k] * fl[k] * v[j][k];
                out[i][j] = s;
                out[j][i] = s;
            }
        }
        return out;
    }
}
