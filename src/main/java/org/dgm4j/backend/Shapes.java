package org.dgm4j.backend;

import java.util.Arrays;
import org.dgm4j.tensor.Shape;

/** Output-shape rules shared by the op layer and the argument checks; errors name every shape. */
public final class Shapes {
    private Shapes() {}

    /** NumPy broadcasting of two shapes. */
    public static Shape broadcast(String op, Shape a, Shape b) {
        int n = Math.max(a.rank(), b.rank());
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long da = i < n - a.rank() ? 1 : a.dim(i - (n - a.rank()));
            long db = i < n - b.rank() ? 1 : b.dim(i - (n - b.rank()));
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + a + " and " + b + " do not broadcast (axis " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return Shape.of(out);
    }

    /** Sorted, distinct, non-negative axes; all axes when none are given. */
    public static int[] normalizeAxes(Shape s, int... axes) {
        if (axes.length == 0) {
            int[] all = new int[s.rank()];
            for (int i = 0; i < all.length; i++) all[i] = i;
            return all;
        }
        int[] a = new int[axes.length];
        for (int i = 0; i < axes.length; i++) a[i] = s.normalizeAxis(axes[i]);
        Arrays.sort(a);
        for (int i = 1; i < a.length; i++) {
            if (a[i] == a[i - 1]) throw new IllegalArgumentException("axis " + a[i] + " repeated in " + Arrays.toString(axes) + " for shape " + s);
        }
        return a;
    }

    /** The shape with the given (normalized) axes set to 1. */
    public static Shape keepDims(Shape s, int[] axes) {
        long[] d = s.dims();
        for (int a : axes) d[a] = 1;
        return Shape.of(d);
    }

    /** The shape with the given (normalized) axes removed. */
    public static Shape dropDims(Shape s, int[] axes) {
        long[] d = new long[s.rank() - axes.length];
        int j = 0;
        for (int i = 0; i < s.rank(); i++) {
            if (Arrays.binarySearch(axes, i) < 0) d[j++] = s.dim(i);
        }
        return Shape.of(d);
    }

    public static Shape matmul(Shape a, boolean transA, Shape b, boolean transB) {
        if (a.rank() != b.rank() || (a.rank() != 2 && a.rank() != 3)) {
            throw new IllegalArgumentException("matmul: needs two 2-D or two 3-D tensors, found " + a + " and " + b);
        }
        int r = a.rank();
        long m = transA ? a.dim(r - 1) : a.dim(r - 2);
        long ka = transA ? a.dim(r - 2) : a.dim(r - 1);
        long kb = transB ? b.dim(r - 1) : b.dim(r - 2);
        long n = transB ? b.dim(r - 2) : b.dim(r - 1);
        if (ka != kb) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: " + a + (transA ? "ᵀ" : "") + " · " + b + (transB ? "ᵀ" : "") + " (" + ka + " vs " + kb + ")");
        }
        if (r == 3) {
            if (a.dim(0) != b.dim(0)) throw new IllegalArgumentException("matmul: batch sizes differ: " + a + " and " + b);
            return Shape.of(a.dim(0), m, n);
        }
        return Shape.of(m, n);
    }

    /** x (N, C, H, W), w (K, C, R, S) → y (N, K, P, Q); channels-last: x (N, H, W, C) → y (N, P, Q, K). */
    public static Shape conv2d(Shape x, Shape w, Conv2dParams p) {
        String layout = p.channelsLast() ? "(N, H, W, C)" : "(N, C, H, W)";
        if (x.rank() != 4 || w.rank() != 4) {
            throw new IllegalArgumentException("conv2d: x must be " + layout + " and w (K, C, R, S), found " + x + " and " + w);
        }
        int ca = p.channelAxis(), ha = p.heightAxis();
        if (x.dim(ca) != w.dim(1)) {
            throw new IllegalArgumentException("conv2d: x " + x + " " + layout + " has " + x.dim(ca) + " channels but w " + w + " expects " + w.dim(1));
        }
        long oh = p.outH(x.dim(ha), w.dim(2)), ow = p.outW(x.dim(ha + 1), w.dim(3));
        if (oh < 1 || ow < 1) throw new IllegalArgumentException("conv2d: kernel " + w + " with " + p + " does not fit input " + x);
        return p.channelsLast() ? Shape.of(x.dim(0), oh, ow, w.dim(0)) : Shape.of(x.dim(0), w.dim(0), oh, ow);
    }

    public static Shape permute(Shape x, int[] perm) {
        if (perm.length != x.rank()) throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " has " + perm.length + " axes, shape " + x + " has " + x.rank());
        boolean[] seen = new boolean[perm.length];
        long[] d = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            int a = perm[i];
            if (a < 0 || a >= perm.length || seen[a]) throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " is not a permutation of the axes of " + x);
            seen[a] = true;
            d[i] = x.dim(a);
        }
        return Shape.of(d);
    }

    /** Glow's squeeze by 2: (B, C, H, W) with H and W even → (B, 4C, H/2, W/2). */
    public static Shape squeeze2d(Shape x) {
        if (x.rank() != 4) throw new IllegalArgumentException("squeeze2d: x must be (B, C, H, W), found " + x);
        if (x.dim(2) % 2 != 0 || x.dim(3) % 2 != 0) {
            throw new IllegalArgumentException("squeeze2d: H and W must be even, found " + x + " (H = " + x.dim(2) + ", W = " + x.dim(3) + ")");
        }
        return Shape.of(x.dim(0), 4 * x.dim(1), x.dim(2) / 2, x.dim(3) / 2);
    }

    /** The inverse of squeeze2d: (B, C, H, W) with C a multiple of 4 → (B, C/4, 2H, 2W). */
    public static Shape unsqueeze2d(Shape x) {
        if (x.rank() != 4) throw new IllegalArgumentException("unsqueeze2d: x must be (B, C, H, W), found " + x);
        if (x.dim(1) % 4 != 0) throw new IllegalArgumentException("unsqueeze2d: C must be a multiple of 4, found " + x + " (C = " + x.dim(1) + ")");
        return Shape.of(x.dim(0), x.dim(1) / 4, 2 * x.dim(2), 2 * x.dim(3));
    }

    /** Number of elements a slice start:end:step takes from an axis of size n. */
    public static long sliceCount(String op, Shape x, int axis, long start, long end, long step) {
        long n = x.dim(axis);
        if (step < 1) throw new IllegalArgumentException(op + ": step must be >= 1, found " + step);
        if (start < 0 || end > n || start > end) {
            throw new IllegalArgumentException(op + ": range [" + start + ", " + end + ") out of bounds for axis " + axis + " of " + x);
        }
        return (end - start + step - 1) / step;
    }
}
