package org.dgm4j.nn;

import org.dgm4j.tensor.Tensor;

/** 1 / (1 + e^(−x)) elementwise; any shape. */
public final class Sigmoid extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }
}
