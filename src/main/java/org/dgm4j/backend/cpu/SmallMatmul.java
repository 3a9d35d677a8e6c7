package org.dgm4j.backend.cpu;

import java.nio.FloatBuffer;

/**
 * Two degenerate float32 matmul forms as Java loops on the calling thread instead of a oneDNN call:
 * an outer product (k = 1: RealNVP-2D's 1 → 256 layer's input gradient path) and aᵀ·b with a stored
 * (k, m) and b (k, n) with n ≤ {@link #NARROW} (the weight gradient gᵀ·x of a layer with one or two
 * inputs). Both are a few hundred thousand multiply-adds over one operand of about 1 MB, an axpy per
 * row that C2 vectorizes. Measured alternating with oneDNN in one process, 4 MB copied between
 * calls as inside a training step (2-core host, another process busy on one core): (1024, 1)·(1, 256)
 * 0.047 ms against 0.064; (1024, 256)ᵀ·(1024, 1) 0.065 against 0.174; (1024, 256)ᵀ·(1024, 2) 0.094
 * against 0.224. Other narrow forms (k = 2, m = 2) stayed faster on oneDNN and stay there. The k terms
 * are added in order in float: another summation order than oneDNN's, within the same bound (the
 * CUDA parity suite's GEMM_BOUND).
 */
final class SmallMatmul {
    /** Columns of b (and c) up to which aᵀ·b runs here. */
    static final int NARROW = 2;
    /** Only up to this many multiply-adds. */
    static final long MAX_WORK = 1 << 20;
    /** Longest row the per-call float[] rows may take. */
    private static final int MAX_ROW = 1 << 16;

    static volatile boolean enabled = !Boolean.getBoolean("dgm4j.smallMatmulOnOneDnn");

    private SmallMatmul() {}

    /** Whether {@link #matmul} takes this unbatched shape: op(a) (m, k), op(b) (k, n). */
    static boolean applies(boolean transA, boolean transB, long m, long n, long k) {
        if (!enabled || m < 1 || n < 1 || k < 1 || m * n * k > MAX_WORK || n > MAX_ROW || m > MAX_ROW) return false;
        return k == 1 || (transA && !transB && n <= NARROW);
    }

    /** c (m, n) = op(a)·op(b) for a shape {@link #applies} to. */
    static void matmul(FloatBuffer a, boolean transA, FloatBuffer b, boolean transB, FloatBuffer c, int m, int n, int k) {
        if (k == 1) outer(a, b, c, m, n);
        else fewColumns(a, b, c, m, n, k);
    }

    /** k = 1: c[i, :] = a[i]·b[:] (a and b are vectors whichever way they are transposed). */
    private static void outer(FloatBuffer a, FloatBuffer b, FloatBuffer c, int m, int n) {
        float[] row = new float[n], out = new float[n];
        b.get(0, row, 0, n);
        for (int i = 0; i < m; i++) {
            float s = a.get(i);
            for (int j = 0; j < n; j++) out[j] = s * row[j];
            c.put(i * n, out, 0, n);
        }
    }

    /** aᵀ·b with a (k, m), b (k, n), n ≤ NARROW: column j of c = Σ_l b[l, j]·a[l, :], walking the rows of a once. */
    private static void fewColumns(FloatBuffer a, FloatBuffer b, FloatBuffer c, int m, int n, int k) {
        float[][] acc = new float[n][m];
        float[] row = new float[m];
        for (int l = 0; l < k; l++) {
            a.get(l * m, row, 0, m);
            for (int j = 0; j < n; j++) {
                float s = b.get(l * n + j);
                float[] o = acc[j];
                for (int i = 0; i < m; i++) o[i] += s * row[i];
            }
        }
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c.put(i * n + j, acc[j][i]);
    }
}
