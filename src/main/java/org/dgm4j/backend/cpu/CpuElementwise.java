package org.dgm4j.backend.cpu;

import org.dgm4j.backend.BinaryOp;
import org.dgm4j.backend.UnaryOp;
import org.dgm4j.tensor.Tensor;

/** Elementwise ops on the CPU: the math of each op written once, in double. */
final class CpuElementwise {
    private static final int GRAIN = 1 << 15;

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

    static void unary(UnaryOp op, double p, Tensor x, Tensor out) {
        Buf xb = Buf.of(x), ob = Buf.of(out);
        Parallel.range(x.numel(), GRAIN, (lo, hi) -> {
            for (int i = lo; i < hi; i++) ob.set(i, apply(op, p, xb.get(i)));
        });
    }

    static void unaryBackward(UnaryOp op, double p, Tensor x, Tensor y, Tensor gy, Tensor gx) {
        Buf xb = Buf.of(x), yb = Buf.of(y), gyb = Buf.of(gy), gxb = Buf.of(gx);
        Parallel.range(x.numel(), GRAIN, (lo, hi) -> {
            for (int i = lo; i < hi; i++) gxb.set(i, derivative(op, p, xb.get(i), yb.get(i), gyb.get(i)));
        });
    }

    static void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        Buf ab = Buf.of(a), bb = Buf.of(b), ob = Buf.of(out);
        if (a.shape().equals(out.shape()) && b.shape().equals(out.shape())) {
            Parallel.range(out.numel(), GRAIN, (lo, hi) -> {
                for (int i = lo; i < hi; i++) ob.set(i, apply(op, ab.get(i), bb.get(i)));
            });
            return;
        }
        Broadcast it = new Broadcast(out.shape());
        long[] sa = it.stridesOf(a.shape()), sb = it.stridesOf(b.shape());
        int n = it.rowLength, ia = (int) sa[it.rank - 1], ib = (int) sb[it.rank - 1];
        Parallel.range(it.rows, Math.max(1, GRAIN / Math.max(1, n)), (lo, hi) -> {
            for (int row = lo; row < hi; row++) {
                int oa = it.rowOffset(row, sa), obase = it.rowOffset(row, sb), o = row * n;
                for (int j = 0; j < n; j++) ob.set(o + j, apply(op, ab.get(oa + j * ia), bb.get(obase + j * ib)));
            }
        });
    }

    static void expand(Tensor x, Tensor out) {
        Buf xb = Buf.of(x), ob = Buf.of(out);
        Broadcast it = new Broadcast(out.shape());
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
        Buf ob = Buf.of(out);
        Parallel.range(out.numel(), GRAIN, (lo, hi) -> {
            for (int i = lo; i < hi; i++) ob.set(i, value);
        });
    }

    static void copy(Tensor x, Tensor out) {
        Buf xb = Buf.of(x), ob = Buf.of(out);
        Parallel.range(x.numel(), GRAIN, (lo, hi) -> {
            for (int i = lo; i < hi; i++) ob.set(i, xb.get(i));
        });
    }
}
