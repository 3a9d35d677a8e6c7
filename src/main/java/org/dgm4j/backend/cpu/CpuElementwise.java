package org.dgm4j.backend.cpu;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.Pointer;
import org.dgm4j.backend.BinaryOp;
import org.dgm4j.backend.UnaryOp;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Tensor;

/**
 * Elementwise ops on the CPU: the math of each op written once, in double (the reference). Float32
 * tensors take {@link F32Loops}, which gives the same values faster; float64 runs the reference.
 */
final class CpuElementwise {
    private static final int GRAIN = 1 << 15;
    /**
     * The float32 fast paths (F32Loops) run about 0.1-0.5 ns per element, so a fork (microseconds, more
     * on a busy machine) pays only from about 10^5 elements per chunk.
     */
    static final int F32_GRAIN = 1 << 17;
    /**
     * Ops that call libm (Math.exp, log, tanh, pow) cost 5-20 ns per element even on the float32 tiles
     * (those calls are scalar), so forks pay from a few thousand elements: 2^13 elements are ~0.1 ms.
     * E.g. softplus of the VAE's (128, 784) logits runs on both cores instead of one.
     */
    static final int LIBM_GRAIN = 1 << 13;
    /** Broadcast rows shorter than this take the reference loop: per-row bulk transfers cost more there. */
    private static final int MIN_ROW = 16;
    private static final long COPY_GRAIN = 1 << 20;
    /** False forces the double reference loops everywhere (tests compare the two). */
    static volatile boolean fastPaths = true;

    private CpuElementwise() {}

    static double apply(UnaryOp op, double p, double x) {
        return switch (op) {
            case NEG -> -x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case ABS -> Math.abs(x);
            case SQUARE -> x * x;
            case RECIPROCAL -> 1.0 / x;
            case RELU -> x > 0 ? x : 0.0;
            case LEAKY_RELU -> x > 0 ? x : p * x;
            case SIGMOID -> sigmoid(x);
            case TANH -> Math.tanh(x);
            case SOFTPLUS -> x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
            case ADD_SCALAR -> x + p;
            case MUL_SCALAR -> x * p;
            case POW_SCALAR -> Math.pow(x, p);
            case SIGN -> Math.signum(x);
        };
    }

