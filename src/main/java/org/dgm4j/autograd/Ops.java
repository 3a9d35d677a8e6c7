package org.dgm4j.autograd;

import org.dgm4j.backend.BinaryOp;
import org.dgm4j.backend.Conv2dParams;
import org.dgm4j.backend.Kernels;
import org.dgm4j.backend.ReduceOp;
import org.dgm4j.backend.Shapes;
import org.dgm4j.backend.UnaryOp;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * The differentiable ops: each computes its result through the op table and, when grad mode is on
 * and an input requires grad, records a {@link Node} with its backward rule. Shapes follow NumPy /
 * PyTorch conventions and are given per method.
 */
public final class Ops {
    private Ops() {}

    private static Kernels k(Tensor t) {
        return t.backend().kernels();
    }

    static Tensor empty(Tensor like, Shape shape) {
        return Tensor.empty(like.backend(), like.dtype(), shape);
    }

    private static boolean needsGrad(Tensor... inputs) {
        if (!Autograd.isEnabled()) return false;
        for (Tensor t : inputs) if (t != null && t.requiresGrad()) return true;
        return false;
    }

    private static Tensor record(Tensor out, String op, Node.Rule rule, Tensor... inputs) {
        if (needsGrad(inputs)) out.setGradFn(new Node(op, rule, inputs));
        return out;
    }

    // ---- creation helpers (not recorded) ---------------------------------------------------------

    public static Tensor zerosLike(Tensor t) {
        return Tensor.zeros(t.backend(), t.dtype(), t.shape());
    }

    public static Tensor onesLike(Tensor t) {
        return Tensor.full(t.backend(), t.dtype(), t.shape(), 1);
    }

    /** A scalar of t's dtype on t's backend. */
    public static Tensor scalarLike(Tensor t, double v) {
        return Tensor.full(t.backend(), t.dtype(), Shape.scalar(), v);
    }

    /** A fresh copy with no history. */
    public static Tensor copyOf(Tensor x) {
        Tensor out = empty(x, x.shape());
        k(x).copy(x, out);
        return out;
    }

    // ---- elementwise -----------------------------------------------------------------------------

    public static Tensor unary(UnaryOp op, double p, Tensor x) {
        Tensor y = empty(x, x.shape());
        k(x).unary(op, p, x, y);
        if (!op.differentiable) return y;
        return record(y, op.name().toLowerCase(), g -> {
            Tensor gx = empty(x, x.shape());
            k(x).unaryBackward(op, p, x, y, g, gx);
            return new Tensor[] {gx};
        }, x);
    }

    public static Tensor neg(Tensor x) { return unary(UnaryOp.NEG, 0, x); }
    public static Tensor exp(Tensor x) { return unary(UnaryOp.EXP, 0, x); }
    public static Tensor log(Tensor x) { return unary(UnaryOp.LOG, 0, x); }
    public static Tensor sqrt(Tensor x) { return unary(UnaryOp.SQRT, 0, x); }
    public static Tensor abs(Tensor x) { return unary(UnaryOp.ABS, 0, x); }
    public static Tensor square(Tensor x) { return unary(UnaryOp.SQUARE, 0, x); }
    public static Tensor reciprocal(Tensor x) { return unary(UnaryOp.RECIPROCAL, 0, x); }
    public static Tensor relu(Tensor x) { return unary(UnaryOp.RELU, 0, x); }
    public static Tensor leakyRelu(Tensor x, double slope) { return unary(UnaryOp.LEAKY_RELU, slope, x); }
    public static Tensor sigmoid(Tensor x) { return unary(UnaryOp.SIGMOID, 0, x); }
    public static Tensor tanh(Tensor x) { return unary(UnaryOp.TANH, 0, x); }
    public static Tensor softplus(Tensor x) { return unary(UnaryOp.SOFTPLUS, 0, x); }
    public static Tensor addScalar(Tensor x, double c) { return unary(UnaryOp.ADD_SCALAR, c, x); }
    public static Tensor mulScalar(Tensor x, double c) { return unary(UnaryOp.MUL_SCALAR, c, x); }
    public static Tensor powScalar(Tensor x, double c) { return unary(UnaryOp.POW_SCALAR, c, x); }
    public static Tensor sign(Tensor x) { return unary(UnaryOp.SIGN, 0, x); }

