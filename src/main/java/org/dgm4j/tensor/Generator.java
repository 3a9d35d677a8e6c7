package org.dgm4j.tensor;

import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;

/**
 * A reproducible random stream: Philox keyed by {@code seed}, with a counter {@code offset} that every
 * draw advances by its element count. (seed, offset) is the whole state, so checkpoints store it and
 * every backend produces the same numbers from it.
 */
public final class Generator {
    private final long seed;
    private long offset;

    public Generator(long seed) {
        this(seed, 0);
    }

    public Generator(long seed, long offset) {
        this.seed = seed;
        this.offset = offset;
    }

    public long seed() {
        return seed;
    }

    public long offset() {
        return offset;
    }

    private long advance(long n) {
        long at = offset;
        offset += n;
        return at;
    }

    /** U[0, 1) on the current backend. */
    public Tensor uniform(DType dtype, long... dims) {
        return uniform(Backends.current(), dtype, Shape.of(dims));
    }

    public Tensor uniform(Backend backend, DType dtype, Shape shape) {
        Tensor t = Tensor.empty(backend, dtype, shape);
        backend.kernels().uniform(seed, advance(shape.numel()), t);
        return t;
    }

    /** N(0, 1) on the current backend. */
    public Tensor normal(DType dtype, long... dims) {
        return normal(Backends.current(), dtype, Shape.of(dims));
    }

    public Tensor normal(Backend backend, DType dtype, Shape shape) {
        Tensor t = Tensor.empty(backend, dtype, shape);
        backend.kernels().normal(seed, advance(shape.numel()), t);
        return t;
    }

    /** 1 with probability p (elementwise; p's shape), else 0; not differentiable. */
    public Tensor bernoulli(Tensor p) {
        Tensor t = Tensor.empty(p.backend(), p.dtype(), p.shape());
        p.backend().kernels().bernoulli(seed, advance(p.numel()), p, t);
        return t;
    }

    @Override
    public String toString() {
        return "Generator(seed=" + seed + ", offset=" + offset + ")";
    }
}
