package org.dgm4j.nn;

import org.dgm4j.autograd.Ops;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Tensor;

/**
 * y = x·Wᵀ + b: x (..., in) → y (..., out); weight (out, in) and bias (out), as in PyTorch, both
 * initialized U(−1/√in, 1/√in) (PyTorch's default).
 */
public final class Linear extends Layer {
    private final long in, out;
    private final Parameter weight;
    private final Parameter bias;

    public Linear(long in, long out, Generator gen) {
        this(in, out, true, DType.F32, gen);
    }

    public Linear(long in, long out, boolean withBias, DType dtype, Generator gen) {
        this.in = in;
        this.out = out;
        weight = defaultInitParameter("weight", dtype, in, gen, out, in);
        bias = withBias ? defaultInitParameter("bias", dtype, in, gen, out) : null;
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null for a layer built without one. */
    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() < 1 || x.dim(-1) != in) throw new IllegalArgumentException("Linear(" + in + ", " + out + "): input must be (..., " + in + "), found " + x.shape());
        // matmul is 2-D (or batched 3-D with a batched b), so fold every leading axis into rows
        Tensor rows = x.rank() == 2 ? x : x.reshape(-1, in);
        Tensor y = Ops.matmul(rows, false, weight.tensor(), true);
        if (bias != null) y = y.add(bias.tensor());
        if (x.rank() == 2) return y;
        long[] dims = x.dims();
        dims[dims.length - 1] = out;
        return y.reshape(dims);
    }

    @Override
    protected String describe() {
        return in + " -> " + out + (bias == null ? ", no bias" : "");
    }
}
