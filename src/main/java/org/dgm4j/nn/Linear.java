package org.dgm4j.nn;

import org.dgm4j.autograd.Ops;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Tensor;

/**
 * y = act(x·Wᵀ + b): x (..., in) → y (..., out); weight (out, in) and bias (out), as in PyTorch, both
 * initialized U(−1/√in, 1/√in) (PyTorch's default); act is the identity or ReLU, fused into one op
 * (Ops.linear). The activation holds no state, so it does not change the state dict.
 * {@link Sequential} also fuses a Linear without activation followed by a {@link ReLU} layer.
 */
public final class Linear extends Layer {
    /** The activation applied to x·Wᵀ + b in the same op. */
    public enum Activation { NONE, RELU }

    private final long in, out;
    private final Parameter weight;
    private final Parameter bias;
    private final Activation activation;

    public Linear(long in, long out, Generator gen) {
        this(in, out, true, DType.F32, gen);
    }

    public Linear(long in, long out, boolean withBias, DType dtype, Generator gen) {
        this(in, out, withBias, Activation.NONE, dtype, gen);
    }

    public Linear(long in, long out, boolean withBias, Activation activation, DType dtype, Generator gen) {
        this.in = in;
        this.out = out;
        this.activation = java.util.Objects.requireNonNull(activation, "activation");
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

    public Activation activation() {
        return activation;
    }

    @Override
    public Tensor forward(Tensor x) {
        return forward(x, activation);
    }

    /** act(x·Wᵀ + b) with {@code act} in place of the layer's own activation: x (..., in) → (..., out). */
    public Tensor forward(Tensor x, Activation act) {
        if (x.rank() < 1 || x.dim(-1) != in) throw new IllegalArgumentException("Linear(" + in + ", " + out + "): input must be (..., " + in + "), found " + x.shape());
        // matmul is 2-D (or batched 3-D with a batched b), so fold every leading axis into rows
        Tensor rows = x.rank() == 2 ? x : x.reshape(-1, in);
        Tensor y = Ops.linear(rows, weight.tensor(), bias == null ? null : bias.tensor(), act == Activation.RELU);
        if (x.rank() == 2) return y;
        long[] dims = x.dims();
        dims[dims.length - 1] = out;
        return y.reshape(dims);
    }

    @Override
    protected String describe() {
        return in + " -> " + out + (bias == null ? ", no bias" : "") + (activation == Activation.RELU ? ", relu" : "");
    }
}
