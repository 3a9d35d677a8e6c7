package org.dgm4j.nn;

import org.dgm4j.tensor.Tensor;

/** max(x, 0) elementwise; any shape. */
public final class ReLU extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
    }
}
