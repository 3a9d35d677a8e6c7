package org.dgm4j.gan;

import org.dgm4j.tensor.Tensor;

/** A model with an encoder, whose reconstructions can be shown beside its inputs (AAE, ALI / BiGAN). */
public interface Reconstructing {
    /**
     * Reconstructions of x (B, C, H, W), given as its family's {@code BatchInput} serves images, returned
     * as images (B, C, H, W) in [0, 1]; without a graph.
     */
    Tensor reconstruct(Tensor x);
}
