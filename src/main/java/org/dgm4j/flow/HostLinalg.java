package org.dgm4j.flow;

/**
 * LU with partial pivoting in float64 on the host, used once per layer to build the LU
 * parameterization of {@link InvConv1x1Lu} from its initial rotation (P, L, U and s are stored as
 * parameters and buffers). log|det W| and W⁻¹ during training are the device ops
 * {@link org.dgm4j.autograd.Ops#logAbsDet} and {@link org.dgm4j.autograd.Ops#matrixInverse}.
 */
final class HostLinalg {
    private HostLinalg() {}

    /**
     * P·A = L·U of an n×n row-major matrix: {@code lu} holds L's strict lower part (unit diagonal
     * implied) and U's upper part; row i of P·A is row {@code pivot[i]} of A; {@code sign} = det P.
     */
    record Lu(int n, double[] lu, int[] pivot, int sign) {
        /** log|det A| = Σ log|u_ii|; −∞ for a singular matrix. */
        double logAbsDet() {
            double s = 0;
            for (int i = 0; i < n; i++) s += Math.log(Math.abs(lu[i * n + i]));
            return s;
        }

        /** sign(det A): ±1, or 0 when singular. */
        int detSign() {
            int s = sign;
            for (int i = 0; i < n; i++) {
                double d = lu[i * n + i];
                if (d == 0) return 0;
                if (d < 0) s = -s;
            }
            return s;
        }
    }

    /** Doolittle LU with partial pivoting (the largest |a_ik| of column k becomes the pivot). */
    static Lu lu(double[] a, int n) {
        if (a.length != n * n) throw new IllegalArgumentException("expected " + n + "x" + n + " values, found " + a.length);
        double[] m = a.clone();
        int[] pivot = new int[n];
        for (int i = 0; i < n; i++) pivot[i] = i;
        int sign = 1;
        for (int k = 0; k < n; k++) {
            int p = k;
            for (int i = k + 1; i < n; i++) if (Math.abs(m[i * n + k]) > Math.abs(m[p * n + k])) p = i;
            if (p != k) {
                for (int j = 0; j < n; j++) {
                    double t = m[k * n + j];
                    m[k * n + j] = m[p * n + j];
                    m[p * n + j] = t;
                }
                int t = pivot[k];
                pivot[k] = pivot[p];
                pivot[p] = t;
                sign = -sign;
            }
            double d = m[k * n + k];
            if (d == 0) continue; // singular: U keeps the zero, logAbsDet is −∞
            for (int i = k + 1; i < n; i++) {
                double f = m[i * n + k] / d;
                m[i * n + k] = f;
                if (f != 0) for (int j = k + 1; j < n; j++) m[i * n + j] -= f * m[k * n + j];
            }
        }
        return new Lu(n, m, pivot, sign);
    }
}
