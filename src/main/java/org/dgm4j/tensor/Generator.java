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
    // data-parallel slicing (see sliced): this process's rows [sliceStart, sliceStart + sliceRows) of globalRows
    private long sliceStart, sliceRows = -1, globalRows = -1;

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

    /**
     * This generator as one data-parallel process sees it: a draw whose first dimension is
     * {@code rows} (this process's examples) gets the values that rows [start, start + rows) of the same
     * draw for all {@code globalRows} examples would get in one process, and advances the offset as
     * that draw would. Other draws are unchanged. So a model that draws its per-example noise in one
     * call trains on the same numbers whatever the number of processes. Ends with {@link #unsliced}.
     */
    public Generator sliced(long start, long rows, long globalRows) {
        if (start < 0 || rows < 1 || start + rows > globalRows) throw new IllegalArgumentException("bad slice: rows " + start + ".." + (start + rows) + " of " + globalRows);
        this.sliceStart = start;
        this.sliceRows = rows;
        this.globalRows = globalRows;
        return this;
    }

    public Generator unsliced() {
        sliceRows = -1;
        globalRows = -1;
        return this;
    }

    private long advance(Shape shape) {
        long n = shape.numel();
        if (sliceRows > 0 && shape.rank() > 0 && shape.dim(0) == sliceRows) {
            long row = n / sliceRows;
            long at = offset + sliceStart * row;
            offset += globalRows * row;
            return at;
        }
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
        backend.kernels().uniform(seed, advance(shape), t);
        return t;
    }

    /** N(0, 1) on the current backend. */
    public Tensor normal(DType dtype, long... dims) {
        return normal(Backends.current(), dtype, Shape.of(dims));
    }

    public Tensor normal(Backend backend, DType dtype, Shape shape) {
        Tensor t = Tensor.empty(backend, dtype, shape);
        backend.kernels().normal(seed, advance(shape), t);
        return t;
    }

    /** 1 with probability p (elementwise; p's shape), else 0; not differentiable. */
    public Tensor bernoulli(Tensor p) {
        Tensor t = Tensor.empty(p.backend(), p.dtype(), p.shape());
        p.backend().kernels().bernoulli(seed, advance(p.shape()), p, t);
        return t;
    }

    @Override
    public String toString() {
        return "Generator(seed=" + seed + ", offset=" + offset + ")";
    }
}
