package org.dgm4j.backend.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 libm loops of {@link F32Loops} on SIMD lanes, through the incubating Vector API: its
 * lanewise EXP and LOG1P run Intel's SVML on x86-64, about 15× the per-element Math.exp / Math.log.
 * Each loop evaluates the double reference expression of {@link CpuElementwise} on double lanes (floats
 * widened, the result rounded to float once), so values equal the reference's except where SVML's
 * double result (within 1 ulp) rounds to the neighbouring float: at most 1 float ulp, which
 * CpuFastPathTest allows for these ops.
 *
 * <p>Only {@link F32Loops#vectorMath} guards its use: this class links against jdk.incubator.vector,
 * which the JVM resolves only when started with {@code --add-modules jdk.incubator.vector}
 * (scripts/dgm4j and the tests do). Without it the scalar loops run, with the same values up to that ulp.
 */
final class VectorMath {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Floats filling half a double vector's bits: one load widens to one full double vector. */
    private static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    private static final int LANES = D.length();

    private VectorMath() {}

    /** Floats per vector load here (8 with AVX-512 double vectors). */
    static int floatLanes() {
        return F.length();
    }

    private static DoubleVector load(float[] a, int i) {
        return (DoubleVector) FloatVector.fromArray(F, a, i).convertShape(VectorOperators.F2D, D, 0);
    }

    private static void store(DoubleVector v, float[] a, int i) {
        ((FloatVector) v.convertShape(VectorOperators.D2F, F, 0)).intoArray(a, i);
    }

    /** o = exp(x) on [0, n); returns the first index left to the caller (the tail shorter than a vector). */
    static int exp(float[] x, float[] o, int n) {
        int i = 0;
        for (; i + LANES <= n; i += LANES) store(load(x, i).lanewise(VectorOperators.EXP), o, i);
        return i;
    }

    /** o = log(x). */
    static int log(float[] x, float[] o, int n) {
        int i = 0;
        for (; i + LANES <= n; i += LANES) store(load(x, i).lanewise(VectorOperators.LOG), o, i);
        return i;
    }

    /** o = max(x, 0) + log1p(e^−|x|): softplus without overflow. */
    static int softplus(float[] x, float[] o, int n) {
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            DoubleVector v = load(x, i);
            DoubleVector e = v.abs().neg().lanewise(VectorOperators.EXP);
            store(v.max(0.0).add(e.lanewise(VectorOperators.LOG1P)), o, i);
        }
        return i;
    }

    /** o = σ(x) as the reference: 1 / (1 + e^−x) for x ≥ 0, e^x / (1 + e^x) below (never overflows). */
    static int sigmoid(float[] x, float[] o, int n) {
        int i = 0;
        for (; i + LANES <= n; i += LANES) store(sigmoid(load(x, i)), o, i);
        return i;
    }

    /** gx = gy · σ(x): softplus' derivative. */
    static int softplusBackward(float[] x, float[] gy, float[] gx, int n) {
        int i = 0;
        for (; i + LANES <= n; i += LANES) store(sigmoid(load(x, i)).mul(load(gy, i)), gx, i);
        return i;
    }

    /**
     * acc[j] += v[from + j] for j in [0, len), widened to double: column sums (each lane one column, rows
     * added in the caller's order, so the same values as the scalar loop). Java 17's C2 does not
     * vectorize the float → double conversion; returns the first j left to the caller.
     */
    static int accumulate(double[] acc, float[] v, int from, int len) {
        int j = 0;
        for (; j + LANES <= len; j += LANES) DoubleVector.fromArray(D, acc, j).add(load(v, from + j)).intoArray(acc, j);
        return j;
    }

    /**
     * The fused linear backward over columns [c0, c0 + len) of (m, n) float32 matrices, read and written
     * in place through Vector API loads (no tile copies: with few columns per thread the tiles would move
     * a few hundred bytes per bulk transfer): g = relu ? (y > 0 ? gy : 0) : gy (written when relu), and
     * acc[j − c0] += g[r, j] in double, rows in order (the scalar loops' values). Columns past the last
     * full vector are left to the caller; returns how many were done.
     */
    static int linearBackward(ByteBuffer y, ByteBuffer gy, ByteBuffer g, boolean relu, double[] acc, int m, int n, int c0, int len) {
        int done = len - len % F.length();
        for (int r = 0; r < m; r++) {
            for (int j = 0; j < done; j += F.length()) {
                int at = (r * n + c0 + j) * Float.BYTES;
                FloatVector v = FloatVector.fromByteBuffer(F, gy, at, ByteOrder.nativeOrder());
                if (relu) {
                    FloatVector yv = FloatVector.fromByteBuffer(F, y, at, ByteOrder.nativeOrder());
                    v = FloatVector.zero(F).blend(v, yv.compare(VectorOperators.GT, 0f)); // NaN y: 0, as the reference
                    v.intoByteBuffer(g, at, ByteOrder.nativeOrder());
                }
                if (acc != null) DoubleVector.fromArray(D, acc, j).add(v.convertShape(VectorOperators.F2D, D, 0)).intoArray(acc, j);
            }
        }
        return done;
    }

    private static DoubleVector sigmoid(DoubleVector v) {
        DoubleVector e = v.abs().neg().lanewise(VectorOperators.EXP); // e^−x for x ≥ 0, e^x below
        DoubleVector onePlus = e.add(1.0);
        VectorMask<Double> nonNegative = v.compare(VectorOperators.GE, 0.0);
        // x ≥ 0: 1 / (1 + e); x < 0: e / (1 + e); NaN fails the comparison and stays NaN either way
        return e.blend(1.0, nonNegative).div(onePlus);
    }
}
