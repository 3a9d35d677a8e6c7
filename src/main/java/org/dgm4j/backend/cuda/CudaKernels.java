package org.dgm4j.backend.cuda;

import java.util.LinkedHashSet;
import java.util.Set;
import org.dgm4j.backend.AdamStep;
import org.dgm4j.backend.BinaryOp;
import org.dgm4j.backend.Conv2dParams;
import org.dgm4j.backend.Kernels;
import org.dgm4j.backend.ReduceOp;
import org.dgm4j.backend.UnaryOp;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * The op table on the GPU: each op is one call into native/cuda, queued on the backend's stream.
 * Arguments arrive checked by CheckedKernels. Codes passed to C are the Java ordinals (DType, UnaryOp,
 * BinaryOp); CudaAbiTest checks that the C headers agree. Ops not yet ported throw
 * UnsupportedOperationException, and {@link #IMPLEMENTED} lists those that are.
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

    private static UnsupportedOperationException notYet(String op) {
        return new UnsupportedOperationException("cuda: " + op + " not implemented yet");
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

    // ---- not yet on the GPU (phase 2)

    @Override
    public void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out) {
        throw notYet("reduce");
    }

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor out) {
        throw notYet("matmul");
    }

    @Override
    public void conv2d(Tensor x, Tensor w, Tensor bias, Conv2dParams p, Tensor y) {
        throw notYet("conv2d");
    }

    @Override
    public void conv2dBackwardData(Tensor gy, Tensor w, Conv2dParams p, Tensor gx) {
        throw notYet("conv2dBackwardData");
    }

    @Override
    public void conv2dBackwardWeights(Tensor x, Tensor gy, Conv2dParams p, Tensor gw, Tensor gbias) {
        throw notYet("conv2dBackwardWeights");
    }

    @Override
    public void permute(Tensor x, int[] perm, Tensor out) {
        throw notYet("permute");
    }

    @Override
    public void concat(Tensor[] xs, int axis, Tensor out) {
        throw notYet("concat");
    }

    @Override
    public void slice(Tensor x, int axis, long start, long step, Tensor out) {
        throw notYet("slice");
    }

    @Override
    public void sliceAdd(Tensor src, int axis, long start, long step, Tensor dst) {
        throw notYet("sliceAdd");
    }

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor buf, double lr, double momentum, double dampening,
                          double weightDecay, boolean nesterov, boolean firstStep) {
        throw notYet("sgdUpdate");
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep s) {
        throw notYet("adamUpdate");
    }
}