    static double sigmoid(double x) {
        if (x >= 0) return 1.0 / (1.0 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /** gy · f'(x), with y = f(x) at hand. */
    static double derivative(UnaryOp op, double p, double x, double y, double gy) {
        return switch (op) {
            case NEG -> -gy;
            case EXP -> gy * y;
            case LOG -> gy / x;
            case SQRT -> gy * 0.5 / y;
            case ABS -> gy * Math.signum(x);
            case SQUARE -> gy * 2.0 * x;
            case RECIPROCAL -> -gy * y * y;
            case RELU -> x > 0 ? gy : 0.0;
            case LEAKY_RELU -> x > 0 ? gy : gy * p;
            case SIGMOID -> gy * y * (1.0 - y);
            case TANH -> gy * (1.0 - y * y);
            case SOFTPLUS -> gy * sigmoid(x);
            case ADD_SCALAR -> gy;
            case MUL_SCALAR -> gy * p;
            case POW_SCALAR -> gy * p * Math.pow(x, p - 1.0);
            case SIGN -> 0.0;
        };
    }

    /** Whether {@link #derivative} reads x for op; the float32 path loads x only then. */
    static boolean backwardReadsX(UnaryOp op) {
        return switch (op) {
            case LOG, ABS, SQUARE, RELU, LEAKY_RELU, SOFTPLUS, POW_SCALAR -> true;
            default -> false;
        };
    }

    /** Whether {@link #derivative} reads y for op; the float32 path loads y only then. */
    static boolean backwardReadsY(UnaryOp op) {
        return switch (op) {
            case EXP, SQRT, RECIPROCAL, SIGMOID, TANH -> true;
            default -> false;
        };
    }

    static double apply(BinaryOp op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> Math.pow(a, b);
            case MAXIMUM -> Math.max(a, b);
            case MINIMUM -> Math.min(a, b);
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case EQ -> a == b ? 1 : 0;
        };
    }

    /** The fork grain of unary(op) on float32: LIBM_GRAIN where the op calls libm per element. */
    static int grain(UnaryOp op) {
        return switch (op) {
            case EXP, LOG, SIGMOID, TANH, SOFTPLUS, POW_SCALAR -> LIBM_GRAIN;
            default -> F32_GRAIN;
        };
    }

    /** The fork grain of unaryBackward(op) on float32: only softplus (an exp) and pow call libm there. */
    static int backwardGrain(UnaryOp op) {
        return switch (op) {
            case SOFTPLUS, POW_SCALAR -> LIBM_GRAIN;
            default -> F32_GRAIN;
        };
    }

    static void unary(UnaryOp op, double p, Tensor x, Tensor out) {
        if (fastPaths && x.dtype() == DType.F32) {
            FloatBuffer xb = x.floatBuffer(), ob = out.floatBuffer();
            Parallel.range(x.numel(), grain(op), (lo, hi) -> {
                float[][] t = F32Loops.tiles();
                for (int s = lo; s < hi; s += F32Loops.TILE) {
                    int len = Math.min(F32Loops.TILE, hi - s);
                    xb.get(s, t[0], 0, len);
                    F32Loops.unary(op, p, t[0], t[1], len);
                    ob.put(s, t[1], 0, len);
                }
            });
            return;
        }
        Buf xb = Buf.of(x), ob = Buf.of(out);
        Parallel.range(x.numel(), GRAIN, (lo, hi) -> {
            for (int i = lo; i < hi; i++) ob.set(i, apply(op, p, xb.get(i)));
        });
    }

    static void unaryBackward(UnaryOp op, double p, Tensor x, Tensor y, Tensor gy, Tensor gx) {
        if (fastPaths && x.dtype() == DType.F32) {
            // only the operands the derivative reads (ReLU: x and gy, exp: y and gy): these loops are memory-bound
            FloatBuffer xb = backwardReadsX(op) ? x.floatBuffer() : null, yb = backwardReadsY(op) ? y.floatBuffer() : null;
            FloatBuffer gyb = gy.floatBuffer(), gxb = gx.floatBuffer();
            Parallel.range(x.numel(), backwardGrain(op), (lo, hi) -> {
                float[][] t = F32Loops.tiles();
                for (int s = lo; s < hi; s += F32Loops.TILE) {
                    int len = Math.min(F32Loops.TILE, hi - s);
                    if (xb != null) xb.get(s, t[0], 0, len);
                    if (yb != null) yb.get(s, t[1], 0, len);
                    gyb.get(s, t[2], 0, len);
                    F32Loops.unaryBackward(op, p, t[0], t[1], t[2], t[3], len);
                    gxb.put(s, t[3], 0, len);
                }
            });
            return;
        }
        Buf xb = Buf.of(x), yb = Buf.of(y), gyb = Buf.of(gy), gxb = Buf.of(gx);
        Parallel.range(x.numel(), GRAIN, (lo, hi) -> {
            for (int i = lo; i < hi; i++) gxb.set(i, derivative(op, p, xb.get(i), yb.get(i), gyb.get(i)));
        });
    }

    static void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        Broadcast it = new Broadcast(out.shape());
        long[] sa = it.stridesOf(a.shape()), sb = it.stridesOf(b.shape());
        if (fastPaths && a.dtype() == DType.F32) {
            boolean aFull = a.shape().equals(out.shape()), bFull = b.shape().equals(out.shape());
            if ((aFull || a.numel() == 1) && (bFull || b.numel() == 1)) {
                binaryFlatF32(op, a, aFull ? 1 : 0, b, bFull ? 1 : 0, out);
                return;
            }
            if (it.rowLength >= MIN_ROW) {
                binaryRowsF32(op, it, a, sa, b, sb, out);
                return;
            }
        }
        Buf ab = Buf.of(a), bb = Buf.of(b), ob = Buf.of(out);
        if (a.shape().equals(out.shape()) && b.shape().equals(out.shape())) {
            Parallel.range(out.numel(), GRAIN, (lo, hi) -> {
                for (int i = lo; i < hi; i++) ob.set(i, apply(op, ab.get(i), bb.get(i)));
            });
            return;
        }
        int n = it.rowLength, ia = (int) sa[it.rank - 1], ib = (int) sb[it.rank - 1];
        Parallel.range(it.rows, Math.max(1, GRAIN / Math.max(1, n)), (lo, hi) -> {
            for (int row = lo; row < hi; row++) {
                int oa = it.rowOffset(row, sa), obase = it.rowOffset(row, sb), o = row * n;
                for (int j = 0; j < n; j++) ob.set(o + j, apply(op, ab.get(oa + j * ia), bb.get(obase + j * ib)));
            }
        });
    }

    /** Float32, each operand either of out's shape (stride 1) or one element (stride 0): one flat loop. */
    private static void binaryFlatF32(BinaryOp op, Tensor a, int ia, Tensor b, int ib, Tensor out) {
        FloatBuffer ab = a.floatBuffer(), bb = b.floatBuffer(), ob = out.floatBuffer();
        Parallel.range(out.numel(), F32_GRAIN, (lo, hi) -> {
            float[][] t = F32Loops.tiles();
            for (int s = lo; s < hi; s += F32Loops.TILE) {
                int len = Math.min(F32Loops.TILE, hi - s);
                F32Loops.load(ab, s * ia, ia, t[0], len);
                F32Loops.load(bb, s * ib, ib, t[1], len);
                F32Loops.binary(op, t[0], t[1], t[2], len);
                ob.put(s, t[2], 0, len);
            }
        });
    }