    /** a ∘ b with broadcasting; gradients are summed back to each operand's shape. */
    public static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        Tensor out = empty(a, Shapes.broadcast(op.name().toLowerCase(), a.shape(), b.shape()));
        k(a).binary(op, a, b, out);
        if (!op.differentiable) return out;
        return record(out, op.name().toLowerCase(), g -> binaryBackward(op, a, b, out, g), a, b);
    }

    private static Tensor[] binaryBackward(BinaryOp op, Tensor a, Tensor b, Tensor out, Tensor g) {
        boolean ga = a.requiresGrad(), gb = b.requiresGrad();
        return switch (op) {
            case ADD -> new Tensor[] {ga ? sumTo(g, a.shape()) : null, gb ? sumTo(g, b.shape()) : null};
            case SUB -> new Tensor[] {ga ? sumTo(g, a.shape()) : null, gb ? sumTo(neg(g), b.shape()) : null};
            case MUL -> new Tensor[] {ga ? sumTo(mul(g, b), a.shape()) : null, gb ? sumTo(mul(g, a), b.shape()) : null};
            case DIV -> new Tensor[] {ga ? sumTo(div(g, b), a.shape()) : null,
                    gb ? sumTo(neg(div(mul(g, out), b)), b.shape()) : null};
            case POW -> new Tensor[] {ga ? sumTo(mul(g, mul(b, pow(a, addScalar(b, -1)))), a.shape()) : null,
                    gb ? sumTo(mul(g, mul(out, log(a))), b.shape()) : null};
            case MAXIMUM, MINIMUM -> {
                Tensor pick = binary(op == BinaryOp.MAXIMUM ? BinaryOp.GE : BinaryOp.LE, a, b); // ties go to a
                yield new Tensor[] {ga ? sumTo(mul(g, pick), a.shape()) : null,
                        gb ? sumTo(mul(g, addScalar(neg(pick), 1)), b.shape()) : null};
            }
            default -> throw new AssertionError(op);
        };
    }

    public static Tensor add(Tensor a, Tensor b) { return binary(BinaryOp.ADD, a, b); }
    public static Tensor sub(Tensor a, Tensor b) { return binary(BinaryOp.SUB, a, b); }
    public static Tensor mul(Tensor a, Tensor b) { return binary(BinaryOp.MUL, a, b); }
    public static Tensor div(Tensor a, Tensor b) { return binary(BinaryOp.DIV, a, b); }
    public static Tensor pow(Tensor a, Tensor b) { return binary(BinaryOp.POW, a, b); }
    public static Tensor maximum(Tensor a, Tensor b) { return binary(BinaryOp.MAXIMUM, a, b); }
    public static Tensor minimum(Tensor a, Tensor b) { return binary(BinaryOp.MINIMUM, a, b); }

    /** x broadcast to {@code shape} (materialized). */
    public static Tensor expand(Tensor x, Shape shape) {
        if (x.shape().equals(shape)) return x;
        Tensor out = empty(x, shape);
        k(x).expand(x, out);
        return record(out, "expand", g -> new Tensor[] {sumTo(g, x.shape())}, x);
    }

    /** Sums g over the axes along which {@code shape} was broadcast to g's shape. */
    public static Tensor sumTo(Tensor g, Shape shape) {
        if (g.shape().equals(shape)) return g;
        int lead = g.rank() - shape.rank();
        int[] axes = new int[g.rank()];
        int n = 0;
        for (int i = 0; i < g.rank(); i++) {
            if (i < lead || (shape.dim(i - lead) == 1 && g.dim(i) != 1)) axes[n++] = i;
        }
        Tensor s = reduce(ReduceOp.SUM, g, true, java.util.Arrays.copyOf(axes, n));
        return reshape(s, shape);
    }

    /** x converted to dtype (a copy; a no-op when already of that dtype). */
    public static Tensor cast(Tensor x, DType dtype) {
        if (x.dtype() == dtype) return x;
        Tensor out = Tensor.empty(x.backend(), dtype, x.shape());
        k(x).copy(x, out);
        return record(out, "cast", g -> new Tensor[] {cast(g, x.dtype())}, x);
    }

    // ---- reductions ------------------------------------------------------------------------------

    /** op over axes (all axes when none are given); reduced axes kept with size 1 if keepDims. */
    public static Tensor reduce(ReduceOp op, Tensor x, boolean keepDims, int... axes) {
        int[] ax = Shapes.normalizeAxes(x.shape(), axes);
        Shape kept = Shapes.keepDims(x.shape(), ax);
        Tensor out = empty(x, kept);
        k(x).reduce(op, x, ax, out);
        record(out, op.name().toLowerCase(), g -> new Tensor[] {reduceBackward(op, x, out, g, ax)}, x);
        return keepDims ? out : reshape(out, Shapes.dropDims(x.shape(), ax));
    }

    private static Tensor reduceBackward(ReduceOp op, Tensor x, Tensor out, Tensor g, int[] ax) {
        Tensor ge = expand(g, x.shape());
        return switch (op) {
            case SUM -> ge;
            case MEAN -> mulScalar(ge, (double) out.numel() / Math.max(1, x.numel()));
            case MAX, MIN -> {
                Tensor hit = binary(BinaryOp.EQ, x, out); // ties share the gradient equally
                Tensor count = reduce(ReduceOp.SUM, hit, true, ax);
                yield mul(ge, div(hit, count));
            }
            case LOGSUMEXP -> mul(ge, exp(sub(x, out)));
        };
    }

    public static Tensor sum(Tensor x, boolean keepDims, int... axes) { return reduce(ReduceOp.SUM, x, keepDims, axes); }
    public static Tensor mean(Tensor x, boolean keepDims, int... axes) { return reduce(ReduceOp.MEAN, x, keepDims, axes); }
    public static Tensor max(Tensor x, boolean keepDims, int... axes) { return reduce(ReduceOp.MAX, x, keepDims, axes); }
    public static Tensor min(Tensor x, boolean keepDims, int... axes) { return reduce(ReduceOp.MIN, x, keepDims, axes); }
    public static Tensor logsumexp(Tensor x, boolean keepDims, int... axes) { return reduce(ReduceOp.LOGSUMEXP, x, keepDims, axes); }

    /** log softmax along axis: x − logsumexp(x). */
    public static Tensor logSoftmax(Tensor x, int axis) {
        return sub(x, logsumexp(x, true, axis));
    }

    // ---- linear algebra --------------------------------------------------------------------------

    public static Tensor matmul(Tensor a, Tensor b) {
        return matmul(a, false, b, false);
    }

    /** op(a)·op(b): (M, K)·(K, N) → (M, N), or batched (B, M, K)·(B, K, N) → (B, M, N). */
    public static Tensor matmul(Tensor a, boolean ta, Tensor b, boolean tb) {
        Tensor out = empty(a, Shapes.matmul(a.shape(), ta, b.shape(), tb));
        k(a).matmul(a, ta, b, tb, out);
        return record(out, "matmul", g -> new Tensor[] {
            !a.requiresGrad() ? null : ta ? matmul(b, tb, g, true) : matmul(g, false, b, !tb),
            !b.requiresGrad() ? null : tb ? matmul(g, true, a, ta) : matmul(a, !ta, g, false)}, a, b);
    }

    /** Cross-correlation: x (N, C, H, W), w (K, C, R, S), bias (K) or null → (N, K, P, Q). */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dParams p) {
        Tensor y = empty(x, Shapes.conv2d(x.shape(), w.shape(), p));
        k(x).conv2d(x, w, bias, p, y);
        return record(y, "conv2d", g -> {
            Tensor gx = null, gw = null, gb = null;
            if (x.requiresGrad()) {
                gx = empty(x, x.shape());
                k(x).conv2dBackwardData(g, w, p, gx);
            }
            if (w.requiresGrad() || (bias != null && bias.requiresGrad())) {
                gw = empty(w, w.shape());
                gb = bias == null ? null : empty(bias, bias.shape());
                k(x).conv2dBackwardWeights(x, g, p, gw, gb);
            }
            return new Tensor[] {gx, gw, gb};
        }, x, w, bias);
    }

    /**
     * Transposed convolution (the adjoint of conv2d): x (N, K, H, W), w (K, C, R, S), bias (C) or null
     * → (N, C, (H−1)·stride − 2·pad + dil·(R−1) + 1 + outputPadding, likewise W).
     */
    public static Tensor convTranspose2d(Tensor x, Tensor w, Tensor bias, Conv2dParams p, int outPadH, int outPadW) {
        if (x.rank() != 4 || w.rank() != 4 || x.dim(1) != w.dim(0)) {
            throw new IllegalArgumentException("convTranspose2d: x must be (N, K, H, W) and w (K, C, R, S), found " + x.shape() + " and " + w.shape());
        }
        if (outPadH >= Math.max(p.strideH(), p.dilH()) || outPadW >= Math.max(p.strideW(), p.dilW()) || outPadH < 0 || outPadW < 0) {
            throw new IllegalArgumentException("convTranspose2d: output padding " + outPadH + "x" + outPadW + " must be smaller than stride or dilation");
        }
        long h = (x.dim(2) - 1) * p.strideH() - 2L * p.padH() + (long) p.dilH() * (w.dim(2) - 1) + 1 + outPadH;
        long wd = (x.dim(3) - 1) * p.strideW() - 2L * p.padW() + (long) p.dilW() * (w.dim(3) - 1) + 1 + outPadW;
        Tensor y = empty(x, Shape.of(x.dim(0), w.dim(1), h, wd));
        k(x).conv2dBackwardData(x, w, p, y);
        Tensor out = record(y, "convTranspose2d", g -> {
            Tensor gx = null, gw = null;
            if (x.requiresGrad()) {
                gx = empty(x, x.shape());
                k(x).conv2d(g, w, null, p, gx);
            }
            if (w.requiresGrad()) {
                gw = empty(w, w.shape());
                k(x).conv2dBackwardWeights(g, x, p, gw, null);
            }
            return new Tensor[] {gx, gw};
        }, x, w);
        return bias == null ? out : add(out, reshape(bias, Shape.of(1, bias.numel(), 1, 1)));
    }

    // ---- shape and data movement -----------------------------------------------------------------

    /** A view with another shape of the same element count. */
    public static Tensor reshape(Tensor x, Shape shape) {
        if (shape.numel() != x.numel()) throw new IllegalArgumentException("reshape: cannot view " + x.shape() + " as " + shape);
        Tensor v = x.view(shape, 0);
        return record(v, "reshape", g -> new Tensor[] {reshape(g, x.shape())}, x);
    }

    /** Rows [start, end) of axis 0, as a view. */
    public static Tensor narrowBatch(Tensor x, long start, long end) {
        long n = Shapes.sliceCount("narrowBatch", x.shape(), 0, start, end, 1);
        long row = x.numel() / Math.max(1, x.dim(0));
        Tensor v = x.view(x.shape().with(0, n), start * row);
        return record(v, "narrowBatch", g -> new Tensor[] {scatterSlice(g, x.shape(), 0, start, 1)}, x);
    }

    /** Zeros of {@code full} with g added at the slice positions: the adjoint of slice. */
    private static Tensor scatterSlice(Tensor g, Shape full, int axis, long start, long step) {
        Tensor gx = Tensor.zeros(g.backend(), g.dtype(), full);
        k(g).sliceAdd(g, axis, start, step, gx);
        return gx;
    }

    public static Tensor permute(Tensor x, int... perm) {
        Tensor out = empty(x, Shapes.permute(x.shape(), perm));
        k(x).permute(x, perm, out);
        int[] inverse = new int[perm.length];
        for (int i = 0; i < perm.length; i++) inverse[perm[i]] = i;
        return record(out, "permute", g -> new Tensor[] {permute(g, inverse)}, x);
    }

    public static Tensor transpose(Tensor x, int a, int b) {
        int[] perm = new int[x.rank()];
        for (int i = 0; i < perm.length; i++) perm[i] = i;
        int na = x.shape().normalizeAxis(a), nb = x.shape().normalizeAxis(b);
        perm[na] = nb;
        perm[nb] = na;
        return permute(x, perm);
    }

    /** x[.., start:end:step, ..] along axis (a copy). */
    public static Tensor slice(Tensor x, int axis, long start, long end, long step) {
        int ax = x.shape().normalizeAxis(axis);
        long count = Shapes.sliceCount("slice", x.shape(), ax, start, end, step);
        Tensor out = empty(x, x.shape().with(ax, count));
        k(x).slice(x, ax, start, step, out);
        return record(out, "slice", g -> new Tensor[] {scatterSlice(g, x.shape(), ax, start, step)}, x);
    }

    public static Tensor concat(int axis, Tensor... xs) {
        if (xs.length == 0) throw new IllegalArgumentException("concat: no tensors");
        int ax = xs[0].shape().normalizeAxis(axis);
        long total = 0;
        for (Tensor t : xs) total += t.rank() > ax ? t.dim(ax) : 0;
        Tensor out = empty(xs[0], xs[0].shape().with(ax, total));
        k(xs[0]).concat(xs, ax, out);
        return record(out, "concat", g -> {
            Tensor[] gs = new Tensor[xs.length];
            long at = 0;
            for (int i = 0; i < xs.length; i++) {
                long n = xs[i].dim(ax);
                if (xs[i].requiresGrad()) gs[i] = slice(g, ax, at, at + n, 1);
                at += n;
            }
            return gs;
        }, xs);
    }

    /** Splits along axis into pieces of the given sizes (which must add up to the axis length). */
    public static Tensor[] split(Tensor x, int axis, long... sizes) {
        int ax = x.shape().normalizeAxis(axis);
        long sum = 0;
        for (long s : sizes) sum += s;
        if (sum != x.dim(ax)) throw new IllegalArgumentException("split: sizes " + java.util.Arrays.toString(sizes) + " do not add up to axis " + ax + " of " + x.shape());
        Tensor[] out = new Tensor[sizes.length];
        long at = 0;
        for (int i = 0; i < sizes.length; i++) {
            out[i] = slice(x, ax, at, at + sizes[i], 1);
            at += sizes[i];
        }
        return out;
    }
}
