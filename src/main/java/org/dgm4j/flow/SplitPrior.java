package org.dgm4j.flow;

import org.dgm4j.autograd.Ops;
import org.dgm4j.nn.Conv2d;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Tensor;

/**
 * Glow's learned conditional prior of a multi-scale split, written as a bijector. The channels of
 * h (B, C, H, W) split into the kept half z1 (the first ⌈C/2⌉) and the factored-out half z2 (the last
 * ⌊C/2⌋); a zero-initialized 3x3 convolution of z1 gives the mean μ and log-scale logσ of
 * p(z2 | z1) = N(μ, σ²), and z2 is standardized:
 *
 * <pre>
 * (μ, logσ) = conv(z1)            (B, C2, H, W) each, C2 = ⌊C/2⌋
 * forward  [z1 | z2] → [z1 | ε2],  ε2 = (z2 − μ)·exp(−logσ),  logdet = −Σ logσ per example
 * inverse  [z1 | ε2] → [z1 | z2],  z2 = μ + ε2·exp(logσ),      logdet = +Σ logσ
 * </pre>
 *
 * With ε2 scored by a standard normal, log N(ε2; 0, I) + logdet = log N(z2; μ, σ²) exactly, so this
 * bijector followed by the standard normal base is the conditional prior. Sampling ε2 ~ N(0, T²) gives
 * z2 ~ N(μ, (Tσ)²), Glow's temperature. At initialization μ = 0 and σ = 1 (the plain split).
 */
public final class SplitPrior extends Bijector {
    private final long channels, kept;
    private final Conv2d prior;

    public SplitPrior(long channels, DType dtype, Generator gen) {
        if (channels < 2) throw new IllegalArgumentException("SplitPrior needs at least 2 channels, found " + channels);
        this.channels = channels;
        this.kept = keptChannels(channels);
        prior = module("prior", CouplingNet.zeroConv3x3(kept, 2 * (channels - kept), dtype, gen));
    }

    /** The channels a multi-scale split keeps: ⌈C/2⌉ (the rest, ⌊C/2⌋, are factored out). */
    public static long keptChannels(long channels) {
        return channels - channels / 2;
    }

    @Override
    public Result forward(Tensor x) {
        return apply(x, false);
    }

    @Override
    public Result inverse(Tensor z) {
        return apply(z, true);
    }

    private Result apply(Tensor x, boolean inverse) {
        checkChannels(x, channels, 4, 4);
        long out = channels - kept;
        Tensor[] parts = Ops.split(x, 1, kept, out);
        Tensor[] h = Ops.split(prior.forward(parts[0]), 1, out, out);
        Tensor mean = h[0], logScale = h[1];
        Tensor moved = inverse
                ? Ops.add(Ops.mul(parts[1], Ops.exp(logScale)), mean)
                : Ops.mul(Ops.sub(parts[1], mean), Ops.exp(Ops.neg(logScale)));
        Tensor ld = sumPerExample(logScale);
        return new Result(Ops.concat(1, parts[0], moved), inverse ? ld : Ops.neg(ld));
    }

    @Override
    protected String describe() {
        return channels + " channels: keeps " + kept + ", factors out " + (channels - kept);
    }
}
