package org.dgm4j.train;

import org.dgm4j.data.Batches;
import org.dgm4j.data.ImageSet;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Tensor;

/**
 * Turns the 8-bit images of a batch into the model's input, drawing any noise from a {@link Generator}
 * so that (seed, offset) reproduces the batch exactly (and a checkpoint can store it).
 */
@FunctionalInterface
public interface BatchInput {
    /** The images at {@code indices} as a tensor (B, C, H, W) in the current scope on the current backend. */
    Tensor load(ImageSet set, int[] indices, Generator g);

    /**
     * Dynamic binarization for Bernoulli models: pixel b = 1 with probability x/255, drawn afresh each
     * time the image is served (the binarized-MNIST protocol; same rule as Dequantize.binarize).
     */
    static BatchInput dynamicBinarization() {
        return (set, indices, g) -> g.bernoulli(Batches.images(set, indices));
    }

    /** Pixels scaled to [0, 1] without noise. */
    static BatchInput scaled() {
        return (set, indices, g) -> Batches.images(set, indices);
    }
}
