package org.dgm4j.flow;

import org.dgm4j.autograd.Ops;
import org.dgm4j.nn.Layer;
import org.dgm4j.tensor.Tensor;

/**
 * The shared part of the coupling layers: which part of x conditions ({@link Mask}), the conditioner
 * net, and the assembly of the output. Subclasses give the elementwise transform of the other part.
 *
 * <pre>
 * CHANNEL       x → (x_c, x_t) along axis 1;  h = net(x_c);  y = (x_c, transform(x_t; h))   (re-joined in place)
 * CHECKERBOARD  b = conditioning positions; h = net(b⊙x);   y = transform(x; h) at (1 − b), x at b
 * </pre>
 *
 * The Jacobian is triangular, so logdet = Σ over transformed elements of log|∂y/∂x| per example.
 * x: (B, C, H, W) with a conv net or (B, C) with an MLP net; the shape is kept.
 */
public abstract class Coupling extends Bijector {
    protected final long channels;
    protected final Mask mask;
    protected final boolean flip;
    private final Layer net;

    /**
     * @param channels        C, the size of axis 1 of x
     * @param outputsPerValue how many net outputs each transformed value takes (1 shift; 2 shift and scale)
     * @param net             builds the conditioner for (conditioning channels → outputsPerValue·transformed channels)
     */
    protected Coupling(long channels, Mask mask, boolean flip, int outputsPerValue, CouplingNet net) {
        if (mask == Mask.CHANNEL && channels < 2) throw new IllegalArgumentException("a channel-mask coupling needs at least 2 channels, found " + channels);
        if (channels < 1) throw new IllegalArgumentException("coupling needs channels > 0, found " + channels);
        this.channels = channels;
        this.mask = mask;
        this.flip = flip;
        long in = mask == Mask.CHANNEL ? Mask.conditioning(channels, flip) : channels;
        long out = mask == Mask.CHANNEL ? channels - in : channels;
        this.net = module("net", net.create(in, outputsPerValue * out));
    }

    public Layer net() {
        return net;
    }

    /**
     * The elementwise transform of the transformed part x (its inverse when {@code inverse}), given
     * the net's output h; {@code free} is null (every element of x is transformed) or the 0/1 mask of
     * the transformed positions (broadcast over x), which must leave the other positions unchanged.
     * Returns the new values and the logdet (B) of this direction.
     */
    protected abstract Result transform(Tensor x, Tensor h, Tensor free, boolean inverse);

    @Override
    public Result forward(Tensor x) {
        return apply(x, false);
    }

    @Override
    public Result inverse(Tensor z) {
        return apply(z, true);
    }

    private Result apply(Tensor x, boolean inverse) {
        checkChannels(x, channels, 2, 4);
        if (mask == Mask.CHANNEL) {
            long first = channels / 2;
            Tensor[] parts = Ops.split(x, 1, first, channels - first);
            Tensor cond = flip ? parts[1] : parts[0], moved = flip ? parts[0] : parts[1];
            Result r = transform(moved, net.forward(cond), null, inverse);
            Tensor y = flip ? Ops.concat(1, r.value(), cond) : Ops.concat(1, cond, r.value());
            return new Result(y, r.logdet());
        }
        Tensor b = Mask.checkerboard(x, flip);
        Tensor free = Ops.addScalar(Ops.neg(b), 1);
        return transform(x, net.forward(Ops.mul(x, b)), free, inverse);
    }

    @Override
    protected String describe() {
        return channels + " channels, " + mask.name().toLowerCase() + " mask" + (flip ? ", flipped" : "");
    }
}
