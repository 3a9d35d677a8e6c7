package org.dgm4j.backend.cpu;

import java.nio.FloatBuffer;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Tensor;

/** Permute, concat and strided slices on the CPU: index arithmetic over contiguous tensors. */
final class CpuMovement {
    private static final int GRAIN = 1 << 15;

    private CpuMovement() {}

    static void permute(Tensor x, int[] perm, Tensor out) {
        if (CpuElementwise.fastPaths && x.dtype() == DType.F32 && swapBlocks(x, perm, out)) return;
        Buf xb = Buf.of(x), ob = Buf.of(out);
        long[] inStrides = x.shape().strides();
        long[] outDims = out.rank() == 0 ? new long[] {1} : out.dims();
        int r = outDims.length;
        long[] src = new long[r]; // stride in x of each output axis
        for (int i = 0; i < perm.length; i++) src[i] = inStrides[perm[i]];
        int n = (int) outDims[r - 1];
        int step = perm.length == 0 ? 0 : (int) src[r - 1];
        long rows = n == 0 ? 0 : out.numel() / n;
        Parallel.range(rows, Math.max(1, GRAIN / Math.max(1, n)), (lo, hi) -> {
            for (int row = lo; row < hi; row++) {
                long off = 0, rem = row;
                for (int a = r - 2; a >= 0; a--) {
                    off += (rem % outDims[a]) * src[a];
                    rem /= outDims[a];
                }
                int o = row * n, s = (int) off;
                for (int j = 0; j < n; j++) ob.set(o + j, xb.get(s + j * step));
            }
        });
    }

    /**
     * The float32 fast path of permutations that swap two blocks of axes after a leading block, perm =
     * [0, p) ++ [q, r) ++ [p, q) (NCHW ↔ NHWC, the transpose of the last two axes): x is (a, b, c) and out
     * (a, c, b), transposed per leading index on float[] tiles. False (nothing done) for other permutations.
     */
    private static boolean swapBlocks(Tensor x, int[] perm, Tensor out) {
        int r = perm.length, p = 0;
        while (p < r && perm[p] == p) p++;
        if (p >= r - 1) return false;
        int q = perm[p];
        for (int i = p; i < p + (r - q); i++) if (perm[i] != q + (i - p)) return false;
        for (int i = p + (r - q); i < r; i++) if (perm[i] != p + (i - p - (r - q))) return false;
        long a = 1, b = 1, c = 1;
        for (int i = 0; i < p; i++) a *= x.dim(i);
        for (int i = p; i < q; i++) b *= x.dim(i);
        for (int i = q; i < r; i++) c *= x.dim(i);
        long block = b * c;
        if (block > (1 << 22) || block == 0) return false; // tiles of at most 16 MiB
        FloatBuffer xb = x.floatBuffer(), ob = out.floatBuffer();
        int bi = (int) b, ci = (int) c, len = (int) block;
        Parallel.range(a, Math.max(1, GRAIN / len), (lo, hi) -> {
            float[] in = new float[len], o = new float[len];
            for (int i = lo; i < hi; i++) {
                xb.get(i * len, in, 0, len);
                for (int j = 0; j < bi; j++) {
                    for (int k = 0; k < ci; k++) o[k * bi + j] = in[j * ci + k];
                }
                ob.put(i * len, o, 0, len);
            }
        });
        return true;
    }

    /** Elements before / from an axis: outer = Π dims[0, axis), inner = Π dims(axis, rank). */
    private static long outer(Tensor t, int axis) {
        long p = 1;
        for (int i = 0; i < axis; i++) p *= t.dim(i);
        return p;
    }

    private static long inner(Tensor t, int axis) {
        long p = 1;
        for (int i = axis + 1; i < t.rank(); i++) p *= t.dim(i);
        return p;
    }

    static void concat(Tensor[] xs, int axis, Tensor out) {
        Buf ob = Buf.of(out);
        long outer = outer(out, axis), inner = inner(out, axis);
        int outBlock = (int) (out.dim(axis) * inner);
        int at = 0;
        for (Tensor x : xs) {
            Buf xb = Buf.of(x);
            int block = (int) (x.dim(axis) * inner), dst = at;
            Parallel.range(outer, Math.max(1, GRAIN / Math.max(1, block)), (lo, hi) -> {
                for (int o = lo; o < hi; o++) {
                    for (int j = 0; j < block; j++) ob.set(o * outBlock + dst + j, xb.get(o * block + j));
                }
            });
            at += block;
        }
    }

    static void slice(Tensor x, int axis, long start, long step, Tensor out) {
        Buf xb = Buf.of(x), ob = Buf.of(out);
        int inner = (int) inner(x, axis), count = (int) out.dim(axis), full = (int) x.dim(axis);
        Parallel.range(outer(x, axis) * count, Math.max(1, GRAIN / Math.max(1, inner)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int o = r / count, i = r % count;
                int s = (int) ((o * (long) full + start + i * step) * inner), d = r * inner;
                for (int j = 0; j < inner; j++) ob.set(d + j, xb.get(s + j));
            }
        });
    }

    static void sliceAdd(Tensor src, int axis, long start, long step, Tensor dst) {
        Buf sb = Buf.of(src), db = Buf.of(dst);
        int inner = (int) inner(dst, axis), count = (int) src.dim(axis), full = (int) dst.dim(axis);
        // rows of distinct (o, i) write distinct destination blocks, so chunks never race
        Parallel.range(outer(dst, axis) * count, Math.max(1, GRAIN / Math.max(1, inner)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) {
                int o = r / count, i = r % count;
                int d = (int) ((o * (long) full + start + i * step) * inner), s = r * inner;
                for (int j = 0; j < inner; j++) db.set(d + j, db.get(d + j) + sb.get(s + j));
            }
        });
    }
}
