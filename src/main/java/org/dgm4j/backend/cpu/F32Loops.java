package org.dgm4j.backend.cpu;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.dgm4j.backend.BinaryOp;
import org.dgm4j.backend.UnaryOp;

/**
 * Float32 fast paths of {@link CpuElementwise}: the same values as its double reference, computed on
 * tiles. A tile is a small float[] that a bulk get fills from the tensor's off-heap buffer; the loops
 * over tiles are plain counted loops that C2 vectorizes (loops over the direct buffers themselves run
 * element by element on Java 17), and the result goes back with a bulk put.
 *
 * <p>Why the values are the reference's: the reference rounds each result of double arithmetic once
 * to float. For one +, −, ·, / or √ of float operands that equals the float operation (double has
 * more than 2·24 + 2 bits, so the double rounding is innocuous), and comparisons, negation, abs,
 * max / min and selections are exact either way. So those ops run in float here; a scalar parameter p
 * joins float arithmetic only when it is a float exactly, and everything else (several operations in a
 * row, libm functions) evaluates the reference's own double expression on the tile.
 * CpuFastPathTest checks bit equality against the reference on odd sizes and broadcast shapes (softplus:
 * 1 ulp, see {@link #log1pSmall}).
 */
final class F32Loops {
    /** Floats per tile: 4 KiB, so a kernel's three or four tiles stay in L1. */
    static final int TILE = 1024;
    /** Whether the JVM resolved jdk.incubator.vector, without which {@link VectorMath} cannot load. */
    static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    /** Whether libm ops take VectorMath; -Ddgm4j.cpu.scalarMath=true turns it off (tests set it false for the scalar loops). */
    static volatile boolean vectorMath = VECTOR_API && !Boolean.getBoolean("dgm4j.cpu.scalarMath");
    private static final ThreadLocal<float[][]> TILES = ThreadLocal.withInitial(() -> new float[4][TILE]);

    private F32Loops() {}

    /** The calling thread's four scratch tiles. */
    static float[][] tiles() {
        return TILES.get();
    }

    /** dst[0, len) = x[at, at + len) (stride 1), or len copies of x[at] (stride 0, a broadcast operand). */
    static void load(FloatBuffer x, int at, int stride, float[] dst, int len) {
        if (stride == 1) x.get(at, dst, 0, len);
        else Arrays.fill(dst, 0, len, x.get(at));
    }

    /** Whether p survives a round trip through float (then float arithmetic with it is the reference's). */
    static boolean isFloat(double p) {
        return (double) (float) p == p || Double.isNaN(p);
    }

    // ---- unary: o = f(x) -----------------------------------------------------------------------------

