package org.dgm4j.nn;

import java.util.function.UnaryOperator;
import org.dgm4j.tensor.Tensor;

/** A module with one input and one output tensor: the layers {@link Sequential} chains. */
public abstract class Layer extends Module implements UnaryOperator<Tensor> {
    /** The output for input {@code x}; shapes are given by each layer. */
    public abstract Tensor forward(Tensor x);

    @Override
    public final Tensor apply(Tensor x) {
        return forward(x);
    }
}
