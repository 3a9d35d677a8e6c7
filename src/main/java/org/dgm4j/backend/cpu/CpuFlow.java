package org.dgm4j.backend.cpu;

import java.util.Arrays;
import org.dgm4j.tensor.Tensor;

/**
 * The normalizing-flow ops on the CPU: the reference of native/cuda coupling.cu, actnorm.cu,
 * invconv.cu and squeeze.cu (contracts in backend.Kernels and native/include/dgm4j/flow.h). Every
 * value is computed in double and rounded once to the dtype. Where the CUDA kernels are bit-identical
 * to this code (LU, inverse, actnorm's logdet, squeeze) the arithmetic here is in the same order;
 * elsewhere they differ by libm's last bits and the order of sums (test ParitySpecs.Flow).
 */
final class CpuFlow {
    private static final int GRAIN = 1 << 14;

    private CpuFlow() {}

    /** Elements per batch row of a (B, ...) tensor. */
    private static int perSample(Tensor t) {
        return t.dim(0) == 0 ? 0 : (int) (t.numel() / t.dim(0));
    }

    /** Π of the dims after axis 1: H·W for (B, C, H, W), 1 for (B, C). */
    private static int spatial(Tensor t) {
        long s = 1;
        for (int i = 2; i < t.rank(); i++) s *= t.dim(i);
        return (int) s;
    }

    // ---- sigmoid(h) and friends from e = exp(−|h|): one exp and one log1p per element, no overflow

    static double sigmoid(double h, double e) {
        return h >= 0 ? 1 / (1 + e) : e / (1 + e);
    }

    /** 1 − sigmoid(h) = sigmoid(−h), without the cancellation of 1 − s. */
    static double oneMinusSigmoid(double h, double e) {
        return h >= 0 ? e / (1 + e) : 1 / (1 + e);
    }

    /** 1 / sigmoid(h) = 1 + exp(−h). */
    static double inverseSigmoid(double h, double e) {
        return h >= 0 ? 1 + e : (1 + e) / e;
    }

    /** log sigmoid(h) = −softplus(−h) = −(max(−h, 0) + log1p(exp(−|h|))); log1pSmall: Math.log1p is not intrinsic. */
    static double logSigmoid(double h, double e) {
        return -((h < 0 ? -h : 0) + F32Loops.log1pSmall(e));
    }

    // ---- affine coupling

    /** Forward (inverse = false) or inverse of the coupling; logdet[b] = ±Σ log s in element order. */
    static void affineCoupling(boolean inverse, Tensor in, Tensor raw, Tensor shift, Tensor out, Tensor logdet) {
        Buf ib = Buf.of(in), rb = Buf.of(raw), sb = Buf.of(shift), ob = Buf.of(out), lb = Buf.of(logdet);
        int n = perSample(in);
        Parallel.range(in.dim(0), Math.max(1, GRAIN / Math.max(1, n)), (lo, hi) -> {
            for (int b = lo; b < hi; b++) {
                double acc = 0;
                for (int i = b * n; i < (b + 1) * n; i++) {
                    double h = rb.get(i) + 2, e = Math.exp(-Math.abs(h));
                    ob.set(i, inverse ? ib.get(i) * inverseSigmoid(h, e) - sb.get(i) : (ib.get(i) + sb.get(i)) * sigmoid(h, e));
                    acc += logSigmoid(h, e);
                }
                lb.set(b, inverse ? -acc : acc);
            }
        });
    }

