package org.dgm4j.flow;

import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Node;
import org.dgm4j.autograd.Ops;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * LU with partial pivoting in float64 on the host, for the small C×C matrices of the invertible 1x1
 * convolution, and the two differentiable ops built on it: log|det W| and W⁻¹. The matrix is copied
 * from its backend, factorized here and the result copied back (C² values each way, negligible next
 * to the convolution). This is the stand-in until the device kernels (LU / slogdet / inverse in
 * native/cuda) are in the op table; each op is one method so the swap is a one-line change.
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

        /** A⁻¹ (row-major) by solving A·X = I column by column. */
        double[] inverse() {
            if (detSign() == 0) throw new ArithmeticException("matrix is singular (a zero pivot in its LU factorization)");
            double[] inv = new double[n * n];
            double[] col = new double[n];
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < n; i++) col[i] = pivot[i] == j ? 1 : 0; // column j of P·I
                for (int i = 0; i < n; i++) { // L y = P e_j
                    double v = col[i];
                    for (int k = 0; k < i; k++) v -= lu[i * n + k] * col[k];
                    col[i] = v;
                }
                for (int i = n - 1; i >= 0; i--) { // U x = y
                    double v = col[i];
                    for (int k = i + 1; k < n; k++) v -= lu[i * n + k] * col[k];
                    col[i] = v / lu[i * n + i];
                }
                for (int i = 0; i < n; i++) inv[i * n + j] = col[i];
            }
            return inv;
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

    private static int square(Tensor w) {
        if (w.rank() != 2 || w.dim(0) != w.dim(1)) throw new IllegalArgumentException("expected a square matrix (C, C), found " + w.shape());
        return Math.toIntExact(w.dim(0));
    }

    private static double[] transpose(double[] a, int n) {
        double[] t = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) t[j * n + i] = a[i * n + j];
        return t;
    }

    /** A float64 (C, C) host matrix as a tensor of {@code like}'s dtype on its backend. */
    private static Tensor upload(double[] values, int n, Tensor like) {
        Tensor d = Tensor.of(like.backend(), values, Shape.of(n, n));
        if (like.dtype() == DType.F64) return d;
        Tensor out = Tensor.empty(like.backend(), like.dtype(), d.shape());
        like.backend().kernels().copy(d, out);
        d.close();
        return out;
    }

    /**
     * log|det W| of w (C, C) as a float64 scalar on w's backend; differentiable: ∂/∂W = W⁻ᵀ.
     * Throws for a singular W (the flow would not be invertible).
     */
    static Tensor logAbsDet(Tensor w) {
        int n = square(w);
        Lu f = lu(w.toDoubleArray(), n);
        if (f.detSign() == 0) throw new ArithmeticException("invertible 1x1 convolution: W (" + n + "x" + n + ") is singular");
        Tensor out = Tensor.full(w.backend(), DType.F64, Shape.scalar(), f.logAbsDet());
        if (Autograd.isEnabled() && w.requiresGrad()) {
            out.setGradFn(new Node("logAbsDet", g -> new Tensor[] {
                Ops.mul(upload(transpose(f.inverse(), n), n, w), Ops.cast(g, w.dtype()))}, w));
        }
        return out;
    }

    /** W⁻¹ of w (C, C) in w's dtype on its backend; differentiable: ∂L/∂W = −W⁻ᵀ·(∂L/∂W⁻¹)·W⁻ᵀ. */
    static Tensor inverse(Tensor w) {
        int n = square(w);
        Tensor inv = upload(lu(w.toDoubleArray(), n).inverse(), n, w);
        if (Autograd.isEnabled() && w.requiresGrad()) {
            inv.setGradFn(new Node("inverse", g -> new Tensor[] {
                Ops.neg(Ops.matmul(inv, true, Ops.matmul(g, false, inv, true), false))}, w));
        }
        return inv;
    }
}
