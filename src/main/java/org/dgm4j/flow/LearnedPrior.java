package org.dgm4j.flow;

import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Backends;
import org.dgm4j.nn.Parameter;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * A learned diagonal Gaussian prior N(μ_c, σ_c²) per channel, written as the bijector that
 * standardizes it (Glow's learn_top, whose zero-initialized convolution of a zero input reduces to
 * one learned mean and log-scale per channel):
 *
 * <pre>
 * x (B, C, ...) → ε = (x − mean)·exp(−logScale),   logdet = −S·Σ_c logScale_c   (S positions per channel)
 * </pre>
 *
 * Followed by the standard normal base, log N(ε; 0, I) + logdet = log N(x; μ, σ²). Starts at μ = 0,
 * σ = 1 (the standard normal prior).
 */
public final class LearnedPrior extends Bijector {
    private final long channels;
    private final Parameter mean, logScale;

    public LearnedPrior(long channels, DType dtype) {
        if (channels <= 0) throw new IllegalArgumentException("LearnedPrior needs channels > 0, found " + channels);
        this.channels = channels;
        mean = parameter("mean", Tensor.zeros(Backends.current(), dtype, Shape.of(channels)));
        logScale = parameter("logScale", Tensor.zeros(Backends.current(), dtype, Shape.of(channels)));
    }

    @Override
    public Result forward(Tensor x) {
        checkChannels(x, channels, 2, 8);
        Tensor y = Ops.mul(Ops.sub(x, channelView(mean.tensor(), x.rank())), Ops.exp(Ops.neg(channelView(logScale.tensor(), x.rank()))));
        return new Result(y, logdet(x, -1));
    }

    @Override
    public Result inverse(Tensor z) {
        checkChannels(z, channels, 2, 8);
        Tensor x = Ops.add(Ops.mul(z, Ops.exp(channelView(logScale.tensor(), z.rank()))), channelView(mean.tensor(), z.rank()));
        return new Result(x, logdet(z, 1));
    }

    private Tensor logdet(Tensor x, double sign) {
        return perExample(Ops.mulScalar(Ops.sum(Ops.cast(logScale.tensor(), DType.F64), false), sign * positionsPerChannel(x)), x.dim(0));
    }

    @Override
    protected String describe() {
        return channels + " channels";
    }
}
