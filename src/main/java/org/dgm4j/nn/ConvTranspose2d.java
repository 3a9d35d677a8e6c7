package org.dgm4j.nn;

import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Conv2dParams;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Tensor;

/**
 * Transposed convolution as PyTorch's ConvTranspose2d (no groups): x (N, in, H, W) → y (N, out,
 * (H − 1)·stride − 2·pad + dil·(k − 1) + outputPadding + 1, likewise W). weight (in, out, k, k)
 * (PyTorch's layout, which is Ops.convTranspose2d's (K, C, R, S)), bias (out); both initialized
 * U(−1/√f, 1/√f) with f = out·k², PyTorch's fan in for this layout.
 */
public final class ConvTranspose2d extends Layer {
    private final long in, out, kernel;
    private final int outputPadding;
    private final Conv2dParams geometry;
    private final Parameter weight;
    private final Parameter bias;

    public ConvTranspose2d(long in, long out, int kernel, int stride, int padding, Generator gen) {
        this(in, out, kernel, stride, padding, 0, 1, true, DType.F32, gen);
    }

    public ConvTranspose2d(long in, long out, int kernel, int stride, int padding, int outputPadding, int dilation,
                           boolean withBias, DType dtype, Generator gen) {
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.outputPadding = outputPadding;
        this.geometry = Conv2dParams.of(stride, padding, dilation);
        if (outputPadding < 0 || outputPadding >= Math.max(stride, dilation)) {
            throw new IllegalArgumentException("ConvTranspose2d: output padding " + outputPadding + " must be in [0, max(stride, dilation))");
        }
        long fanIn = out * kernel * kernel;
        weight = defaultInitParameter("weight", dtype, fanIn, gen, in, out, kernel, kernel);
        bias = withBias ? defaultInitParameter("bias", dtype, fanIn, gen, out) : null;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != in) throw new IllegalArgumentException("ConvTranspose2d(" + in + ", " + out + "): input must be (N, " + in + ", H, W), found " + x.shape());
        return Ops.convTranspose2d(x, weight.tensor(), bias == null ? null : bias.tensor(), geometry, outputPadding, outputPadding);
    }

    @Override
    protected String describe() {
        return in + " -> " + out + ", kernel " + kernel + ", stride " + geometry.strideH() + ", padding " + geometry.padH()
                + (outputPadding != 0 ? ", output padding " + outputPadding : "") + (bias == null ? ", no bias" : "");
    }
}
