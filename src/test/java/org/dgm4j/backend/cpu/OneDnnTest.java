package org.dgm4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * OneDnn against naive loops accumulated in double. Tolerance: |got − ref| ≤ 1e-5 · Σ|terms| + 1e-7,
 * Σ|terms| being the sum of the absolute products behind each output element: float32 sums in
 * another order differ by a few ulps of the terms' magnitude (not of the result, which may cancel);
 * 1e-5 is about 80 float32 ulps, far above rounding and far below any indexing error (order 1).
 */
class OneDnnTest {
    private static final double REL = 1e-5, ABS = 1e-7;

    static Stream<Arguments> matmulCases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (long batch : new long[] {1, 3}) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    b.add(Arguments.of(batch, 7L, 13L, 5L, ta, tb));
                    b.add(Arguments.of(batch, 33L, 17L, 130L, ta, tb));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest
    @MethodSource("matmulCases")
    void matmulMatchesNaive(long batch, long m, long n, long k, boolean ta, boolean tb) {
        Random rnd = new Random(m * 31 + n * 7 + k + batch + (ta ? 100 : 0) + (tb ? 200 : 0));
        float[] a = rand(rnd, batch * m * k), b = rand(rnd, batch * k * n);
        double[] ref = new double[(int) (batch * m * n)], mag = new double[ref.length];
        for (int q = 0; q < batch; q++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    for (int l = 0; l < k; l++) {
                        float av = a[(int) (q * m * k + (ta ? l * m + i : i * k + l))];
                        float bv = b[(int) (q * k * n + (tb ? j * k + l : l * n + j))];
                        int o = (int) (q * m * n + i * n + j);
                        ref[o] += (double) av * bv;
                        mag[o] += Math.abs((double) av * bv);
                    }
                }
            }
        }
        try (FloatPointer pa = new FloatPointer(a); FloatPointer pb = new FloatPointer(b); FloatPointer pc = new FloatPointer(ref.length)) {
            OneDnn.matmul(pa, ta, pb, tb, pc, batch, m, n, k);
            assertClose(ref, mag, get(pc, ref.length));
            int plans = OneDnn.planCount();
            OneDnn.matmul(pa, ta, pb, tb, pc, batch, m, n, k);
            assertEquals(plans, OneDnn.planCount(), "a repeated shape must reuse its plan");
        }
    }

    @Test
    void matmulHonoursPointerPosition() {
        float[] a = {9, 9, 1, 2, 3, 4}, b = {5, 6, 7, 8};
        try (FloatPointer pa = new FloatPointer(a); FloatPointer pb = new FloatPointer(b); FloatPointer pc = new FloatPointer(5)) {
            pc.fill(0);
            OneDnn.matmul(pa.position(2), false, pb, false, pc.position(1), 1, 2, 2, 2);
            float[] c = new float[5];
            pc.position(0).get(c);
            assertEquals(0f, c[0]);
            assertEquals(19f, c[1]);
            assertEquals(22f, c[2]);
            assertEquals(43f, c[3]);
            assertEquals(50f, c[4]);
        }
    }

    /** n, c, h, w, k, r, s, strideH, strideW, padH, padW, dilH, dilW. */
    static Stream<Arguments> convCases() {
        long[][] geo = {
                {2, 3, 9, 7, 5, 3, 3, 2, 2, 1, 1, 1, 1},   // stride 2, padding 1, odd sizes
                {1, 4, 11, 10, 3, 3, 2, 1, 1, 2, 2, 2, 2}, // dilation 2, non-square kernel
                {3, 5, 8, 9, 6, 3, 3, 2, 1, 1, 0, 1, 2},   // mixed stride/padding/dilation per axis
                {2, 16, 6, 6, 17, 1, 1, 1, 1, 0, 0, 1, 1}, // 1x1, channels past a 16-block
                {3, 5, 7, 9, 6, 1, 1, 1, 1, 0, 0, 1, 1},   // 1x1 on odd sizes (a matmul per image)
                {1, 4, 3, 5, 4, 1, 1, 1, 1, 0, 0, 3, 1},   // 1x1, one image, dilation (no effect on 1x1)
                {2, 4, 7, 7, 3, 1, 1, 2, 2, 0, 0, 1, 1},   // 1x1 with stride 2: a real convolution
                {2, 3, 5, 5, 4, 1, 1, 1, 1, 1, 1, 1, 1},   // 1x1 with padding: a real convolution
                {3, 2, 6, 5, 9, 3, 3, 1, 1, 1, 1, 1, 1},   // "same" 3x3, few input channels: im2col + matmul
                {2, 9, 5, 7, 4, 3, 3, 1, 1, 1, 1, 1, 1},   // "same" 3x3, few output channels: matmul + col2im
                {2, 8, 4, 6, 3, 5, 3, 1, 1, 2, 1, 1, 1},   // "same" 5x3 on a narrow side of 3: taps past the image
                {1, 3, 1, 2, 3, 3, 3, 1, 1, 1, 1, 1, 1},   // "same" 3x3, both sides narrow, image smaller than the kernel
                {2, 9, 5, 5, 10, 3, 3, 1, 1, 1, 1, 1, 1},  // "same" but no narrow side: a real convolution
        };
        Stream.Builder<Arguments> b = Stream.builder();
        for (long[] g : geo) {
            for (OneDnn.ConvLayout layout : OneDnn.ConvLayout.values()) {
                // 1x1 and narrow "same" convolutions run as matmuls by default: test both paths
                for (boolean asMatmul : new boolean[] {true, false}) {
                    b.add(Arguments.of(g, layout, asMatmul, true));
                    b.add(Arguments.of(g, layout, asMatmul, false));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest
    @MethodSource("convCases")
    void convMatchesNaive(long[] g, OneDnn.ConvLayout layout, boolean pointwiseAsMatmul, boolean bias) {
        int n = (int) g[0], c = (int) g[1], h = (int) g[2], w = (int) g[3], k = (int) g[4], r = (int) g[5], s = (int) g[6];
        int sh = (int) g[7], sw = (int) g[8], ph = (int) g[9], pw = (int) g[10], dh = (int) g[11], dw = (int) g[12];
        int p = (h + 2 * ph - dh * (r - 1) - 1) / sh + 1, q = (w + 2 * pw - dw * (s - 1) - 1) / sw + 1;
        Random rnd = new Random(java.util.Arrays.hashCode(g) + (bias ? 1 : 0));
        float[] x = rand(rnd, (long) n * c * h * w), wt = rand(rnd, (long) k * c * r * s), bs = rand(rnd, k);
        float[] gy = rand(rnd, (long) n * k * p * q);
        double[] y = new double[n * k * p * q], yMag = new double[y.length];
        double[] gx = new double[x.length], gxMag = new double[x.length];
        double[] gw = new double[wt.length], gwMag = new double[wt.length];
        double[] gb = new double[k], gbMag = new double[k];
        for (int in = 0; in < n; in++) {
            for (int ik = 0; ik < k; ik++) {
                for (int ip = 0; ip < p; ip++) {
                    for (int iq = 0; iq < q; iq++) {
                        int yo = ((in * k + ik) * p + ip) * q + iq;
                        if (bias) {
                            y[yo] += bs[ik];
                            yMag[yo] += Math.abs(bs[ik]);
                        }
                        gb[ik] += gy[yo];
                        gbMag[ik] += Math.abs(gy[yo]);
                        for (int ic = 0; ic < c; ic++) {
                            for (int ir = 0; ir < r; ir++) {
                                int ih = ip * sh - ph + ir * dh;
                                if (ih < 0 || ih >= h) continue;
                                for (int is = 0; is < s; is++) {
                                    int iw = iq * sw - pw + is * dw;
                                    if (iw < 0 || iw >= w) continue;
                                    int xo = ((in * c + ic) * h + ih) * w + iw, wo = ((ik * c + ic) * r + ir) * s + is;
                                    y[yo] += (double) x[xo] * wt[wo];
                                    yMag[yo] += Math.abs((double) x[xo] * wt[wo]);
                                    gx[xo] += (double) gy[yo] * wt[wo];
                                    gxMag[xo] += Math.abs((double) gy[yo] * wt[wo]);
                                    gw[wo] += (double) gy[yo] * x[xo];
                                    gwMag[wo] += Math.abs((double) gy[yo] * x[xo]);
                                }
                            }
                        }
                    }
                }
            }
        }
        OneDnn.ConvLayout before = OneDnn.convLayout();
        boolean asMatmulBefore = OneDnn.pointwiseAsMatmul();
        OneDnn.setConvLayout(layout);
        OneDnn.setPointwiseAsMatmul(pointwiseAsMatmul);
        boolean narrowBefore = OneDnn.narrowAsMatmul();
        OneDnn.setNarrowAsMatmul(pointwiseAsMatmul);
        try (FloatPointer px = new FloatPointer(x); FloatPointer pw8 = new FloatPointer(wt); FloatPointer pb = new FloatPointer(bs);
             FloatPointer pgy = new FloatPointer(gy); FloatPointer py = new FloatPointer(y.length);
             FloatPointer pgx = new FloatPointer(x.length); FloatPointer pgw = new FloatPointer(wt.length); FloatPointer pgb = new FloatPointer(k)) {
            OneDnn.conv2dForward(px, pw8, bias ? pb : null, py, n, c, h, w, k, r, s, sh, sw, ph, pw, dh, dw);
            assertClose(y, yMag, get(py, y.length));
            OneDnn.conv2dBackwardData(pgy, pw8, pgx, n, c, h, w, k, r, s, sh, sw, ph, pw, dh, dw);
            assertClose(gx, gxMag, get(pgx, gx.length));
            OneDnn.conv2dBackwardWeights(px, pgy, pgw, bias ? pgb : null, n, c, h, w, k, r, s, sh, sw, ph, pw, dh, dw);
            assertClose(gw, gwMag, get(pgw, gw.length));
            if (bias) assertClose(gb, gbMag, get(pgb, k));
            // the same shapes again: no new plans, same results (cached memory objects re-pointed)
            int plans = OneDnn.planCount();
            pgx.fill(0);
            OneDnn.conv2dForward(px, pw8, bias ? pb : null, py, n, c, h, w, k, r, s, sh, sw, ph, pw, dh, dw);
            OneDnn.conv2dBackwardData(pgy, pw8, pgx, n, c, h, w, k, r, s, sh, sw, ph, pw, dh, dw);
            assertClose(gx, gxMag, get(pgx, gx.length));
            assertEquals(plans, OneDnn.planCount());
        } finally {
            OneDnn.setConvLayout(before);
            OneDnn.setPointwiseAsMatmul(asMatmulBefore);
            OneDnn.setNarrowAsMatmul(narrowBefore);
        }
    }

    @Test
    void rejectsBadArguments() {
        try (FloatPointer p = new FloatPointer(16)) {
            assertThrows(IllegalArgumentException.class, () -> OneDnn.matmul(p, false, null, false, p, 1, 2, 2, 2));
            assertThrows(IllegalArgumentException.class, () -> OneDnn.matmul(p, false, p, false, p, 1, -1, 2, 2));
            // a 5x5 kernel does not fit a 2x2 image without padding
            assertThrows(IllegalArgumentException.class,
                    () -> OneDnn.conv2dForward(p, p, null, p, 1, 1, 2, 2, 1, 5, 5, 1, 1, 0, 0, 1, 1));
        }
    }

    /** Plans share memory objects and the arena: concurrent callers must still get their own results. */
    @Test
    void concurrentCallersGetTheirOwnResults() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 3; t++) {
                float scale = t + 1;
                int size = 37; // one shape: all threads share one plan's memory objects
                done.add(pool.submit(() -> {
                    try (FloatPointer a = new FloatPointer(size * size); FloatPointer c = new FloatPointer(size * size)) {
                        for (int i = 0; i < size * size; i++) a.put(i, i % (size + 1) == 0 ? scale : 0f); // scale·identity
                        for (int rep = 0; rep < 300; rep++) {
                            OneDnn.matmul(a, false, a, true, c, 1, size, size, size);
                            assertEquals(scale * scale, c.get(size + 1));
                            assertEquals(0f, c.get(1));
                        }
                    }
                }));
            }
            for (java.util.concurrent.Future<?> f : done) f.get();
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void emptyMatmul() {
        try (FloatPointer a = new FloatPointer(1); FloatPointer c = new FloatPointer(6)) {
            c.fill(0x7f); // garbage that k = 0 must overwrite with zeros
            OneDnn.matmul(a, false, a, false, c, 1, 2, 3, 0);
            assertEquals(0f, get(c, 6)[5]);
            OneDnn.matmul(a, false, a, false, c, 0, 2, 3, 4); // nothing to compute
        }
    }

    private static float[] rand(Random rnd, long count) {
        float[] v = new float[Math.toIntExact(count)];
        for (int i = 0; i < v.length; i++) v[i] = rnd.nextFloat() * 2 - 1;
        return v;
    }

    private static float[] get(FloatPointer p, int count) {
        float[] v = new float[count];
        p.position(0).get(v);
        return v;
    }

    private static void assertClose(double[] ref, double[] mag, float[] got) {
        assertEquals(ref.length, got.length);
        for (int i = 0; i < ref.length; i++) {
            double tol = REL * mag[i] + ABS;
            int at = i;
            assertTrue(Math.abs(got[i] - ref[i]) <= tol, () -> "element " + at + ": got " + got[at] + ", expected " + ref[at] + " ± " + tol);
        }
    }
}
