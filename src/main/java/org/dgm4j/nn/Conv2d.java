package org.dgm4j.nn;

import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Conv2dParams;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * 2-D cross-correlation as PyTorch's Conv2d (no groups): x (N, in, H, W) → y (N, out, P, Q) with
 * P = (H + 2·pad − dil·(k − 1) − 1) / stride + 1. weight (out, in, k, k), bias (out), both
 * U(−1/√fanIn, 1/√fanIn) with fanIn = in·k² (PyTorch's default).
 *
 * <p>Layout option: channels-last takes x (N, H, W, in) → y (N, P, Q, out) (NHWC, what oneDNN's CPU
 * kernels prefer); the parameters and their state-dict entries are the same in both layouts.
 */
public final class Conv2d extends Layer {
    private final long in, out, kernel;
    private final Conv2dParams geometry;
    private final Parameter weight;
    private final Parameter bias;

    /** Stride 1, no padding, with bias, float32. */
    public Conv2d(long in, long out, int kernel, Generator gen) {
        this(in, out, kernel, 1, 0, 1, true, DType.F32, gen);
    }

    public Conv2d(long in, long out, int kernel, int stride, int padding, Generator gen) {
        this(in, out, kernel, stride, padding, 1, true, DType.F32, gen);
    }

    /** NCHW (the default layout). */
    public Conv2d(long in, long out, int kernel, int stride, int padding, int dilation, boolean withBias, DType dtype, Generator gen) {
        this(in, out, kernel, stride, padding, dilation, withBias, false, dtype, gen);
    }

    /** channelsLast: x (N, H, W, in) → y (N, P, Q, out); else NCHW. */
    public Conv2d(long in, long out, int kernel, int stride, int padding, int dilation, boolean withBias, boolean channelsLast, DType dtype,
                  Generator gen) {
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.geometry = Conv2dParams.of(stride, padding, dilation).channelsLast(channelsLast);
        long fanIn = in * kernel * kernel;
        weight = defaultInitParameter("weight", dtype, fanIn, gen, out, in, kernel, kernel);
        bias = withBias ? defaultInitParameter("bias", dtype, fanIn, gen, out) : null;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public Conv2dParams geometry() {
        return geometry;
    }

    @Override
    public Tensor forward(Tensor x) {
        checkInput(x);
        return Ops.conv2d(x, weight.tensor(), bias == null ? null : bias.tensor(), geometry);
    }

    private void checkInput(Tensor x) {
        if (x.rank() != 4 || x.dim(geometry.channelAxis()) != in) {
            String want = geometry.channelsLast() ? "(N, H, W, " + in + ")" : "(N, " + in + ", H, W)";
            throw new IllegalArgumentException("Conv2d(" + in + ", " + out + "): input must be " + want + ", found " + x.shape());
        }
    }

    /** A channels-last 1x1 convolution (stride 1, no padding) is a linear layer over pixels. */
    private boolean pointwise() {
        return geometry.channelsLast() && kernel == 1 && geometry.strideH() == 1 && geometry.strideW() == 1
                && geometry.padH() == 0 && geometry.padW() == 0;
    }

    /**
     * relu(forward(x)) as one fused op: the convolution with a ReLU epilogue (Ops.conv2d), or, when
     * channels-last 1x1, the fused linear op on x (N, H, W, C) seen as (N·H·W, C) with the weight
     * (K, C, 1, 1) seen as (K, C), whose backward takes the ReLU mask and the bias gradient in one pass.
     */
    public Tensor forwardRelu(Tensor x) {
        checkInput(x);
        if (!pointwise()) return Ops.conv2d(x, weight.tensor(), bias == null ? null : bias.tensor(), geometry, true);
        Tensor rows = Ops.reshape(x, Shape.of(x.dim(0) * x.dim(1) * x.dim(2), in));
        Tensor y = Ops.linear(rows, Ops.reshape(weight.tensor(), Shape.of(out, in)), bias == null ? null : bias.tensor(), true);
        return Ops.reshape(y, Shape.of(x.dim(0), x.dim(1), x.dim(2), out));
    }

    @Override
    protected String describe() {
        return in + " -> " + out + ", kernel " + kernel + ", stride " + geometry.strideH() + ", padding " + geometry.padH()
                + (geometry.dilH() != 1 ? ", dilation " + geometry.dilH() : "") + (bias == null ? ", no bias" : "")
                + (geometry.channelsLast() ? ", channels-last" : "");
    }
}
