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

    /**
     * The fused linear layer act(x·wᵀ + b): x (M, K), w (N, K), b (N) or null → (M, N), act = ReLU when
     * {@code relu}. Backward: one pass for the ReLU mask and the bias gradient, then gx = g·w and gw = gᵀ·x.
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor b, boolean relu) {
        Tensor y = empty(x, Shape.of(x.dim(0), w.dim(0)));
        k(x).linear(x, w, b, relu, y);
        return record(y, relu ? "linearRelu" : "linear", g -> {
            Tensor gb = b != null && b.requiresGrad() ? empty(b, b.shape()) : null;
            Tensor gPre = relu ? empty(y, y.shape()) : g;
            if (relu || gb != null) k(x).linearBackward(y, g, relu, relu ? gPre : null, gb);
            return new Tensor[] {
                x.requiresGrad() ? matmul(gPre, false, w, false) : null,
                w.requiresGrad() ? matmul(gPre, true, x, false) : null,
                gb};
        }, x, w, b);
    }

    /**
     * Cross-correlation: x (N, C, H, W), w (K, C, R, S), bias (K) or null → (N, K, P, Q); with
     * {@code p.channelsLast()} x (N, H, W, C) → (N, P, Q, K), same w and bias (the gradients keep x's layout).
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dParams p) {
        return conv2d(x, w, bias, p, false);
    }

    /**
     * relu(conv2d(x, w, bias, p)) as one op when {@code relu}: the ReLU runs inside the convolution where
     * the backend can, and the backward masks the gradient with y (linearBackward's pass) before the
     * convolution's own backward.
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dParams p, boolean relu) {
        Tensor y = empty(x, Shapes.conv2d(x.shape(), w.shape(), p));
        k(x).conv2d(x, w, bias, p, relu, y);
        return record(y, relu ? "conv2dRelu" : "conv2d", g -> {
            Tensor gPre = relu ? reluMask(y, g) : g;
            Tensor gx = null, gw = null, gb = null;
            if (x.requiresGrad()) {
                gx = empty(x, x.shape());
                k(x).conv2dBackwardData(gPre, w, p, gx);
            }
            if (w.requiresGrad() || (bias != null && bias.requiresGrad())) {
                gw = empty(w, w.shape());
                gb = bias == null ? null : empty(bias, bias.shape());
                k(x).conv2dBackwardWeights(x, gPre, p, gw, gb);
            }
            if (relu) gPre.close();
            return new Tensor[] {gx, gw, gb};
        }, x, w, bias);
    }

    /**
     * g·[y > 0] for y = relu(·): linearBackward's mask pass without bias sums, elementwise on every
     * backend (the CPU runs it in flat chunks), so the contiguous tensors are seen as one row.
     */
    private static Tensor reluMask(Tensor y, Tensor g) {
        Shape rows = Shape.of(1, y.numel());
        Tensor masked = empty(y, y.shape());
        try (Tensor y2 = y.view(rows, 0); Tensor g2 = g.view(rows, 0); Tensor m2 = masked.view(rows, 0)) {
            k(y).linearBackward(y2, g2, true, m2, null);
        }
        return masked;
    }

    /**
     * Transposed convolution (the adjoint of conv2d): x (N, K, H, W), w (K, C, R, S), bias (C) or null
     * → (N, C, (H−1)·stride − 2·pad + dil·(R−1) + 1 + outputPadding, likewise W).
     */
    public static Tensor convTranspose2d(Tensor x, Tensor w, Tensor bias, Conv2dParams p, int outPadH, int outPadW) {
        if (p.channelsLast()) throw new UnsupportedOperationException("convTranspose2d: channels-last is not supported, permute to (N, K, H, W)");
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
                k(x).conv2d(g, w, null, p, false, gx);
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

    // =============================================================================================
    // ---- normalizing flows: the fused ops of the op table (Kernels.affineCoupling ... unsqueeze2d)
    // =============================================================================================

    /** An invertible map's output and its per-sample log|det J|: out like the input, logdet (B) float64. */
    public record WithLogdet(Tensor out, Tensor logdet) {}

    /** Per-channel mean and population standard deviation, each (C) in the input's dtype. */
    public record ChannelStats(Tensor mean, Tensor std) {}

    /** Backward rule of an op with the two outputs (out, logdet); gOut is null when out was not used. */
    @FunctionalInterface
    private interface PairRule {
        Tensor[] apply(Tensor gOut, Tensor gLogdet);
    }

    /**
     * Records an op with two outputs on a tape whose nodes have one output each. logdet gets the node
     * with the op's real inputs and the whole backward rule; out gets a node whose only input is
     * logdet and which hands its gradient over to that rule (passing zeros on to logdet). out then
     * always comes before logdet in the backward order, so the rule runs once, with both gradients
     * (gOut null when out did not reach the loss; gLogdet zeros when logdet did not). Side effect for
     * graph walkers: out.gradFn().inputs() is {logdet}.
     */
    private static WithLogdet recordPair(String op, Tensor out, Tensor logdet, PairRule rule, Tensor... inputs) {
        if (needsGrad(inputs)) {
            Tensor[] pendingGOut = new Tensor[1];
            logdet.setGradFn(new Node(op, gl -> {
                Tensor go = pendingGOut[0];
                pendingGOut[0] = null;
                return rule.apply(go, gl);
            }, inputs));
            out.setGradFn(new Node(op + ".out", go -> {
                pendingGOut[0] = go;
                return new Tensor[] {zerosLike(logdet)};
            }, logdet));
        }
        return new WithLogdet(out, logdet);
    }

    private static Tensor logdetFor(Tensor x) {
        return Tensor.empty(x.backend(), DType.F64, Shape.of(x.dim(0)));
    }

    /** g (B) reshaped to (B, 1, ..., 1) of x's rank and cast to x's dtype, to broadcast over a sample. */
    private static Tensor perSample(Tensor g, Tensor x) {
        long[] d = new long[x.rank()];
        java.util.Arrays.fill(d, 1);
        d[0] = x.dim(0);
        return reshape(cast(g, x.dtype()), Shape.of(d));
    }

    /** A (C) per-channel tensor as (1, C, 1, ..., 1) of x's rank. */
    private static Tensor perChannel(Tensor p, Tensor x) {
        long[] d = new long[x.rank()];
        java.util.Arrays.fill(d, 1);
        d[1] = x.dim(1);
        return reshape(p, Shape.of(d));
    }

    /** Σ of t (B, C, ...) over every axis but 1, as (C). */
    private static Tensor channelSum(Tensor t) {
        int[] axes = new int[t.rank() - 1];
        axes[0] = 0;
        for (int i = 2; i < t.rank(); i++) axes[i - 1] = i;
        return sum(t, false, axes);
    }

    /**
     * Affine coupling (Glow / RealNVP): s = sigmoid(raw + 2), out = (x + shift)·s,
     * logdet[b] = Σ log s over sample b. x, raw, shift: one shape (B, ...) of rank ≥ 2 and dtype;
     * logdet (B) float64. Differentiable in x, raw and shift by the fused backward kernel.
     */
    public static WithLogdet affineCoupling(Tensor x, Tensor raw, Tensor shift) {
        Tensor y = empty(x, x.shape()), logdet = logdetFor(x);
        k(x).affineCoupling(x, raw, shift, y, logdet);
        return recordPair("affineCoupling", y, logdet, (gy, gl) -> {
            Tensor dx = empty(x, x.shape()), draw = empty(x, x.shape());
            k(x).affineCouplingBackward(x, raw, shift, gy == null ? zerosLike(x) : gy, gl, dx, draw);
            return new Tensor[] {dx, draw, dx}; // d/dx = d/dshift = dy·s
        }, x, raw, shift);
    }

    /**
     * The inverse of {@link #affineCoupling}: out = y / s − shift (computed as y·(1 + exp(−(raw + 2))) − shift),
     * logdet[b] = −Σ log s. Shapes as affineCoupling. Differentiable; its backward is composed of
     * elementwise ops (dy = dx / s, dshift = −dx, draw = −(1 − s)·(dx·y / s + dlogdet[b])), not fused.
     */
    public static WithLogdet affineCouplingInverse(Tensor y, Tensor raw, Tensor shift) {
        Tensor x = empty(y, y.shape()), logdet = logdetFor(y);
        k(y).affineCouplingInverse(y, raw, shift, x, logdet);
        return recordPair("affineCouplingInverse", x, logdet, (gx, gl) -> {
            Tensor h = addScalar(raw, 2), s = sigmoid(h), oneMinusS = sigmoid(neg(h));
            Tensor g = gx == null ? zerosLike(y) : gx;
            Tensor dy = div(g, s);
            Tensor draw = neg(mul(oneMinusS, add(mul(dy, y), perSample(gl, y))));
            return new Tensor[] {dy, draw, neg(g)};
        }, y, raw, shift);
    }

    /**
     * Actnorm: out = (x + bias[c])·exp(logScale[c]), logdet[b] = S·Σ_c logScale[c] with S the product
     * of x's dims after C. x: (B, C, ...) of rank ≥ 2 ((B, C, H, W) or (B, C)); logScale, bias: (C) in
     * x's dtype; logdet (B) float64. Differentiable in x, logScale and bias by the fused backward kernel.
     */
    public static WithLogdet actnorm(Tensor x, Tensor logScale, Tensor bias) {
        Tensor y = empty(x, x.shape()), logdet = logdetFor(x);
        k(x).actnorm(x, logScale, bias, y, logdet);
        return recordPair("actnorm", y, logdet, (gy, gl) -> {
            Tensor dx = empty(x, x.shape()), dls = empty(logScale, logScale.shape()), db = empty(bias, bias.shape());
            k(x).actnormBackward(x, logScale, bias, gy == null ? zerosLike(x) : gy, gl, dx, dls, db);
            return new Tensor[] {dx, dls, db};
        }, x, logScale, bias);
    }

    /**
     * The inverse of {@link #actnorm}: out = y·exp(−logScale[c]) − bias[c], logdet[b] = −S·Σ_c logScale[c].
     * Differentiable; its backward is composed of elementwise ops and channel sums, not fused.
     */
    public static WithLogdet actnormInverse(Tensor y, Tensor logScale, Tensor bias) {
        Tensor x = empty(y, y.shape()), logdet = logdetFor(y);
        k(y).actnormInverse(y, logScale, bias, x, logdet);
        return recordPair("actnormInverse", x, logdet, (gx, gl) -> {
            Tensor g = gx == null ? zerosLike(y) : gx;
            Tensor dy = mul(g, perChannel(exp(neg(logScale)), y));
            double spatial = (double) y.numel() / Math.max(1, y.dim(0) * y.dim(1));
            Tensor logdetTerm = cast(mulScalar(sum(gl, false), spatial), y.dtype());
            Tensor dls = sub(neg(channelSum(mul(dy, y))), logdetTerm);
            return new Tensor[] {dy, dls, neg(channelSum(g))};
        }, y, logScale, bias);
    }

    /**
     * Per-channel mean and population standard deviation of x (B, C, ...) over every axis but C, for
     * actnorm's data-dependent initialization (Kernels.actnormStats: shifted two-pass in double). A
     * constant channel gives std exactly 0: add an epsilon before dividing by it. Not differentiable
     * (no history is recorded).
     */
    public static ChannelStats actnormStats(Tensor x) {
        if (x.rank() < 2) throw new IllegalArgumentException("actnormStats: x must be (B, C, ...), found " + x.shape());
        Tensor mean = empty(x, Shape.of(x.dim(1))), std = empty(x, Shape.of(x.dim(1)));
        k(x).actnormStats(x, mean, std);
        return new ChannelStats(mean, std);
    }

    /**
     * log|det w| for w (C, C), as a float64 scalar, by LU with partial pivoting in double; −inf for a
     * singular w, NaN when w has a NaN or infinite entry. Gradient: g·w⁻ᵀ (NaN where w is singular).
     */
    public static Tensor logAbsDet(Tensor w) {
        Tensor out = Tensor.empty(w.backend(), DType.F64, Shape.scalar());
        k(w).logAbsDet(w, out);
        return record(out, "logAbsDet", g -> new Tensor[] {mul(transpose(matrixInverse(w), 0, 1), cast(g, w.dtype()))}, w);
    }

    /** w⁻¹ for w (C, C) by the same LU; all NaN for a singular w. Gradient: −w⁻ᵀ·g·w⁻ᵀ. */
    public static Tensor matrixInverse(Tensor w) {
        if (w.rank() != 2) throw new IllegalArgumentException("matrixInverse: w must be (C, C), found " + w.shape());
        Tensor out = empty(w, w.shape());
        k(w).matrixInverse(w, out);
        return record(out, "matrixInverse", g -> new Tensor[] {neg(matmul(matmul(out, true, g, false), false, out, true))}, w);
    }

    /** Glow's squeeze by 2: (B, C, H, W), H and W even → (B, 4C, H/2, W/2) (Kernels.squeeze2d). */
    public static Tensor squeeze2d(Tensor x) {
        Tensor out = empty(x, Shapes.squeeze2d(x.shape()));
        k(x).squeeze2d(x, out);
        return record(out, "squeeze2d", g -> new Tensor[] {unsqueeze2d(g)}, x);
    }

    /** The exact inverse of {@link #squeeze2d}: (B, 4C, H, W) → (B, C, 2H, 2W). */
    public static Tensor unsqueeze2d(Tensor x) {
        Tensor out = empty(x, Shapes.unsqueeze2d(x.shape()));
        k(x).unsqueeze2d(x, out);
        return record(out, "unsqueeze2d", g -> new Tensor[] {squeeze2d(g)}, x);
    }
}
