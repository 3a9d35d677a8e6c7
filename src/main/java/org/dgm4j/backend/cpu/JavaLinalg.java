package org.dgm4j.backend.cpu;

import org.dgm4j.backend.Conv2dParams;
import org.dgm4j.tensor.Tensor;

/**
 * Matmul and convolution in plain Java loops with double accumulation: the float64 path (oneDNN has
 * no float64 on the CPU), used by gradient checks and exact references. Slow; never on hot paths.
 */
final class JavaLinalg {
    private JavaLinalg() {}

    static void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor out) {
        Buf ab = Buf.of(a), bb = Buf.of(b), ob = Buf.of(out);
        int r = out.rank();
        int batch = r == 3 ? (int) out.dim(0) : 1;
        int m = (int) out.dim(r - 2), n = (int) out.dim(r - 1);
        int k = (int) (transA ? a.dim(r - 2) : a.dim(r - 1));
        int aStride = m * k, bStride = k * n;
        Parallel.range((long) batch * m, Math.max(1, 4096 / Math.max(1, k * n)), (lo, hi) -> {
            double[] acc = new double[n];
            for (int row = lo; row < hi; row++) {
                int bi = row / m, i = row % m;
                java.util.Arrays.fill(acc, 0);
                for (int kk = 0; kk < k; kk++) {
                    double aik = ab.get(bi * aStride + (transA ? kk * m + i : i * k + kk));
                    if (aik == 0) continue;
                    for (int j = 0; j < n; j++) acc[j] += aik * bb.get(bi * bStride + (transB ? j * k + kk : kk * n + j));
                }
                for (int j = 0; j < n; j++) ob.set(row * n + j, acc[j]);
            }
        });
    }

    /** Shapes of one convolution, read from x (N, C, H, W), w (K, C, R, S) and y (N, K, P, Q), or x (N, H, W, C), y (N, P, Q, K) when channels-last. */
    private record Geo(int n, int c, int h, int w, int k, int r, int s, int p, int q, Conv2dParams cp) {
        static Geo of(Tensor x, Tensor w, Tensor y, Conv2dParams cp) {
            int ca = cp.channelAxis(), ha = cp.heightAxis();
            return new Geo((int) x.dim(0), (int) x.dim(ca), (int) x.dim(ha), (int) x.dim(ha + 1), (int) w.dim(0),
                    (int) w.dim(2), (int) w.dim(3), (int) y.dim(ha), (int) y.dim(ha + 1), cp);
        }

        int xIndex(int ni, int ci, int hi, int wi) {
            return cp.channelsLast() ? ((ni * h + hi) * w + wi) * c + ci : ((ni * c + ci) * h + hi) * w + wi;
        }

        int wIndex(int ki, int ci, int ri, int si) {
            return ((ki * c + ci) * r + ri) * s + si;
        }

        int yIndex(int ni, int ki, int pi, int qi) {
            return cp.channelsLast() ? ((ni * p + pi) * q + qi) * k + ki : ((ni * k + ki) * p + pi) * q + qi;
        }

        int inH(int pi, int ri) {
            return pi * cp.strideH() - cp.padH() + ri * cp.dilH();
        }

        int inW(int qi, int si) {
            return qi * cp.strideW() - cp.padW() + si * cp.dilW();
        }
    }

    static void conv2d(Tensor x, Tensor w, Tensor bias, Conv2dParams cp, Tensor y) {
        Geo g = Geo.of(x, w, y, cp);
        Buf xb = Buf.of(x), wb = Buf.of(w), yb = Buf.of(y), bb = bias == null ? null : Buf.of(bias);
        Parallel.range((long) g.n * g.k, 1, (lo, hi) -> {
            for (int nk = lo; nk < hi; nk++) {
                int ni = nk / g.k, ki = nk % g.k;
                for (int pi = 0; pi < g.p; pi++) {
                    for (int qi = 0; qi < g.q; qi++) {
                        double acc = bb == null ? 0 : bb.get(ki);
                        for (int ci = 0; ci < g.c; ci++) {
                            for (int ri = 0; ri < g.r; ri++) {
                                int hi2 = g.inH(pi, ri);
                                if (hi2 < 0 || hi2 >= g.h) continue;
                                for (int si = 0; si < g.s; si++) {
                                    int wi = g.inW(qi, si);
                                    if (wi < 0 || wi >= g.w) continue;
                                    acc += xb.get(g.xIndex(ni, ci, hi2, wi)) * wb.get(g.wIndex(ki, ci, ri, si));
                                }
                            }
                        }
                        yb.set(g.yIndex(ni, ki, pi, qi), acc);
                    }
                }
            }
        });
    }

    static void conv2dBackwardData(Tensor gy, Tensor w, Conv2dParams cp, Tensor gx) {
        Geo g = Geo.of(gx, w, gy, cp);
        Buf gyb = Buf.of(gy), wb = Buf.of(w), gxb = Buf.of(gx);
        Parallel.range(g.n, 1, (lo, hi) -> {
            for (int ni = lo; ni < hi; ni++) {
                double[] acc = new double[g.c * g.h * g.w];
                for (int ki = 0; ki < g.k; ki++) {
                    for (int pi = 0; pi < g.p; pi++) {
                        for (int qi = 0; qi < g.q; qi++) {
                            double d = gyb.get(g.yIndex(ni, ki, pi, qi));
                            for (int ci = 0; ci < g.c; ci++) {
                                for (int ri = 0; ri < g.r; ri++) {
                                    int hi2 = g.inH(pi, ri);
                                    if (hi2 < 0 || hi2 >= g.h) continue;
                                    for (int si = 0; si < g.s; si++) {
                                        int wi = g.inW(qi, si);
                                        if (wi < 0 || wi >= g.w) continue;
                                        acc[g.xIndex(0, ci, hi2, wi)] += d * wb.get(g.wIndex(ki, ci, ri, si));
                                    }
                                }
                            }
                        }
                    }
                }
                int base = g.xIndex(ni, 0, 0, 0);
                for (int i = 0; i < acc.length; i++) gxb.set(base + i, acc[i]);
            }
        });
    }

    static void conv2dBackwardWeights(Tensor x, Tensor gy, Conv2dParams cp, Tensor gw, Tensor gbias) {
        Geo g = Geo.of(x, gw, gy, cp);
        Buf xb = Buf.of(x), gyb = Buf.of(gy), gwb = Buf.of(gw), gbb = gbias == null ? null : Buf.of(gbias);
        Parallel.range(g.k, 1, (lo, hi) -> {
            for (int ki = lo; ki < hi; ki++) {
                double[] acc = new double[g.c * g.r * g.s];
                double accBias = 0;
                for (int ni = 0; ni < g.n; ni++) {
                    for (int pi = 0; pi < g.p; pi++) {
                        for (int qi = 0; qi < g.q; qi++) {
                            double d = gyb.get(g.yIndex(ni, ki, pi, qi));
                            accBias += d;
                            for (int ci = 0; ci < g.c; ci++) {
                                for (int ri = 0; ri < g.r; ri++) {
                                    int hi2 = g.inH(pi, ri);
                                    if (hi2 < 0 || hi2 >= g.h) continue;
                                    for (int si = 0; si < g.s; si++) {
                                        int wi = g.inW(qi, si);
                                        if (wi < 0 || wi >= g.w) continue;
                                        acc[(ci * g.r + ri) * g.s + si] += d * xb.get(g.xIndex(ni, ci, hi2, wi));
                                    }
                                }
                            }
                        }
                    }
                }
                int base = g.wIndex(ki, 0, 0, 0);
                for (int i = 0; i < acc.length; i++) gwb.set(base + i, acc[i]);
                if (gbb != null) gbb.set(ki, accBias);
            }
        });
    }
}
