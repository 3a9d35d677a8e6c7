package org.dgm4j.backend.cpu;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.dgm4j.backend.AdamStep;
import org.dgm4j.backend.BinaryOp;
import org.dgm4j.backend.Conv2dParams;
import org.dgm4j.backend.Kernels;
import org.dgm4j.backend.Philox;
import org.dgm4j.backend.ReduceOp;
import org.dgm4j.backend.UnaryOp;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Tensor;

/** The CPU implementation of the op table; arguments arrive checked by CheckedKernels. */
final class CpuKernels implements Kernels {
    private static final int GRAIN = 1 << 14;
    /** Adam's float32 pass costs about 1 ns per element: split from 2^16 elements per chunk. */
    private static final int ADAM_GRAIN = 1 << 16;

    @Override
    public void unary(UnaryOp op, double p, Tensor x, Tensor out) {
        CpuElementwise.unary(op, p, x, out);
    }

    @Override
    public void unaryBackward(UnaryOp op, double p, Tensor x, Tensor y, Tensor gy, Tensor gx) {
        CpuElementwise.unaryBackward(op, p, x, y, gy, gx);
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        CpuElementwise.binary(op, a, b, out);
    }

    @Override
    public void expand(Tensor x, Tensor out) {
        CpuElementwise.expand(x, out);
    }

    @Override
    public void fill(Tensor out, double value) {
        CpuElementwise.fill(out, value);
    }

    @Override
    public void copy(Tensor x, Tensor out) {
        CpuElementwise.copy(x, out);
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out) {
        CpuReduce.reduce(op, x, axes, out);
    }

    /** The address of t's first element, for oneDNN. */
    private static Pointer ptr(Tensor t) {
        return t == null ? null : new BytePointer(t.storage().pointer()).getPointer(t.byteOffset());
    }

