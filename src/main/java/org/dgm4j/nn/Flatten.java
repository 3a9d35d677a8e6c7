package org.dgm4j.nn;

import org.dgm4j.tensor.Tensor;

/** (N, d1, d2, ...) → (N, d1·d2·...): a view keeping the batch axis. */
public final class Flatten extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() < 1) throw new IllegalArgumentException("Flatten: needs a batch axis, found a scalar");
        return x.reshape(x.dim(0), -1);
    }
}
