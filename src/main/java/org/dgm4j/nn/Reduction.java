package org.dgm4j.nn;

import org.dgm4j.tensor.Tensor;

/** How a loss turns per-element values into its result. */
public enum Reduction {
    /** The per-element losses, same shape as the input. */
    NONE,
    /** Σ over all elements: a scalar. */
    SUM,
    /** Mean over all elements: a scalar. */
    MEAN;

    Tensor apply(Tensor perElement) {
        return switch (this) {
            case NONE -> perElement;
            case SUM -> perElement.sum();
            case MEAN -> perElement.mean();
        };
    }
}