    // float32 runs on oneDNN; float64 (which oneDNN lacks on the CPU) on Java loops

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor out) {
        if (a.dtype() != DType.F32) {
            JavaLinalg.matmul(a, transA, b, transB, out);
            return;
        }
        int r = out.rank();
        long batch = r == 3 ? out.dim(0) : 1, k = transA ? a.dim(r - 2) : a.dim(r - 1);
        if (batch == 1 && SmallMatmul.applies(transA, transB, out.dim(r - 2), out.dim(r - 1), k)) {
            SmallMatmul.matmul(a.floatBuffer(), transA, b.floatBuffer(), transB, out.floatBuffer(), (int) out.dim(r - 2),
                    (int) out.dim(r - 1), (int) k);
            return;
        }
        OneDnn.matmul(ptr(a), transA, ptr(b), transB, ptr(out), batch, out.dim(r - 2), out.dim(r - 1), k);
    }

    @Override
    public void linear(Tensor x, Tensor w, Tensor b, boolean relu, Tensor y) {
        if (x.dtype() == DType.F32 && x.dim(1) > 0) {
            OneDnn.linear(ptr(x), ptr(w), ptr(b), relu, ptr(y), y.dim(0), y.dim(1), x.dim(1));
            return;
        }
        // the reference: the three ops it fuses (float64, and float32 with K = 0, which oneDNN rejects)
        matmul(x, false, w, true, y);
        if (b != null) CpuElementwise.binary(BinaryOp.ADD, y, b, y);
        if (relu) CpuElementwise.unary(UnaryOp.RELU, 0, y, y);
    }

    @Override
    public void linearBackward(Tensor y, Tensor gy, boolean relu, Tensor g, Tensor gb) {
        CpuLinear.backward(y, gy, relu, g, gb);
    }

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor bias, Conv2dParams p, boolean relu, Tensor y) {
        if (x.dtype() != DType.F32) {
            JavaLinalg.conv2d(x, w, bias, p, y);
            if (relu) CpuElementwise.unary(UnaryOp.RELU, 0, y, y);
            return;
        }
        int ca = p.channelAxis(), ha = p.heightAxis();
        boolean fused = OneDnn.conv2dForward(ptr(x), ptr(w), ptr(bias), ptr(y), x.dim(0), x.dim(ca), x.dim(ha), x.dim(ha + 1), w.dim(0),
                w.dim(2), w.dim(3), p.strideH(), p.strideW(), p.padH(), p.padW(), p.dilH(), p.dilW(), p.channelsLast(), relu);
        if (relu && !fused) CpuElementwise.unary(UnaryOp.RELU, 0, y, y);
    }

    @Override
    public void conv2dBackwardData(Tensor gy, Tensor w, Conv2dParams p, Tensor gx) {
        if (gy.dtype() != DType.F32) {
            JavaLinalg.conv2dBackwardData(gy, w, p, gx);
            return;
        }
        int ca = p.channelAxis(), ha = p.heightAxis();
        OneDnn.conv2dBackwardData(ptr(gy), ptr(w), ptr(gx), gx.dim(0), gx.dim(ca), gx.dim(ha), gx.dim(ha + 1), w.dim(0), w.dim(2), w.dim(3),
                p.strideH(), p.strideW(), p.padH(), p.padW(), p.dilH(), p.dilW(), p.channelsLast());
    }

    @Override
    public void conv2dBackwardWeights(Tensor x, Tensor gy, Conv2dParams p, Tensor gw, Tensor gbias) {
        if (x.dtype() != DType.F32) {
            JavaLinalg.conv2dBackwardWeights(x, gy, p, gw, gbias);
            return;
        }
        int ca = p.channelAxis(), ha = p.heightAxis();
        OneDnn.conv2dBackwardWeights(ptr(x), ptr(gy), ptr(gw), ptr(gbias), x.dim(0), x.dim(ca), x.dim(ha), x.dim(ha + 1), gw.dim(0), gw.dim(2),
                gw.dim(3), p.strideH(), p.strideW(), p.padH(), p.padW(), p.dilH(), p.dilW(), p.channelsLast());
    }

    @Override
    public void permute(Tensor x, int[] perm, Tensor out) {
        CpuMovement.permute(x, perm, out);
    }

    @Override
    public void concat(Tensor[] xs, int axis, Tensor out) {
        CpuMovement.concat(xs, axis, out);
    }

    @Override
    public void slice(Tensor x, int axis, long start, long step, Tensor out) {
        CpuMovement.slice(x, axis, start, step, out);
    }

    @Override
    public void sliceAdd(Tensor src, int axis, long start, long step, Tensor dst) {
        CpuMovement.sliceAdd(src, axis, start, step, dst);
    }

    // ---- normalizing flows (CpuFlow)

    @Override
    public void affineCoupling(Tensor x, Tensor raw, Tensor shift, Tensor y, Tensor logdet) {
        CpuFlow.affineCoupling(false, x, raw, shift, y, logdet);
    }

    @Override
    public void affineCouplingInverse(Tensor y, Tensor raw, Tensor shift, Tensor x, Tensor logdet) {
        CpuFlow.affineCoupling(true, y, raw, shift, x, logdet);
    }

    @Override
    public void affineCouplingBackward(Tensor x, Tensor raw, Tensor shift, Tensor dy, Tensor dlogdet, Tensor dx, Tensor draw) {
        CpuFlow.affineCouplingBackward(x, raw, shift, dy, dlogdet, dx, draw);
    }

    @Override
    public void actnorm(Tensor x, Tensor logScale, Tensor bias, Tensor y, Tensor logdet) {
        CpuFlow.actnorm(false, x, logScale, bias, y, logdet);
    }

    @Override
    public void actnormInverse(Tensor y, Tensor logScale, Tensor bias, Tensor x, Tensor logdet) {
        CpuFlow.actnorm(true, y, logScale, bias, x, logdet);
    }

    @Override
    public void actnormBackward(Tensor x, Tensor logScale, Tensor bias, Tensor dy, Tensor dlogdet, Tensor dx, Tensor dlogScale,
                                Tensor dbias) {
        CpuFlow.actnormBackward(x, logScale, bias, dy, dlogdet, dx, dlogScale, dbias);
    }

    @Override
    public void actnormStats(Tensor x, Tensor mean, Tensor std) {
        CpuFlow.actnormStats(x, mean, std);
    }

    @Override
    public void logAbsDet(Tensor w, Tensor logdet) {
        CpuFlow.logAbsDet(w, logdet);
    }

    @Override
    public void matrixInverse(Tensor w, Tensor out) {
        CpuFlow.matrixInverse(w, out);
    }

    @Override
    public void squeeze2d(Tensor x, Tensor out) {
        CpuFlow.squeeze(true, x, out);
    }

    @Override
    public void unsqueeze2d(Tensor x, Tensor out) {
        CpuFlow.squeeze(false, out, x);
    }

    @Override
    public void uniform(long seed, long offset, Tensor out) {
        Buf ob = Buf.of(out);
        boolean f32 = out.dtype() == DType.F32;
        Parallel.range(out.numel(), GRAIN, (lo, hi) -> {
            int[] w = new int[4];
            for (int i = lo; i < hi; i++) {
                Philox.block(seed, offset + i, w);
                ob.set(i, f32 ? Philox.uniform24(w[0]) : Philox.uniform53(w[0], w[1]));
            }
        });
    }

    @Override
    public void normal(long seed, long offset, Tensor out) {
        Buf ob = Buf.of(out);
        Parallel.range(out.numel(), GRAIN, (lo, hi) -> {
            int[] w = new int[4];
            for (int i = lo; i < hi; i++) {
                Philox.block(seed, offset + i, w);
                ob.set(i, Philox.normal(w));
            }
        });
    }

    @Override
    public void bernoulli(long seed, long offset, Tensor p, Tensor out) {
        try (Tensor probs = Tensor.empty(out.backend(), out.dtype(), out.shape())) {
            CpuElementwise.expand(p, probs);
            Buf pb = Buf.of(probs), ob = Buf.of(out);
            boolean f32 = out.dtype() == DType.F32;
            Parallel.range(out.numel(), GRAIN, (lo, hi) -> {
                int[] w = new int[4];
                for (int i = lo; i < hi; i++) {
                    Philox.block(seed, offset + i, w);
                    double u = f32 ? Philox.uniform24(w[0]) : Philox.uniform53(w[0], w[1]);
                    ob.set(i, u < pb.get(i) ? 1 : 0);
                }
            });
        }
    }

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor buf, double lr, double momentum, double dampening,
                          double weightDecay, boolean nesterov, boolean firstStep) {
        Buf pb = Buf.of(param), gb = Buf.of(grad), bb = buf == null ? null : Buf.of(buf);
        Parallel.range(param.numel(), GRAIN, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                double th = pb.get(i), g = gb.get(i) + weightDecay * th, step = g;
                if (bb != null) {
                    double b = firstStep ? g : momentum * bb.get(i) + (1 - dampening) * g;
                    bb.set(i, b);
                    step = nesterov ? g + momentum * b : b;
                }
                pb.set(i, th - lr * step);
            }
        });
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep s) {
        double b1 = s.beta1(), b2 = s.beta2(), eps = s.eps();
        double stepSize = s.lr() / (1 - Math.pow(b1, s.step()));
        double corr2 = 1 - Math.pow(b2, s.step());
        double decay = s.decoupled() ? 1 - s.lr() * s.weightDecay() : 1;
        double l2 = s.decoupled() ? 0 : s.weightDecay();
        if (param.dtype() == DType.F32) {
            adamF32(param, grad, m, v, s.adamax(), (float) b1, (float) (1 - b1), (float) b2, (float) (1 - b2), (float) eps,
                    (float) stepSize, (float) corr2, (float) decay, (float) l2);
            return;
        }
        Buf pb = Buf.of(param), gb = Buf.of(grad), mb = Buf.of(m), vb = Buf.of(v);
        Parallel.range(param.numel(), GRAIN, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                double th = pb.get(i) * decay, g = gb.get(i) + l2 * pb.get(i);
                double mi = b1 * mb.get(i) + (1 - b1) * g;
                double vi, denom;
                if (s.adamax()) {
                    vi = Math.max(b2 * vb.get(i), Math.abs(g) + eps);
                    denom = vi;
                } else {
                    vi = b2 * vb.get(i) + (1 - b2) * g * g;
                    denom = Math.sqrt(vi / corr2) + eps;
                }
                mb.set(i, mi);
                vb.set(i, vi);
                pb.set(i, th - stepSize * mi / denom);
            }
        });
    }

    /**
     * Adam on float32 in float arithmetic, as PyTorch does for float32 (the float64 loop above is the
     * same expression in double): the hyperparameters are rounded to float once, then each element
     * takes the float64 loop's operations in the same order, every one rounded to float (Java never
     * fuses a·b + c). Fixed order, so runs repeat bit for bit; optim.cu's float kernel does the same
     * operations through _rn intrinsics and matches bit for bit. One pass over tiles of param, grad,
     * m and v (F32Loops), which C2 vectorizes.
     */
    private static void adamF32(Tensor param, Tensor grad, Tensor m, Tensor v, boolean adamax, float b1, float c1, float b2,
                                float c2, float eps, float stepSize, float corr2, float decay, float l2) {
        FloatBuffer pb = param.floatBuffer(), gb = grad.floatBuffer(), mb = m.floatBuffer(), vb = v.floatBuffer();
        Parallel.range(param.numel(), ADAM_GRAIN, (lo, hi) -> {
            float[][] t = F32Loops.tiles();
            float[] tp = t[0], tg = t[1], tm = t[2], tv = t[3];
            for (int at = lo; at < hi; at += F32Loops.TILE) {
                int n = Math.min(F32Loops.TILE, hi - at);
                pb.get(at, tp, 0, n);
                gb.get(at, tg, 0, n);
                mb.get(at, tm, 0, n);
                vb.get(at, tv, 0, n);
                if (adamax) {
                    for (int i = 0; i < n; i++) {
                        float p = tp[i], g = tg[i] + l2 * p;
                        float mi = b1 * tm[i] + c1 * g;
                        float vi = Math.max(b2 * tv[i], Math.abs(g) + eps);
                        tm[i] = mi;
                        tv[i] = vi;
                        tp[i] = p * decay - stepSize * mi / vi;
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        float p = tp[i], g = tg[i] + l2 * p;
                        float mi = b1 * tm[i] + c1 * g;
                        float vi = b2 * tv[i] + c2 * g * g;
                        float denom = (float) Math.sqrt(vi / corr2) + eps;
                        tm[i] = mi;
                        tv[i] = vi;
                        tp[i] = p * decay - stepSize * mi / denom;
                    }
                }
                pb.put(at, tp, 0, n);
                mb.put(at, tm, 0, n);
                vb.put(at, tv, 0, n);
            }
        });
    }
}
