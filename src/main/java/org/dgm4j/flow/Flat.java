package org.dgm4j.flow;

import org.dgm4j.autograd.Ops;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/** Flattening as a bijector: x (B, *event) ↔ (B, D), D = numel(event); a view, logdet = 0. */
public final class Flat extends Bijector {
    private final Shape event;

    /** event: the per-example input shape, e.g. (1, 28, 28). */
    public Flat(Shape event) {
        this.event = event;
    }

    @Override
    public Result forward(Tensor x) {
        if (!Shape.of(java.util.Arrays.copyOfRange(x.dims(), 1, x.rank())).equals(event)) {
            throw new IllegalArgumentException("Flat: input must be (B, " + event + "), found " + x.shape());
        }
        return new Result(Ops.reshape(x, Shape.of(x.dim(0), event.numel())), zeroLogdet(x));
    }

    @Override
    public Result inverse(Tensor z) {
        if (z.rank() != 2 || z.dim(1) != event.numel()) throw new IllegalArgumentException("Flat: input must be (B, " + event.numel() + "), found " + z.shape());
        long[] dims = new long[event.rank() + 1];
        dims[0] = z.dim(0);
        System.arraycopy(event.dims(), 0, dims, 1, event.rank());
        return new Result(Ops.reshape(z, Shape.of(dims)), zeroLogdet(z));
    }

    @Override
    public Shape outputShape(Shape in) {
        if (!in.equals(event)) throw new IllegalArgumentException("Flat: built for " + event + ", given " + in);
        return Shape.of(event.numel());
    }

    @Override
    protected String describe() {
        return event + " <-> (" + event.numel() + ")";
    }
}
