package org.dgm4j.nn;

import org.dgm4j.tensor.Tensor;

/** tanh(x) elementwise; any shape. */
public final class Tanh extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        return x.tanh();
    }
}