    static void affineCouplingBackward(Tensor x, Tensor raw, Tensor shift, Tensor dy, Tensor dlogdet, Tensor dx, Tensor draw) {
        Buf xb = Buf.of(x), rb = Buf.of(raw), sb = Buf.of(shift), gb = Buf.of(dy), lb = Buf.of(dlogdet);
        Buf dxb = Buf.of(dx), drb = Buf.of(draw);
        int n = perSample(x);
        Parallel.range(x.numel(), GRAIN, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                double h = rb.get(i) + 2, e = Math.exp(-Math.abs(h));
                double s = sigmoid(h, e), g = gb.get(i);
                dxb.set(i, g * s);
                drb.set(i, (g * (xb.get(i) + sb.get(i)) * s + lb.get(i / n)) * oneMinusSigmoid(h, e));
            }
        });
    }

    // ---- actnorm

    /** S·Σ_c logScale[c], the sum in channel order. */
    private static double logScaleSum(Buf ls, int channels, int s) {
        double sum = 0;
        for (int c = 0; c < channels; c++) sum += ls.get(c);
        return s * sum;
    }

    static void actnorm(boolean inverse, Tensor in, Tensor logScale, Tensor bias, Tensor out, Tensor logdet) {
        Buf ib = Buf.of(in), lsb = Buf.of(logScale), bb = Buf.of(bias), ob = Buf.of(out), lb = Buf.of(logdet);
        int channels = (int) in.dim(1), s = spatial(in);
        long rows = in.dim(0) * channels;
        Parallel.range(rows, Math.max(1, GRAIN / Math.max(1, s)), (lo, hi) -> {
            for (int row = lo; row < hi; row++) {
                int c = row % channels;
                double bias_c = bb.get(c);
                if (inverse) {
                    double e = Math.exp(-lsb.get(c));
                    for (int i = row * s; i < (row + 1) * s; i++) ob.set(i, ib.get(i) * e - bias_c);
                } else {
                    double e = Math.exp(lsb.get(c));
                    for (int i = row * s; i < (row + 1) * s; i++) ob.set(i, (ib.get(i) + bias_c) * e);
                }
            }
        });
        double ld = logScaleSum(lsb, channels, s);
        for (int b = 0; b < in.dim(0); b++) lb.set(b, inverse ? -ld : ld);
    }

    static void actnormBackward(Tensor x, Tensor logScale, Tensor bias, Tensor dy, Tensor dlogdet, Tensor dx, Tensor dlogScale,
                                Tensor dbias) {
        Buf xb = Buf.of(x), lsb = Buf.of(logScale), bb = Buf.of(bias), gb = Buf.of(dy), lb = Buf.of(dlogdet);
        Buf dxb = Buf.of(dx), dlsb = Buf.of(dlogScale), dbb = Buf.of(dbias);
        int batch = (int) x.dim(0), channels = (int) x.dim(1), s = spatial(x);
        double dlSum = 0;
        for (int b = 0; b < batch; b++) dlSum += lb.get(b);
        double logdetTerm = s * dlSum;
        Parallel.range(channels, Math.max(1, GRAIN / Math.max(1, (long) batch * s)), (lo, hi) -> {
            for (int c = lo; c < hi; c++) {
                double e = Math.exp(lsb.get(c)), bias_c = bb.get(c), sumDy = 0, sumDyX = 0;
                for (int b = 0; b < batch; b++) {
                    for (int i = (b * channels + c) * s, end = i + s; i < end; i++) {
                        double g = gb.get(i);
                        dxb.set(i, g * e);
                        sumDy += g;
                        sumDyX += g * (xb.get(i) + bias_c);
                    }
                }
                dbb.set(c, e * sumDy);
                dlsb.set(c, e * sumDyX + logdetTerm);
            }
        });
    }

    /** Shifted two-pass mean and population standard deviation per channel (see Kernels.actnormStats). */
    static void actnormStats(Tensor x, Tensor mean, Tensor std) {
        Buf xb = Buf.of(x), mb = Buf.of(mean), sb = Buf.of(std);
        int batch = (int) x.dim(0), channels = (int) x.dim(1), s = spatial(x);
        double n = (double) batch * s;
        Parallel.range(channels, Math.max(1, GRAIN / Math.max(1, (long) batch * s)), (lo, hi) -> {
            for (int c = lo; c < hi; c++) {
                double k = xb.get(c * s), sum = 0;
                for (int b = 0; b < batch; b++) {
                    for (int i = (b * channels + c) * s, end = i + s; i < end; i++) sum += xb.get(i) - k;
                }
                double m = k + sum / n, sq = 0;
                for (int b = 0; b < batch; b++) {
                    for (int i = (b * channels + c) * s, end = i + s; i < end; i++) {
                        double d = xb.get(i) - m;
                        sq += d * d;
                    }
                }
                mb.set(c, m);
                sb.set(c, Math.sqrt(sq / n));
            }
        });
    }

    // ---- LU with partial pivoting (invconv.cu does exactly these operations in this order)

    private static final double LN2 = 0x1.62e42fefa39efp-1, SQRT_HALF = 0x1.6a09e667f3bcdp-1;

    /** The pivot search key: |v|, NaN counting as +inf (so a NaN column propagates). */
    private static double key(double v) {
        return Double.isNaN(v) ? Double.POSITIVE_INFINITY : Math.abs(v);
    }

    /** C's frexp for finite x > 0: x = m·2^e with m in [0.5, 1); returns m and stores e in exp[0]. */
    static double frexp(double x, int[] exp) {
        int e = Math.getExponent(x);
        if (e == Double.MIN_EXPONENT - 1) { // subnormal: scale into the normal range first
            double m = frexp(x * 0x1p54, exp);
            exp[0] -= 54;
            return m;
        }
        exp[0] = e + 1;
        return Math.scalb(x, -(e + 1));
    }

    /** a (C, C) row-major in double after {@link #factor}: L below the diagonal (unit), U on and above. */
    static final class Lu {
        final int c;
        final double[] a;
        final int[] perm; // row k was swapped with row perm[k] at step k
        boolean singular, nonFinite;
        double logAbsDet;

        Lu(Tensor w) {
            c = (int) w.dim(0);
            a = w.toDoubleArray();
            perm = new int[c];
        }

        /**
         * PA = LU. Stops at the first exactly zero pivot (singular: logAbsDet = −inf). Any NaN or infinite
         * entry of w, or a non-finite pivot, gives logAbsDet = NaN. |det| = Π|u_kk| is accumulated as
         * m·2^E with frexp (exact, never over- or underflows), then log|det| = log(m) + E·ln 2 with m in
         * [√½, √2): the only rounding that depends on libm is that one log.
         */
        Lu factor() {
            for (double v : a) nonFinite |= !Double.isFinite(v);
            if (nonFinite) {
                logAbsDet = Double.NaN;
                return this;
            }
            double m = 1;
            long bigE = 0;
            int[] ex = new int[1];
            for (int k = 0; k < c; k++) {
                int p = k;
                double best = key(a[k * c + k]);
                for (int i = k + 1; i < c; i++) {
                    double v = key(a[i * c + k]);
                    if (v > best) {
                        best = v;
                        p = i;
                    }
                }
                if (best == 0) {
                    singular = true;
                    break;
                }
                perm[k] = p;
                if (p != k) {
                    for (int j = 0; j < c; j++) {
                        double t = a[k * c + j];
                        a[k * c + j] = a[p * c + j];
                        a[p * c + j] = t;
                    }
                }
                double piv = a[k * c + k];
                if (Math.abs(piv) < Double.POSITIVE_INFINITY) {
                    m *= frexp(Math.abs(piv), ex);
                    bigE += ex[0];
                    m = frexp(m, ex);
                    bigE += ex[0];
                } else {
                    nonFinite = true;
                }
                for (int i = k + 1; i < c; i++) a[i * c + k] = a[i * c + k] / piv;
                int k1 = k + 1, rest = c - k1;
                Parallel.range(rest, Math.max(1, GRAIN / Math.max(1, rest)), (lo, hi) -> {
                    for (int i = k1 + lo; i < k1 + hi; i++) {
                        double l = a[i * c + k1 - 1];
                        for (int j = k1; j < c; j++) a[i * c + j] = a[i * c + j] - l * a[(k1 - 1) * c + j];
                    }
                });
            }
            if (nonFinite) {
                logAbsDet = Double.NaN;
            } else if (singular) {
                logAbsDet = Double.NEGATIVE_INFINITY;
            } else {
                m = frexp(m, ex);
                bigE += ex[0];
                if (m < SQRT_HALF) {
                    m *= 2;
                    bigE -= 1;
                }
                logAbsDet = Math.log(m) + bigE * LN2;
            }
            return this;
        }

        /**
         * w⁻¹ column by column: LUx = Pe_j by forward then back substitution, each sum in index order;
         * all NaN when singular or non-finite.
         */
        double[] inverse() {
            double[] out = new double[c * c];
            if (singular || nonFinite) {
                Arrays.fill(out, Double.NaN);
                return out;
            }
            int[] pi = new int[c]; // row r of PA is row pi[r] of A
            for (int r = 0; r < c; r++) pi[r] = r;
            for (int k = 0; k < c; k++) {
                int t = pi[k];
                pi[k] = pi[perm[k]];
                pi[perm[k]] = t;
            }
            Parallel.range(c, Math.max(1, GRAIN / Math.max(1, (long) c * c)), (lo, hi) -> {
                double[] x = new double[c];
                for (int j = lo; j < hi; j++) {
                    for (int r = 0; r < c; r++) {
                        double acc = pi[r] == j ? 1 : 0;
                        for (int k = 0; k < r; k++) acc = acc - a[r * c + k] * x[k];
                        x[r] = acc;
                    }
                    for (int r = c - 1; r >= 0; r--) {
                        double acc = x[r];
                        for (int k = r + 1; k < c; k++) acc = acc - a[r * c + k] * x[k];
                        x[r] = acc / a[r * c + r];
                    }
                    for (int r = 0; r < c; r++) out[r * c + j] = x[r];
                }
            });
            return out;
        }
    }

    static void logAbsDet(Tensor w, Tensor logdet) {
        Buf.of(logdet).set(0, new Lu(w).factor().logAbsDet);
    }

    static void matrixInverse(Tensor w, Tensor out) {
        double[] inv = new Lu(w).factor().inverse();
        Buf ob = Buf.of(out);
        for (int i = 0; i < inv.length; i++) ob.set(i, inv[i]);
    }

    // ---- squeeze by 2

    /**
     * Between big (B, C, H, W) and small (B, 4C, H/2, W/2): small[b, 4c + 2i + j, h, w] =
     * big[b, c, 2h + i, 2w + j]; squeeze copies big → small, unsqueeze small → big.
     */
    static void squeeze(boolean squeeze, Tensor big, Tensor small) {
        Buf bigb = Buf.of(big), smallb = Buf.of(small);
        int h2 = (int) small.dim(2), w2 = (int) small.dim(3);
        long rows = small.dim(0) * small.dim(1) * h2; // rows (b, 4c + 2i + j, h) of small
        Parallel.range(rows, Math.max(1, GRAIN / Math.max(1, w2)), (lo, hi) -> {
            for (int row = lo; row < hi; row++) {
                int h = row % h2, bc4 = row / h2, r = bc4 % 4, bc = bc4 / 4; // bc = b·C + c
                int i = r / 2, j = r % 2;
                int bigRow = (bc * 2 * h2 + 2 * h + i) * (2 * w2) + j;
                for (int w = 0; w < w2; w++) {
                    if (squeeze) smallb.set(row * w2 + w, bigb.get(bigRow + 2 * w));
                    else bigb.set(bigRow + 2 * w, smallb.get(row * w2 + w));
                }
            }
        });
    }
}
