package org.dgm4j.backend.cuda;

import java.util.LinkedHashSet;
import java.util.Set;
import org.dgm4j.backend.AdamStep;
import org.dgm4j.backend.BinaryOp;
import org.dgm4j.backend.Conv2dParams;
import org.dgm4j.backend.Kernels;
import org.dgm4j.backend.ReduceOp;
import org.dgm4j.backend.UnaryOp;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * The op table on the GPU: each op is one call into native/cuda, queued on the backend's stream.
 * Arguments arrive checked by CheckedKernels. Codes passed to C are the Java ordinals (DType, UnaryOp,
 * BinaryOp); CudaAbiTest checks that the C headers agree. {@link #IMPLEMENTED} declares the ported
 * op-table entries; CudaCoverageTest requires it to cover the whole table.
 */
final class CudaKernels implements Kernels {
    /** Op-table entries (OpTable names) with a CUDA implementation; the coverage test reads it. */
    static final Set<String> IMPLEMENTED = implemented();

    private static final int MAX_RANK = 8; // DGM4J_MAX_RANK
    private final CudaBackend backend;

    CudaKernels(CudaBackend backend) {
        this.backend = backend;
    }

    private static Set<String> implemented() {
        Set<String> s = new LinkedHashSet<>();
        for (UnaryOp op : UnaryOp.values()) s.add("unary." + op);
        for (BinaryOp op : BinaryOp.values()) s.add("binary." + op);
        s.addAll(Set.of("unaryBackward", "expand", "fill", "copy", "uniform", "normal", "bernoulli"));
        s.addAll(Set.of("matmul", "linear", "linearBackward", "conv2d", "conv2dBackwardData", "conv2dBackwardWeights"));
        for (ReduceOp op : ReduceOp.values()) s.add("reduce." + op);
        s.addAll(Set.of("permute", "concat", "slice", "sliceAdd", "sgdUpdate", "adamUpdate"));
        s.addAll(Set.of("affineCoupling", "affineCouplingInverse", "affineCouplingBackward", "actnorm", "actnormInverse",
                "actnormBackward", "actnormStats", "logAbsDet", "matrixInverse", "squeeze2d", "unsqueeze2d"));
        return Set.copyOf(s);
    }

    /** Device address of a tensor's first element. */
    private static long addr(Tensor t) {
        return t.storage().pointer().address() + t.byteOffset();
    }

    private static int dtype(Tensor t) {
        return t.dtype().ordinal();
    }

    private static void check(int status, String op) {
        CudaBackend.check(status, op);
    }

    /** Element strides of {@code in} aligned to out's axes, 0 where it broadcasts (NumPy rules). */
    private static long[] aligned(Shape in, Shape out, String op) {
        if (out.rank() > MAX_RANK) throw new UnsupportedOperationException("cuda: " + op + " supports rank <= 8, found " + out);
        long[] s = new long[out.rank()];
        long[] strides = in.strides();
        int shift = out.rank() - in.rank();
        for (int i = 0; i < in.rank(); i++) s[i + shift] = in.dim(i) == 1 ? 0 : strides[i];
        return s;
    }

    // ---- elementwise

    @Override
    public void unary(UnaryOp op, double p, Tensor x, Tensor out) {
        check(CudaNative.dgm4j_unary(op.ordinal(), p, dtype(x), addr(x), addr(out), x.numel(), backend.stream()), "unary " + op);
    }

    @Override
    public void unaryBackward(UnaryOp op, double p, Tensor x, Tensor y, Tensor gy, Tensor gx) {
        check(CudaNative.dgm4j_unary_backward(op.ordinal(), p, dtype(x), addr(x), addr(y), addr(gy), addr(gx), x.numel(),
                backend.stream()), "unaryBackward " + op);
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        String name = "binary " + op;
        check(CudaNative.dgm4j_binary(op.ordinal(), dtype(out), addr(a), aligned(a.shape(), out.shape(), name), addr(b),
                aligned(b.shape(), out.shape(), name), addr(out), out.dims(), out.rank(), backend.stream()), name);
    }

    @Override
    public void expand(Tensor x, Tensor out) {
        check(CudaNative.dgm4j_expand(dtype(out), addr(x), aligned(x.shape(), out.shape(), "expand"), addr(out), out.dims(),
                out.rank(), backend.stream()), "expand");
    }

    @Override
    public void fill(Tensor out, double value) {
        check(CudaNative.dgm4j_fill(dtype(out), addr(out), out.numel(), value, backend.stream()), "fill");
    }

    @Override
    public void copy(Tensor x, Tensor out) {
        check(CudaNative.dgm4j_copy(dtype(x), addr(x), dtype(out), addr(out), x.numel(), backend.stream()), "copy");
    }

    // ---- random numbers

    @Override
    public void uniform(long seed, long offset, Tensor out) {
        check(CudaNative.dgm4j_uniform(seed, offset, dtype(out), addr(out), out.numel(), backend.stream()), "uniform");
    }

    @Override
    public void normal(long seed, long offset, Tensor out) {
        check(CudaNative.dgm4j_normal(seed, offset, dtype(out), addr(out), out.numel(), backend.stream()), "normal");
    }

    @Override
    public void bernoulli(long seed, long offset, Tensor p, Tensor out) {
        check(CudaNative.dgm4j_bernoulli(seed, offset, dtype(out), addr(p), aligned(p.shape(), out.shape(), "bernoulli"),
                addr(out), out.dims(), out.rank(), backend.stream()), "bernoulli");
    }

    // ---- matmul and convolution (native/cuda gemm.cu, conv2d.cu: tiled GEMM, implicit-GEMM convs)

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor out) {
        int r = out.rank();
        long batch = r == 3 ? out.dim(0) : 1, k = transA ? a.dim(r - 2) : a.dim(r - 1);
        check(CudaNative.dgm4j_matmul(dtype(out), addr(a), transA ? 1 : 0, addr(b), transB ? 1 : 0, addr(out), batch,
                out.dim(r - 2), out.dim(r - 1), k, backend.stream()), "matmul");
    }

    /** Composed from gemm, the broadcast add and relu (in place on y): the same roundings as the CPU. */
    @Override
    public void linear(Tensor x, Tensor w, Tensor b, boolean relu, Tensor y) {
        matmul(x, false, w, true, y);
        if (b != null) binary(BinaryOp.ADD, y, b, y);
        if (relu) unary(UnaryOp.RELU, 0, y, y);
    }

    /** Composed: relu's backward with y for x (y > 0 iff the pre-activation is), then a column sum into gb. */
    @Override
    public void linearBackward(Tensor y, Tensor gy, boolean relu, Tensor g, Tensor gb) {
        if (relu) unaryBackward(UnaryOp.RELU, 0, y, y, gy, g);
        if (gb != null) {
            Tensor src = relu ? g : gy;
            check(CudaNative.dgm4j_reduce(ReduceOp.SUM.ordinal(), dtype(src), addr(src), src.dims(), src.rank(), new int[] {0}, 1,
                    addr(gb), backend.stream()), "linearBackward");
        }
    }

    /** {strideH, strideW, padH, padW, dilH, dilW}: the conv argument of linalg.h. */
    private static int[] conv(Conv2dParams p) {
        return new int[] {p.strideH(), p.strideW(), p.padH(), p.padW(), p.dilH(), p.dilW()};
    }

    private static long addrOrNull(Tensor t) {
        return t == null ? 0 : addr(t);
    }

    // Channels-last (NHWC) convolutions are composed here: permute the activations to NCHW, run the NCHW
    // kernel, permute the result back (exact copies, so the parity bound is the NCHW one). Not a kernel of
    // its own yet: the layout exists for the CPU backend, where oneDNN runs NHWC directly; an NHWC
    // implicit-GEMM kernel is the next step when a GPU run shows the permutes matter.

    private static final int[] TO_NCHW = {0, 3, 1, 2}, TO_NHWC = {0, 2, 3, 1};

    /** A device copy of t (N, H, W, C) as (N, C, H, W); the caller closes it. */
    private Tensor nchw(Tensor t) {
        Tensor out = Tensor.empty(backend, t.dtype(), Shape.of(t.dim(0), t.dim(3), t.dim(1), t.dim(2)));
        permute(t, TO_NCHW, out);
        return out;
    }

    /** An uninitialized (N, C, H, W) device tensor for a result whose caller wants (N, H, W, C) like {@code nhwc}. */
    private Tensor nchwLike(Tensor nhwc) {
        return Tensor.empty(backend, nhwc.dtype(), Shape.of(nhwc.dim(0), nhwc.dim(3), nhwc.dim(1), nhwc.dim(2)));
    }

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor bias, Conv2dParams p, boolean relu, Tensor y) {
        if (p.channelsLast()) {
            try (Tensor xc = nchw(x); Tensor yc = nchwLike(y)) {
                conv2d(xc, w, bias, p.channelsLast(false), relu, yc);
                permute(yc, TO_NHWC, y);
            }
            return;
        }
        check(CudaNative.dgm4j_conv2d(dtype(y), addr(x), addr(w), addrOrNull(bias), addr(y), x.dims(), w.dims(), conv(p),
                backend.stream()), "conv2d");
        if (relu) unary(UnaryOp.RELU, 0, y, y); // composed, as linear's epilogue
    }

    @Override
    public void conv2dBackwardData(Tensor gy, Tensor w, Conv2dParams p, Tensor gx) {
        if (p.channelsLast()) {
            try (Tensor gyc = nchw(gy); Tensor gxc = nchwLike(gx)) {
                conv2dBackwardData(gyc, w, p.channelsLast(false), gxc);
                permute(gxc, TO_NHWC, gx);
            }
            return;
        }
        check(CudaNative.dgm4j_conv2d_backward_data(dtype(gx), addr(gy), addr(w), addr(gx), gx.dims(), w.dims(), conv(p),
                backend.stream()), "conv2dBackwardData");
    }

    @Override
    public void conv2dBackwardWeights(Tensor x, Tensor gy, Conv2dParams p, Tensor gw, Tensor gbias) {
        if (p.channelsLast()) {
            try (Tensor xc = nchw(x); Tensor gyc = nchw(gy)) {
                conv2dBackwardWeights(xc, gyc, p.channelsLast(false), gw, gbias);
            }
            return;
        }
        check(CudaNative.dgm4j_conv2d_backward_weights(dtype(gw), addr(x), addr(gy), addr(gw), addrOrNull(gbias), x.dims(),
                gw.dims(), conv(p), backend.stream()), "conv2dBackwardWeights");
    }

    // ---- reductions, data movement, optimizer updates (native/cuda reduce.cu, movement.cu, optim.cu)

    private static void rankAtMost8(Tensor x, String op) {
        if (x.rank() > MAX_RANK) throw new UnsupportedOperationException("cuda: " + op + " supports rank <= 8, found " + x.shape());
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out) {
        rankAtMost8(x, "reduce");
        check(CudaNative.dgm4j_reduce(op.ordinal(), dtype(x), addr(x), x.dims(), x.rank(), axes, axes.length, addr(out),
                backend.stream()), "reduce " + op);
    }

    @Override
    public void permute(Tensor x, int[] perm, Tensor out) {
        rankAtMost8(x, "permute");
        check(CudaNative.dgm4j_permute(dtype(x), addr(x), x.dims(), x.rank(), perm, addr(out), backend.stream()), "permute");
    }

    /** Π dims[0, axis) and Π dims(axis, rank): the (outer, axis, inner) view of movement.h. */
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

    @Override
    public void concat(Tensor[] xs, int axis, Tensor out) {
        long[] ptrs = new long[xs.length], lens = new long[xs.length];
        for (int k = 0; k < xs.length; k++) {
            ptrs[k] = addr(xs[k]);
            lens[k] = xs[k].dim(axis);
        }
        check(CudaNative.dgm4j_concat(dtype(out), xs.length, ptrs, lens, outer(out, axis), inner(out, axis), addr(out),
                backend.stream()), "concat");
    }

    @Override
    public void slice(Tensor x, int axis, long start, long step, Tensor out) {
        check(CudaNative.dgm4j_slice(dtype(x), addr(x), outer(x, axis), x.dim(axis), inner(x, axis), start, step,
                out.dim(axis), addr(out), backend.stream()), "slice");
    }

    @Override
    public void sliceAdd(Tensor src, int axis, long start, long step, Tensor dst) {
        check(CudaNative.dgm4j_slice_add(dtype(dst), addr(src), outer(dst, axis), dst.dim(axis), inner(dst, axis), start,
                step, src.dim(axis), addr(dst), backend.stream()), "sliceAdd");
    }

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor buf, double lr, double momentum, double dampening,
                          double weightDecay, boolean nesterov, boolean firstStep) {
        check(CudaNative.dgm4j_sgd_update(dtype(param), addr(param), addr(grad), buf == null ? 0 : addr(buf), param.numel(),
                lr, momentum, dampening, weightDecay, nesterov ? 1 : 0, firstStep ? 1 : 0, backend.stream()), "sgdUpdate");
    }

    /** The scalars are computed here exactly as CpuKernels does, so Math.pow is the same on both backends. */
    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep s) {
        double stepSize = s.lr() / (1 - Math.pow(s.beta1(), s.step()));
        double corr2 = 1 - Math.pow(s.beta2(), s.step());
        double decay = s.decoupled() ? 1 - s.lr() * s.weightDecay() : 1;
        double l2 = s.decoupled() ? 0 : s.weightDecay();
        check(CudaNative.dgm4j_adam_update(dtype(param), addr(param), addr(grad), addr(m), addr(v), param.numel(), s.beta1(),
                s.beta2(), s.eps(), stepSize, corr2, decay, l2, s.adamax() ? 1 : 0, backend.stream()), "adamUpdate");
    }

    // ---- normalizing flows (native/cuda coupling.cu, actnorm.cu, invconv.cu, squeeze.cu)

    /**
     * Device scratch of the flow kernels (flow.h says how many doubles). Closed right after the
     * launch: the caching allocator hands the block out again only to work queued later on the
     * same stream, so the kernel has finished with it by then.
     */
    private Tensor work(long doubles) {
        return Tensor.empty(backend, DType.F64, Shape.of(Math.max(1, doubles)));
    }

    /** flow.h DGM4J_LU_WORK(c): doubles of work of the LU functions. */
    private static long luWork(long c) {
        return 2 * c * c + c + 1;
    }

    private static long perSample(Tensor t) {
        return t.dim(0) == 0 ? 0 : t.numel() / t.dim(0);
    }

    /** Π of the dims after axis 1 (H·W; 1 for (B, C)). */
    private static long spatial(Tensor t) {
        long s = 1;
        for (int i = 2; i < t.rank(); i++) s *= t.dim(i);
        return s;
    }

    private void coupling(boolean inverse, Tensor in, Tensor raw, Tensor shift, Tensor out, Tensor logdet) {
        String op = inverse ? "affineCouplingInverse" : "affineCoupling";
        try (Tensor w = work(in.dim(0) * CudaNative.DGM4J_FLOW_PARTIALS)) {
            check(CudaNative.dgm4j_affine_coupling(dtype(in), inverse ? 1 : 0, addr(in), addr(raw), addr(shift), addr(out),
                    addr(logdet), in.dim(0), perSample(in), addr(w), backend.stream()), op);
        }
    }

    @Override
    public void affineCoupling(Tensor x, Tensor raw, Tensor shift, Tensor y, Tensor logdet) {
        coupling(false, x, raw, shift, y, logdet);
    }

    @Override
    public void affineCouplingInverse(Tensor y, Tensor raw, Tensor shift, Tensor x, Tensor logdet) {
        coupling(true, y, raw, shift, x, logdet);
    }

    @Override
    public void affineCouplingBackward(Tensor x, Tensor raw, Tensor shift, Tensor dy, Tensor dlogdet, Tensor dx, Tensor draw) {
        check(CudaNative.dgm4j_affine_coupling_backward(dtype(x), addr(x), addr(raw), addr(shift), addr(dy), addr(dlogdet),
                addr(dx), addr(draw), x.dim(0), perSample(x), backend.stream()), "affineCouplingBackward");
    }

    private void actnorm(boolean inverse, Tensor in, Tensor logScale, Tensor bias, Tensor out, Tensor logdet) {
        check(CudaNative.dgm4j_actnorm(dtype(in), inverse ? 1 : 0, addr(in), addr(logScale), addr(bias), addr(out), addr(logdet),
                in.dim(0), in.dim(1), spatial(in), backend.stream()), inverse ? "actnormInverse" : "actnorm");
    }

    @Override
    public void actnorm(Tensor x, Tensor logScale, Tensor bias, Tensor y, Tensor logdet) {
        actnorm(false, x, logScale, bias, y, logdet);
    }

    @Override
    public void actnormInverse(Tensor y, Tensor logScale, Tensor bias, Tensor x, Tensor logdet) {
        actnorm(true, y, logScale, bias, x, logdet);
    }

    @Override
    public void actnormBackward(Tensor x, Tensor logScale, Tensor bias, Tensor dy, Tensor dlogdet, Tensor dx, Tensor dlogScale,
                                Tensor dbias) {
        try (Tensor w = work(2 * x.dim(1) * CudaNative.DGM4J_FLOW_PARTIALS)) {
            check(CudaNative.dgm4j_actnorm_backward(dtype(x), addr(x), addr(logScale), addr(bias), addr(dy), addr(dlogdet),
                    addr(dx), addr(dlogScale), addr(dbias), x.dim(0), x.dim(1), spatial(x), addr(w), backend.stream()),
                    "actnormBackward");
        }
    }

    @Override
    public void actnormStats(Tensor x, Tensor mean, Tensor std) {
        check(CudaNative.dgm4j_actnorm_stats(dtype(x), addr(x), addr(mean), addr(std), x.dim(0), x.dim(1), spatial(x),
                backend.stream()), "actnormStats");
    }

    @Override
    public void logAbsDet(Tensor w, Tensor logdet) {
        try (Tensor work = work(luWork(w.dim(0)))) {
            check(CudaNative.dgm4j_lu_logabsdet(dtype(w), addr(w), w.dim(0), addr(work), addr(logdet), backend.stream()), "logAbsDet");
        }
    }

    @Override
    public void matrixInverse(Tensor w, Tensor out) {
        try (Tensor work = work(luWork(w.dim(0)))) {
            check(CudaNative.dgm4j_lu_inverse(dtype(w), addr(w), w.dim(0), addr(work), addr(out), backend.stream()), "matrixInverse");
        }
    }

    @Override
    public void squeeze2d(Tensor x, Tensor out) {
        check(CudaNative.dgm4j_squeeze2d(dtype(x), addr(x), addr(out), x.dim(0), x.dim(1), x.dim(2), x.dim(3), backend.stream()),
                "squeeze2d");
    }

    /** flow.h takes the dims of the unsqueezed layout: out's. */
    @Override
    public void unsqueeze2d(Tensor x, Tensor out) {
        check(CudaNative.dgm4j_unsqueeze2d(dtype(x), addr(x), addr(out), out.dim(0), out.dim(1), out.dim(2), out.dim(3),
                backend.stream()), "unsqueeze2d");
    }
}
