package org.dgm4j.nn;

import org.dgm4j.tensor.Tensor;

/** log(1 + e^x) elementwise, without overflow; any shape. */
public final class Softplus extends Layer {
    @Override
    public Tensor forward(Tensor x) {
        return x.softplus();
    }
}
