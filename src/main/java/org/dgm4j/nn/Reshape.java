package org.dgm4j.nn;

import java.util.Arrays;
import org.dgm4j.tensor.Tensor;

/** (N, ...) → (N, dims...): a view keeping the batch axis, e.g. a decoder's (N, 64·7·7) → (N, 64, 7, 7). */
public final class Reshape extends Layer {
    private final long[] dims;

    /** The per-example shape; one entry may be −1 (inferred). */
    public Reshape(long... dims) {
        this.dims = dims.clone();
    }

    @Override
    public Tensor forward(Tensor x) {
        long[] full = new long[dims.length + 1];
        full[0] = x.dim(0);
        System.arraycopy(dims, 0, full, 1, dims.length);
        return x.reshape(full);
    }

    @Override
    protected String describe() {
        return Arrays.toString(dims);
    }
}