    /**
     * Float32 with broadcasting, row by row of out (its last axis): along a row an operand's stride is
     * 1 or 0 (contiguous tensors), so its part of the row is a bulk get or one value repeated, e.g. a
     * bias row (N) added to every row of (B, N), or a (B, 1) column scaling the rows of (B, N).
     */
    private static void binaryRowsF32(BinaryOp op, Broadcast it, Tensor a, long[] sa, Tensor b, long[] sb, Tensor out) {
        FloatBuffer ab = a.floatBuffer(), bb = b.floatBuffer(), ob = out.floatBuffer();
        int n = it.rowLength, ia = (int) sa[it.rank - 1], ib = (int) sb[it.rank - 1];
        Parallel.range(it.rows, Math.max(1, F32_GRAIN / n), (lo, hi) -> {
            float[][] t = F32Loops.tiles();
            for (int row = lo; row < hi; row++) {
                int oa = it.rowOffset(row, sa), obase = it.rowOffset(row, sb), o = row * n;
                for (int s = 0; s < n; s += F32Loops.TILE) {
                    int len = Math.min(F32Loops.TILE, n - s);
                    F32Loops.load(ab, oa + s * ia, ia, t[0], len);
                    F32Loops.load(bb, obase + s * ib, ib, t[1], len);
                    F32Loops.binary(op, t[0], t[1], t[2], len);
                    ob.put(o + s, t[2], 0, len);
                }
            }
        });
    }

    static void expand(Tensor x, Tensor out) {
        Broadcast it = new Broadcast(out.shape());
        if (fastPaths && x.dtype() == DType.F32 && it.rowLength >= MIN_ROW) {
            long[] sx = it.stridesOf(x.shape());
            FloatBuffer xb = x.floatBuffer(), ob = out.floatBuffer();
            int n = it.rowLength, ix = (int) sx[it.rank - 1];
            Parallel.range(it.rows, Math.max(1, F32_GRAIN / n), (lo, hi) -> {
                float[] t = F32Loops.tiles()[0];
                for (int row = lo; row < hi; row++) {
                    int ox = it.rowOffset(row, sx), o = row * n;
                    for (int s = 0; s < n; s += F32Loops.TILE) {
                        int len = Math.min(F32Loops.TILE, n - s);
                        F32Loops.load(xb, ox + s * ix, ix, t, len);
                        ob.put(o + s, t, 0, len);
                    }
                }
            });
            return;
        }
        Buf xb = Buf.of(x), ob = Buf.of(out);
        long[] sx = it.stridesOf(x.shape());
        int n = it.rowLength, ix = (int) sx[it.rank - 1];
        Parallel.range(it.rows, Math.max(1, GRAIN / Math.max(1, n)), (lo, hi) -> {
            for (int row = lo; row < hi; row++) {
                int ox = it.rowOffset(row, sx), o = row * n;
                for (int j = 0; j < n; j++) ob.set(o + j, xb.get(ox + j * ix));
            }
        });
    }

    static void fill(Tensor out, double value) {
        if (fastPaths && out.dtype() == DType.F32) {
            FloatBuffer ob = out.floatBuffer();
            float v = (float) value;
            Parallel.range(out.numel(), F32_GRAIN, (lo, hi) -> {
                float[] t = F32Loops.tiles()[0];
                java.util.Arrays.fill(t, v);
                for (int s = lo; s < hi; s += F32Loops.TILE) ob.put(s, t, 0, Math.min(F32Loops.TILE, hi - s));
            });
            return;
        }
        Buf ob = Buf.of(out);
        Parallel.range(out.numel(), GRAIN, (lo, hi) -> {
            for (int i = lo; i < hi; i++) ob.set(i, value);
        });
    }

    static void copy(Tensor x, Tensor out) {
        if (fastPaths && x.dtype() == out.dtype()) {
            // same dtype: the bytes themselves, in chunks of at least COPY_GRAIN bytes per thread
            Pointer src = new Pointer(x.storage().pointer()), dst = new Pointer(out.storage().pointer());
            long from = x.byteOffset(), to = out.byteOffset(), size = x.dtype().bytes();
            Parallel.range(x.numel(), COPY_GRAIN / size, (lo, hi) -> {
                if (hi > lo) Pointer.memcpy(new Pointer(dst).position(to + lo * size), new Pointer(src).position(from + lo * size), (hi - lo) * size);
            });
            return;
        }
        Buf xb = Buf.of(x), ob = Buf.of(out);
        Parallel.range(x.numel(), GRAIN, (lo, hi) -> {
            for (int i = lo; i < hi; i++) ob.set(i, xb.get(i));
        });
    }
}
