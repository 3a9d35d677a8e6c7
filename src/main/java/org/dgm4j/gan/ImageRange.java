package org.dgm4j.gan;

import org.dgm4j.data.Batches;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.BatchInput;

/**
 * The value range of images for players with a tanh output: pixels p in 0..255 are served as
 * x = 2·p/255 − 1 in [−1, 1] (no dequantization noise), and outputs y in (−1, 1) are shown and
 * measured as (y + 1)/2 in [0, 1].
 */
public final class ImageRange {
    private ImageRange() {}

    /** Batches in [−1, 1]: x (B, C, H, W) = 2·pixel/255 − 1. */
    public static BatchInput symmetric() {
        return (set, indices, g) -> Batches.images(set, indices).mul(2).sub(1);
    }

    /** y in [−1, 1] → (y + 1)/2 in [0, 1]; any shape. */
    public static Tensor toUnit(Tensor y) {
        return y.add(1).mul(0.5);
    }
}
