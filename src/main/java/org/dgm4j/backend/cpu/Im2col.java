package org.dgm4j.backend.cpu;

import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The data movement around a "same" convolution (stride 1, dilation 1, odd r x s kernel, padding
 * (r−1)/2, (s−1)/2) computed as matmuls by {@link OneDnn}: im2col and its adjoint, col2im as a gather.
 * Both take a tap sign σ = ±1: tap (i, j) of the kernel is the shift (dr, ds) = σ·(i − ph, j − pw).
 * One image at a time on float[] tiles (bulk gets and puts), in a fixed order: deterministic.
 */
final class Im2col {
    private Im2col() {}

    /** col (n, C·r·s, H·W): col[(c, i, j)][a][b] = src[c][a + dr][b + ds], 0 outside; src (n, C, H, W). */
    static void im2col(long src, long col, long n, int ch, int h, int w, int r, int s, int sign) {
        int hw = h * w, ph = (r - 1) / 2, pw = (s - 1) / 2;
        float[] in = new float[ch * hw], out = new float[ch * r * s * hw];
        for (long img = 0; img < n; img++) {
            at(src + img * in.length * 4L).get(in, 0, in.length);
            int row = 0;
            for (int c = 0; c < ch; c++) {
                for (int i = 0; i < r; i++) {
                    for (int j = 0; j < s; j++, row++) {
                        int dr = sign * (i - ph), ds = sign * (j - pw), lo = Math.max(0, -ds), hi = Math.min(w, w - ds);
                        for (int a = 0; a < h; a++) {
                            int o = row * hw + a * w, sa = a + dr;
                            if (sa < 0 || sa >= h || lo >= hi) {
                                Arrays.fill(out, o, o + w, 0f);
                                continue;
                            }
                            Arrays.fill(out, o, o + lo, 0f);
                            System.arraycopy(in, c * hw + sa * w + lo + ds, out, o + lo, hi - lo);
                            Arrays.fill(out, o + hi, o + w, 0f);
                        }
                    }
                }
            }
            at(col + img * out.length * 4L).put(out, 0, out.length);
        }
    }

    /**
     * dst (n, C, H, W) = bias[c] (0 when bias is 0) + Σ_(i, j) col[(c, i, j)][a − dr][b − ds] over the taps
     * inside the image; col (n, C·r·s, H·W). With the same σ, the adjoint of {@link #im2col}.
     */
    static void col2im(long col, long bias, long dst, long n, int ch, int h, int w, int r, int s, int sign) {
        int hw = h * w, ph = (r - 1) / 2, pw = (s - 1) / 2;
        float[] in = new float[ch * r * s * hw], out = new float[ch * hw], b = new float[ch];
        if (bias != 0) at(bias).get(b, 0, ch);
        for (long img = 0; img < n; img++) {
            at(col + img * in.length * 4L).get(in, 0, in.length);
            int row = 0;
            for (int c = 0; c < ch; c++) {
                Arrays.fill(out, c * hw, (c + 1) * hw, b[c]);
                for (int i = 0; i < r; i++) {
                    for (int j = 0; j < s; j++, row++) {
                        int dr = sign * (i - ph), ds = sign * (j - pw), lo = Math.max(0, ds), hi = Math.min(w, w + ds);
                        for (int a = Math.max(0, dr); a < Math.min(h, h + dr); a++) {
                            int o = c * hw + a * w, q = row * hw + (a - dr) * w - ds;
                            for (int x = lo; x < hi; x++) out[o + x] += in[q + x];
                        }
                    }
                }
            }
            at(dst + img * out.length * 4L).put(out, 0, out.length);
        }
    }

    /** gbias (k) = Σ over the rows of gy (m, k): summed in double, rounded once. */
    static void biasGradRows(long gy, long gbias, long m, int k) {
        int rows = (int) Math.max(1, Math.min(m, 4096 / Math.max(1, k)));
        float[] tile = new float[rows * k], out = new float[k];
        double[] acc = new double[k];
        for (long r0 = 0; r0 < m; r0 += rows) {
            int nr = (int) Math.min(rows, m - r0);
            at(gy + r0 * k * 4L).get(tile, 0, nr * k);
            for (int i = 0; i < nr; i++) {
                for (int c = 0; c < k; c++) acc[c] += tile[i * k + c];
            }
        }
        for (int c = 0; c < k; c++) out[c] = (float) acc[c];
        at(gbias).put(out, 0, k);
    }

    /** dst (a, c, b) = src (a, b, c): swaps the last two axes of a small array (weights). */
    static void swapLast(long src, long dst, int a, int b, int c) {
        float[] in = new float[a * b * c], out = new float[in.length];
        at(src).get(in, 0, in.length);
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                for (int k = 0; k < c; k++) out[(i * c + k) * b + j] = in[(i * b + j) * c + k];
            }
        }
        at(dst).put(out, 0, out.length);
    }

    /** gbias (k) = Σ gy over images and pixels, gy (n, k, hw): summed in double, rounded once. */
    static void biasGrad(long gy, long gbias, long n, int k, int hw) {
        float[] tile = new float[k * hw], out = new float[k];
        double[] acc = new double[k];
        for (long img = 0; img < n; img++) {
            at(gy + img * tile.length * 4L).get(tile, 0, tile.length);
            for (int c = 0; c < k; c++) {
                double sum = 0;
                for (int x = c * hw; x < (c + 1) * hw; x++) sum += tile[x];
                acc[c] += sum;
            }
        }
        for (int c = 0; c < k; c++) out[c] = (float) acc[c];
        at(gbias).put(out, 0, k);
    }

    /** The byte address of p's current position. */
    static long address(Pointer p) {
        return p == null ? 0 : p.address() + p.position() * p.sizeof();
    }

    private static FloatPointer at(long address) {
        return new At(address);
    }

    /** A float view of an address owned elsewhere (never deallocated through this object). */
    private static final class At extends FloatPointer {
        At(long address) {
            super((Pointer) null);
            this.address = address;
        }
    }
}
