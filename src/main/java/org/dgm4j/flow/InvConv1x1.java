package org.dgm4j.flow;

import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Backends;
import org.dgm4j.backend.Conv2dParams;
import org.dgm4j.nn.Init;
import org.dgm4j.nn.Parameter;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * The invertible 1x1 convolution of Glow with a dense weight: every position's channel vector is
 * multiplied by W (C, C), a learned generalization of a channel permutation.
 *
 * <pre>
 * x (B, C, H, W) → y[b, :, i, j] = W·x[b, :, i, j]      (also x (B, C) → y = x·Wᵀ)
 * logdet = H·W·log|det W| per example                   (H·W = 1 for (B, C))
 * inverse: x = W⁻¹·y,  logdet = −H·W·log|det W|
 * </pre>
 *
 * log|det W| and W⁻¹ come from an LU factorization with partial pivoting in float64 on W's backend
 * ({@link #logAbsDet} and {@link #inverseOf}); the gradient of log|det W| is W⁻ᵀ. W starts as a
 * random rotation (orthogonal, so log|det W| = 0 at initialization).
 */
public final class InvConv1x1 extends Bijector {
    private static final Conv2dParams ONE_BY_ONE = Conv2dParams.of(1, 0, 1);
    private final long channels;
    private final Parameter weight;

    public InvConv1x1(long channels, DType dtype, Generator gen) {
        if (channels <= 0) throw new IllegalArgumentException("InvConv1x1 needs channels > 0, found " + channels);
        this.channels = channels;
        weight = parameter("weight", Init.orthogonal(Tensor.empty(Backends.current(), dtype, Shape.of(channels, channels)), 1.0, gen));
    }

    public Parameter weight() {
        return weight;
    }

    @Override
    public Result forward(Tensor x) {
        checkChannels(x, channels, 2, 4);
        Tensor w = weight.tensor();
        return new Result(mix(x, w), perExample(Ops.mulScalar(logAbsDet(w), positionsPerChannel(x)), x.dim(0)));
    }

    @Override
    public Result inverse(Tensor z) {
        checkChannels(z, channels, 2, 4);
        Tensor w = weight.tensor();
        return new Result(mix(z, inverseOf(w)), perExample(Ops.mulScalar(logAbsDet(w), -positionsPerChannel(z)), z.dim(0)));
    }

    /**
     * log|det w| (float64 scalar) for w (C, C), differentiable (gradient w⁻ᵀ): LU with partial pivoting
     * in double on w's backend (Kernels.logAbsDet); −∞ for a singular w, which the trainer's NaN/Inf
     * guard then stops.
     */
    static Tensor logAbsDet(Tensor w) {
        return Ops.logAbsDet(w);
    }

    /** w⁻¹ for w (C, C), differentiable, by the same LU on w's backend (Kernels.matrixInverse); all NaN if singular. */
    static Tensor inverseOf(Tensor w) {
        return Ops.matrixInverse(w);
    }

    /** Applies w (C, C) to the channel vector of every position: x (B, C, H, W) or (B, C). */
    static Tensor mix(Tensor x, Tensor w) {
        if (x.rank() == 2) return Ops.matmul(x, false, w, true);
        return Ops.conv2d(x, Ops.reshape(w, Shape.of(w.dim(0), w.dim(1), 1, 1)), null, ONE_BY_ONE);
    }

    @Override
    protected String describe() {
        return channels + " channels, dense";
    }
}