    static void unary(UnaryOp op, double p, float[] x, float[] o, int n) {
        float pf = (float) p;
        int from = vectorMath ? vectorUnary(op, x, o, n) : 0;
        if (from > 0) { // the vector loops leave the tail shorter than one vector
            reference(op, p, x, o, from, n);
            return;
        }
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) o[i] = -x[i]; }
            case ABS -> { for (int i = 0; i < n; i++) o[i] = Math.abs(x[i]); }
            case SQUARE -> { for (int i = 0; i < n; i++) o[i] = x[i] * x[i]; }
            case RECIPROCAL -> { for (int i = 0; i < n; i++) o[i] = 1f / x[i]; }
            case SQRT -> { for (int i = 0; i < n; i++) o[i] = (float) Math.sqrt(x[i]); }
            case RELU -> relu(x, o, n);
            // the reference's "x > 0 ? x + log1p(e^-x) : log1p(e^x)" as max(x, 0) + log1p(e^-|x|), without
            // its branch (random signs mispredict) and with log1pSmall for Math.log1p: see there
            case SOFTPLUS -> { for (int i = 0; i < n; i++) o[i] = (float) (Math.max(x[i], 0.0) + log1pSmall(Math.exp(-Math.abs((double) x[i])))); }
            case LEAKY_RELU -> {
                if (isFloat(p)) { for (int i = 0; i < n; i++) o[i] = x[i] > 0 ? x[i] : pf * x[i]; }
                else reference(op, p, x, o, n);
            }
            case ADD_SCALAR -> {
                if (isFloat(p)) { for (int i = 0; i < n; i++) o[i] = x[i] + pf; }
                else reference(op, p, x, o, n);
            }
            case MUL_SCALAR -> {
                if (isFloat(p)) { for (int i = 0; i < n; i++) o[i] = x[i] * pf; }
                else reference(op, p, x, o, n);
            }
            default -> reference(op, p, x, o, n);
        }
    }

    /** acc[j] += v[from + j] for j in [0, len) in double (sums over rows, one column per j). */
    static void accumulate(double[] acc, float[] v, int from, int len) {
        int j = vectorMath ? VectorMath.accumulate(acc, v, from, len) : 0;
        for (; j < len; j++) acc[j] += v[from + j];
    }

    /** The libm ops VectorMath has, as far as it got (0: not one of them). */
    private static int vectorUnary(UnaryOp op, float[] x, float[] o, int n) {
        return switch (op) {
            case EXP -> VectorMath.exp(x, o, n);
            case LOG -> VectorMath.log(x, o, n);
            case SIGMOID -> VectorMath.sigmoid(x, o, n);
            case SOFTPLUS -> VectorMath.softplus(x, o, n);
            default -> 0;
        };
    }

    // ReLU without branches: signs of activations are random, and a branch C2 compiles for
    // "x > 0 ? x : 0" then mispredicts half the time (~5 ns per element instead of ~0.5).

    /** x > 0 ? x : 0, NaN → 0 as in the reference: Math.max (branch-free, vectorized) keeps NaN, so those are zeroed after. */
    private static void relu(float[] x, float[] o, int n) {
        for (int i = 0; i < n; i++) o[i] = Math.max(x[i], 0f);
        for (int i = 0; i < n; i++) if (x[i] != x[i]) o[i] = 0f;
    }

    /** x > 0 ? gy : 0 as a bit mask. */
    static void reluBackward(float[] x, float[] gy, float[] gx, int n) {
        for (int i = 0; i < n; i++) gx[i] = Float.intBitsToFloat(Float.floatToRawIntBits(gy[i]) & positiveMask(x[i]));
    }

    /**
     * All ones where v > 0, else 0 (NaN, ±0, negatives), without a branch: with b = v's bits as an int,
     * v > 0 exactly when 0 < b <= 0x7f800000 (+inf; above are NaNs), i.e. when −b and b − 0x7f800001
     * are both negative (for b = MIN_VALUE, −0.0f, the second one wraps to positive).
     */
    /**
     * log(1 + e) for e in [0, 1] through the intrinsic Math.log (Kahan's trick: the rounding error of
     * u = 1 + e cancels in log(u)·e/(u − 1)); Math.log1p is not intrinsic on Java 17 and costs about
     * 20 ns. Within a few double ulps of Math.log1p, so after the rounding to float softplus equals the
     * reference except for values within ~1e-16 (relative) of a float rounding boundary, which move
     * by 1 ulp: the one float32 fast path that is not bit-identical (CpuFastPathTest allows that ulp).
     */
    static double log1pSmall(double e) {
        double u = 1 + e;
        return u == 1 ? e : Math.log(u) * (e / (u - 1));
    }

    static int positiveMask(float v) {
        int b = Float.floatToRawIntBits(v);
        return ((-b) & (b - 0x7f800001)) >> 31;
    }

    private static void reference(UnaryOp op, double p, float[] x, float[] o, int n) {
        reference(op, p, x, o, 0, n);
    }

    private static void reference(UnaryOp op, double p, float[] x, float[] o, int from, int n) {
        for (int i = from; i < n; i++) o[i] = (float) CpuElementwise.apply(op, p, x[i]);
    }

    // ---- unaryBackward: gx = gy · f'(x), y = f(x) --------------------------------------------------------

    static void unaryBackward(UnaryOp op, double p, float[] x, float[] y, float[] gy, float[] gx, int n) {
        float pf = (float) p;
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) gx[i] = -gy[i]; }
            case EXP -> { for (int i = 0; i < n; i++) gx[i] = gy[i] * y[i]; }
            case LOG -> { for (int i = 0; i < n; i++) gx[i] = gy[i] / x[i]; }
            case RELU -> reluBackward(x, gy, gx, n);
            case SOFTPLUS -> {
                int from = vectorMath ? VectorMath.softplusBackward(x, gy, gx, n) : 0;
                referenceBackward(op, p, x, y, gy, gx, from, n);
            }
            case ADD_SCALAR -> System.arraycopy(gy, 0, gx, 0, n);
            case LEAKY_RELU -> {
                if (isFloat(p)) { for (int i = 0; i < n; i++) gx[i] = x[i] > 0 ? gy[i] : gy[i] * pf; }
                else referenceBackward(op, p, x, y, gy, gx, n);
            }
            case MUL_SCALAR -> {
                if (isFloat(p)) { for (int i = 0; i < n; i++) gx[i] = gy[i] * pf; }
                else referenceBackward(op, p, x, y, gy, gx, n);
            }
            default -> referenceBackward(op, p, x, y, gy, gx, n);
        }
    }

    private static void referenceBackward(UnaryOp op, double p, float[] x, float[] y, float[] gy, float[] gx, int n) {
        referenceBackward(op, p, x, y, gy, gx, 0, n);
    }

    private static void referenceBackward(UnaryOp op, double p, float[] x, float[] y, float[] gy, float[] gx, int from, int n) {
        for (int i = from; i < n; i++) gx[i] = (float) CpuElementwise.derivative(op, p, x[i], y[i], gy[i]);
    }

    // ---- binary: o = a ∘ b ------------------------------------------------------------------------------

    static void binary(BinaryOp op, float[] a, float[] b, float[] o, int n) {
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) o[i] = a[i] + b[i]; }
            case SUB -> { for (int i = 0; i < n; i++) o[i] = a[i] - b[i]; }
            case MUL -> { for (int i = 0; i < n; i++) o[i] = a[i] * b[i]; }
            case DIV -> { for (int i = 0; i < n; i++) o[i] = a[i] / b[i]; }
            case MAXIMUM -> { for (int i = 0; i < n; i++) o[i] = Math.max(a[i], b[i]); }
            case MINIMUM -> { for (int i = 0; i < n; i++) o[i] = Math.min(a[i], b[i]); }
            case GT -> { for (int i = 0; i < n; i++) o[i] = a[i] > b[i] ? 1f : 0f; }
            case GE -> { for (int i = 0; i < n; i++) o[i] = a[i] >= b[i] ? 1f : 0f; }
            case LT -> { for (int i = 0; i < n; i++) o[i] = a[i] < b[i] ? 1f : 0f; }
            case LE -> { for (int i = 0; i < n; i++) o[i] = a[i] <= b[i] ? 1f : 0f; }
            case EQ -> { for (int i = 0; i < n; i++) o[i] = a[i] == b[i] ? 1f : 0f; }
            default -> { for (int i = 0; i < n; i++) o[i] = (float) CpuElementwise.apply(op, a[i], b[i]); }
        }
    }
}
