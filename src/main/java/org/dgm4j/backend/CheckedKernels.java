package org.dgm4j.backend;

import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * Validates every call of the op table before the backend's implementation runs, so bad input is a
 * Java exception naming the op and the shapes, never a native crash.
 */
public final class CheckedKernels implements Kernels {
    private final Backend backend;
    private final Kernels impl;

    public CheckedKernels(Backend backend, Kernels impl) {
        this.backend = backend;
        this.impl = impl;
    }

    private void on(String op, Tensor... ts) {
        for (Tensor t : ts) {
            if (t == null) continue;
            t.ensureOpen();
            if (t.backend() != backend) throw new IllegalArgumentException(op + ": tensor " + t.describe() + " is not on " + backend.name());
        }
    }

    private static void sameDType(String op, Tensor... ts) {
        DType d = null;
        for (Tensor t : ts) {
            if (t == null) continue;
            if (d == null) d = t.dtype();
            else if (t.dtype() != d) throw new IllegalArgumentException(op + ": dtypes differ: " + d + " and " + t.dtype() + " (" + t.shape() + ")");
        }
    }

    private static void shapeIs(String op, String what, Tensor t, Shape expected) {
        if (!t.shape().equals(expected)) throw new IllegalArgumentException(op + ": " + what + " must have shape " + expected + ", found " + t.shape());
    }

    @Override
    public void unary(UnaryOp op, double p, Tensor x, Tensor out) {
        on("unary " + op, x, out);
        sameDType("unary " + op, x, out);
        shapeIs("unary " + op, "out", out, x.shape());
        impl.unary(op, p, x, out);
    }

    @Override
    public void unaryBackward(UnaryOp op, double p, Tensor x, Tensor y, Tensor gy, Tensor gx) {
        String name = "unaryBackward " + op;
        on(name, x, y, gy, gx);
        sameDType(name, x, y, gy, gx);
        shapeIs(name, "y", y, x.shape());
        shapeIs(name, "gy", gy, x.shape());
        shapeIs(name, "gx", gx, x.shape());
        impl.unaryBackward(op, p, x, y, gy, gx);
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        on("binary " + op, a, b, out);
        sameDType("binary " + op, a, b, out);
        shapeIs("binary " + op, "out", out, Shapes.broadcast(op.name().toLowerCase(), a.shape(), b.shape()));
        impl.binary(op, a, b, out);
    }

    @Override
    public void expand(Tensor x, Tensor out) {
        on("expand", x, out);
        sameDType("expand", x, out);
        if (x.rank() > out.rank() || !Shapes.broadcast("expand", x.shape(), out.shape()).equals(out.shape())) {
            throw new IllegalArgumentException("expand: " + x.shape() + " cannot be broadcast to " + out.shape());
        }
        impl.expand(x, out);
    }

    @Override
    public void fill(Tensor out, double value) {
        on("fill", out);
        impl.fill(out, value);
    }

    @Override
    public void copy(Tensor x, Tensor out) {
        on("copy", x, out);
        if (x.numel() != out.numel()) throw new IllegalArgumentException("copy: " + x.shape() + " into " + out.shape() + ": element counts differ");
        impl.copy(x, out);
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out) {
        on("reduce " + op, x, out);
        sameDType("reduce " + op, x, out);
        int[] norm = Shapes.normalizeAxes(x.shape(), axes);
        if (!java.util.Arrays.equals(norm, axes)) throw new IllegalArgumentException("reduce: axes must be sorted, distinct and non-negative, found " + java.util.Arrays.toString(axes));
        shapeIs("reduce " + op, "out", out, Shapes.keepDims(x.shape(), axes));
        if ((op == ReduceOp.MAX || op == ReduceOp.MIN || op == ReduceOp.LOGSUMEXP) && x.numel() == 0) {
            throw new IllegalArgumentException("reduce " + op + " of an empty tensor " + x.shape());
        }
        impl.reduce(op, x, axes, out);
    }

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor out) {
        on("matmul", a, b, out);
        sameDType("matmul", a, b, out);
        shapeIs("matmul", "out", out, Shapes.matmul(a.shape(), transA, b.shape(), transB));
        impl.matmul(a, transA, b, transB, out);
    }

    @Override
    public void linear(Tensor x, Tensor w, Tensor b, boolean relu, Tensor y) {
        on("linear", x, w, b, y);
        sameDType("linear", x, w, b, y);
        if (x.rank() != 2 || w.rank() != 2 || x.dim(1) != w.dim(1)) {
            throw new IllegalArgumentException("linear: x must be (M, K) and w (N, K), found " + x.shape() + " and " + w.shape());
        }
        if (b != null) shapeIs("linear", "b", b, Shape.of(w.dim(0)));
        shapeIs("linear", "y", y, Shape.of(x.dim(0), w.dim(0)));
        impl.linear(x, w, b, relu, y);
    }

    @Override
    public void linearBackward(Tensor y, Tensor gy, boolean relu, Tensor g, Tensor gb) {
        on("linearBackward", y, gy, g, gb);
        sameDType("linearBackward", y, gy, g, gb);
        if (y.rank() != 2) throw new IllegalArgumentException("linearBackward: y must be (M, N), found " + y.shape());
        shapeIs("linearBackward", "gy", gy, y.shape());
        if (relu != (g != null)) throw new IllegalArgumentException("linearBackward: g must be given exactly when relu is set");
        if (g != null) shapeIs("linearBackward", "g", g, y.shape());
        if (gb != null) shapeIs("linearBackward", "gb", gb, Shape.of(y.dim(1)));
        impl.linearBackward(y, gy, relu, g, gb);
    }

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor bias, Conv2dParams p, boolean relu, Tensor y) {
        on("conv2d", x, w, bias, y);
        sameDType("conv2d", x, w, bias, y);
        checkBias("conv2d", bias, w);
        shapeIs("conv2d", "y", y, Shapes.conv2d(x.shape(), w.shape(), p));
        impl.conv2d(x, w, bias, p, relu, y);
    }

    @Override
    public void conv2dBackwardData(Tensor gy, Tensor w, Conv2dParams p, Tensor gx) {
        on("conv2dBackwardData", gy, w, gx);
        sameDType("conv2dBackwardData", gy, w, gx);
        shapeIs("conv2dBackwardData", "gy", gy, Shapes.conv2d(gx.shape(), w.shape(), p));
        impl.conv2dBackwardData(gy, w, p, gx);
    }

    @Override
    public void conv2dBackwardWeights(Tensor x, Tensor gy, Conv2dParams p, Tensor gw, Tensor gbias) {
        on("conv2dBackwardWeights", x, gy, gw, gbias);
        sameDType("conv2dBackwardWeights", x, gy, gw, gbias);
        checkBias("conv2dBackwardWeights", gbias, gw);
        shapeIs("conv2dBackwardWeights", "gy", gy, Shapes.conv2d(x.shape(), gw.shape(), p));
        impl.conv2dBackwardWeights(x, gy, p, gw, gbias);
    }

    private static void checkBias(String op, Tensor bias, Tensor w) {
        if (bias != null) shapeIs(op, "bias", bias, Shape.of(w.dim(0)));
    }

    @Override
    public void permute(Tensor x, int[] perm, Tensor out) {
        on("permute", x, out);
        sameDType("permute", x, out);
        shapeIs("permute", "out", out, Shapes.permute(x.shape(), perm));
        impl.permute(x, perm, out);
    }

    @Override
    public void concat(Tensor[] xs, int axis, Tensor out) {
        if (xs.length == 0) throw new IllegalArgumentException("concat: no tensors");
        on("concat", xs);
        on("concat", out);
        Tensor[] all = java.util.Arrays.copyOf(xs, xs.length + 1);
        all[xs.length] = out;
        sameDType("concat", all);
        Shape first = xs[0].shape();
        if (axis < 0 || axis >= first.rank()) throw new IllegalArgumentException("concat: axis " + axis + " out of range for " + first);
        long total = 0;
        for (Tensor t : xs) {
            if (t.rank() != first.rank() || !t.shape().with(axis, 0).equals(first.with(axis, 0))) {
                throw new IllegalArgumentException("concat: along axis " + axis + " shapes " + first + " and " + t.shape() + " differ elsewhere");
            }
            total += t.dim(axis);
        }
        shapeIs("concat", "out", out, first.with(axis, total));
        impl.concat(xs, axis, out);
    }

    @Override
    public void slice(Tensor x, int axis, long start, long step, Tensor out) {
        on("slice", x, out);
        sameDType("slice", x, out);
        checkSlice("slice", x.shape(), axis, start, step, out.shape());
        impl.slice(x, axis, start, step, out);
    }

    @Override
    public void sliceAdd(Tensor src, int axis, long start, long step, Tensor dst) {
        on("sliceAdd", src, dst);
        sameDType("sliceAdd", src, dst);
        checkSlice("sliceAdd", dst.shape(), axis, start, step, src.shape());
        impl.sliceAdd(src, axis, start, step, dst);
    }

    private static void checkSlice(String op, Shape full, int axis, long start, long step, Shape part) {
        if (axis < 0 || axis >= full.rank()) throw new IllegalArgumentException(op + ": axis " + axis + " out of range for " + full);
        if (part.rank() != full.rank() || !part.with(axis, 0).equals(full.with(axis, 0))) {
            throw new IllegalArgumentException(op + ": slice " + part + " of " + full + " differs outside axis " + axis);
        }
        long count = part.dim(axis);
        if (step < 1 || start < 0 || (count > 0 && start + (count - 1) * step >= full.dim(axis))) {
            throw new IllegalArgumentException(op + ": " + count + " elements from " + start + " step " + step + " exceed axis " + axis + " of " + full);
        }
    }

    // ---- normalizing flows

    private static void isF64(String op, String what, Tensor t) {
        if (t.dtype() != DType.F64) throw new IllegalArgumentException(op + ": " + what + " must be float64, found " + t.dtype() + " (" + t.shape() + ")");
    }

    /** A (B, ...) operand of rank ≥ 2, the others (names[1..]) of its shape, and the (B) float64 (d)logdet. */
    private static void checkPerSample(String op, Tensor x, Tensor logdet, String[] names, Tensor... same) {
        if (x.rank() < 2) throw new IllegalArgumentException(op + ": " + names[0] + " must have rank >= 2 (batch first), found " + x.shape());
        for (int i = 0; i < same.length; i++) shapeIs(op, names[i + 1], same[i], x.shape());
        String ld = op.endsWith("Backward") ? "dlogdet" : "logdet";
        isF64(op, ld, logdet);
        shapeIs(op, ld, logdet, Shape.of(x.dim(0)));
    }

    private void coupling(String op, Tensor in, Tensor raw, Tensor shift, Tensor out, Tensor logdet, String inName, String outName) {
        on(op, in, raw, shift, out, logdet);
        sameDType(op, in, raw, shift, out);
        checkPerSample(op, in, logdet, new String[] {inName, "raw", "shift", outName}, raw, shift, out);
    }

    @Override
    public void affineCoupling(Tensor x, Tensor raw, Tensor shift, Tensor y, Tensor logdet) {
        coupling("affineCoupling", x, raw, shift, y, logdet, "x", "y");
        impl.affineCoupling(x, raw, shift, y, logdet);
    }

    @Override
    public void affineCouplingInverse(Tensor y, Tensor raw, Tensor shift, Tensor x, Tensor logdet) {
        coupling("affineCouplingInverse", y, raw, shift, x, logdet, "y", "x");
        impl.affineCouplingInverse(y, raw, shift, x, logdet);
    }

    @Override
    public void affineCouplingBackward(Tensor x, Tensor raw, Tensor shift, Tensor dy, Tensor dlogdet, Tensor dx, Tensor draw) {
        String op = "affineCouplingBackward";
        on(op, x, raw, shift, dy, dlogdet, dx, draw);
        sameDType(op, x, raw, shift, dy, dx, draw);
        checkPerSample(op, x, dlogdet, new String[] {"x", "raw", "shift", "dy", "dx", "draw"}, raw, shift, dy, dx, draw);
        impl.affineCouplingBackward(x, raw, shift, dy, dlogdet, dx, draw);
    }

    /** x (B, C, ...) and the (C) per-channel parameters. */
    private static void checkChannels(String op, Tensor x, String xName, Tensor... perChannel) {
        if (x.rank() < 2) throw new IllegalArgumentException(op + ": " + xName + " must be (B, C, ...) of rank >= 2, found " + x.shape());
        for (Tensor t : perChannel) {
            if (!t.shape().equals(Shape.of(x.dim(1)))) {
                throw new IllegalArgumentException(op + ": per-channel tensors must have shape " + Shape.of(x.dim(1)) + " for " + xName + " " + x.shape() + ", found " + t.shape());
            }
        }
    }

    private void actnormCheck(String op, Tensor in, Tensor logScale, Tensor bias, Tensor out, Tensor logdet, String inName, String outName) {
        on(op, in, logScale, bias, out, logdet);
        sameDType(op, in, logScale, bias, out);
        checkChannels(op, in, inName, logScale, bias);
        checkPerSample(op, in, logdet, new String[] {inName, outName}, out);
    }

    @Override
    public void actnorm(Tensor x, Tensor logScale, Tensor bias, Tensor y, Tensor logdet) {
        actnormCheck("actnorm", x, logScale, bias, y, logdet, "x", "y");
        impl.actnorm(x, logScale, bias, y, logdet);
    }

    @Override
    public void actnormInverse(Tensor y, Tensor logScale, Tensor bias, Tensor x, Tensor logdet) {
        actnormCheck("actnormInverse", y, logScale, bias, x, logdet, "y", "x");
        impl.actnormInverse(y, logScale, bias, x, logdet);
    }

    @Override
    public void actnormBackward(Tensor x, Tensor logScale, Tensor bias, Tensor dy, Tensor dlogdet, Tensor dx, Tensor dlogScale,
                                Tensor dbias) {
        String op = "actnormBackward";
        on(op, x, logScale, bias, dy, dlogdet, dx, dlogScale, dbias);
        sameDType(op, x, logScale, bias, dy, dx, dlogScale, dbias);
        checkChannels(op, x, "x", logScale, bias, dlogScale, dbias);
        checkPerSample(op, x, dlogdet, new String[] {"x", "dy", "dx"}, dy, dx);
        impl.actnormBackward(x, logScale, bias, dy, dlogdet, dx, dlogScale, dbias);
    }

    @Override
    public void actnormStats(Tensor x, Tensor mean, Tensor std) {
        on("actnormStats", x, mean, std);
        sameDType("actnormStats", x, mean, std);
        checkChannels("actnormStats", x, "x", mean, std);
        if (x.dim(1) > 0 && x.numel() == 0) throw new IllegalArgumentException("actnormStats: no values per channel in x " + x.shape());
        impl.actnormStats(x, mean, std);
    }

    private static void checkSquare(String op, Tensor w) {
        if (w.rank() != 2 || w.dim(0) != w.dim(1) || w.dim(0) < 1) {
            throw new IllegalArgumentException(op + ": w must be a square (C, C) matrix with C >= 1, found " + w.shape());
        }
    }

    @Override
    public void logAbsDet(Tensor w, Tensor logdet) {
        on("logAbsDet", w, logdet);
        checkSquare("logAbsDet", w);
        isF64("logAbsDet", "logdet", logdet);
        shapeIs("logAbsDet", "logdet", logdet, Shape.scalar());
        impl.logAbsDet(w, logdet);
    }

    @Override
    public void matrixInverse(Tensor w, Tensor out) {
        on("matrixInverse", w, out);
        sameDType("matrixInverse", w, out);
        checkSquare("matrixInverse", w);
        shapeIs("matrixInverse", "out", out, w.shape());
        impl.matrixInverse(w, out);
    }

    @Override
    public void squeeze2d(Tensor x, Tensor out) {
        on("squeeze2d", x, out);
        sameDType("squeeze2d", x, out);
        shapeIs("squeeze2d", "out", out, Shapes.squeeze2d(x.shape()));
        impl.squeeze2d(x, out);
    }

    @Override
    public void unsqueeze2d(Tensor x, Tensor out) {
        on("unsqueeze2d", x, out);
        sameDType("unsqueeze2d", x, out);
        shapeIs("unsqueeze2d", "out", out, Shapes.unsqueeze2d(x.shape()));
        impl.unsqueeze2d(x, out);
    }

    @Override
    public void uniform(long seed, long offset, Tensor out) {
        on("uniform", out);
        impl.uniform(seed, offset, out);
    }

    @Override
    public void normal(long seed, long offset, Tensor out) {
        on("normal", out);
        impl.normal(seed, offset, out);
    }

    @Override
    public void bernoulli(long seed, long offset, Tensor p, Tensor out) {
        on("bernoulli", p, out);
        sameDType("bernoulli", p, out);
        if (p.rank() > out.rank() || !Shapes.broadcast("bernoulli", p.shape(), out.shape()).equals(out.shape())) {
            throw new IllegalArgumentException("bernoulli: p " + p.shape() + " does not broadcast to " + out.shape());
        }
        impl.bernoulli(seed, offset, p, out);
    }

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor buf, double lr, double momentum, double dampening,
                          double weightDecay, boolean nesterov, boolean firstStep) {
        on("sgdUpdate", param, grad, buf);
        sameDType("sgdUpdate", param, grad, buf);
        shapeIs("sgdUpdate", "grad", grad, param.shape());
        if (buf != null) shapeIs("sgdUpdate", "momentum buffer", buf, param.shape());
        if (momentum != 0 && buf == null) throw new IllegalArgumentException("sgdUpdate: momentum " + momentum + " needs a buffer");
        impl.sgdUpdate(param, grad, buf, lr, momentum, dampening, weightDecay, nesterov, firstStep);
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep s) {
        on("adamUpdate", param, grad, m, v);
        sameDType("adamUpdate", param, grad, m, v);
        shapeIs("adamUpdate", "grad", grad, param.shape());
        shapeIs("adamUpdate", "m", m, param.shape());
        shapeIs("adamUpdate", "v", v, param.shape());
        if (s.step() < 1) throw new IllegalArgumentException("adamUpdate: step counts from 1, found " + s.step());
        impl.adamUpdate(param, grad, m, v, s);
    }
}
