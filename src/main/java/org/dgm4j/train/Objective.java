package org.dgm4j.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.dgm4j.nn.Module;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Tensor;

/**
 * What the {@link Trainer} needs from a model family: the module whose parameters it optimizes, the
 * objective's named scalar terms on a batch, and samples for the picture at the end of each epoch.
 * Each family adapts itself in a few lines (e.g. the VAE's {@code elbo(x, g).terms()}), so the loop
 * never knows which model it trains.
 */
public interface Objective {
    Module module();

    /**
     * Named one-element tensors for batch x (B, C, H, W) in the current scope; the term named
     * {@code "loss"} is minimized, the others are logged. Same names, same order, on every call.
     * {@code g} supplies the objective's own randomness (e.g. reparameterization noise).
     */
    LinkedHashMap<String, Tensor> terms(Tensor x, Generator g);

    /** n samples (n, C, H, W) with values in [0, 1], without a graph. */
    Tensor sample(int n, Generator g);

    /** Samples at a temperature (see {@link Trainable#sample(int, Generator, double)}); default: only t = 1. */
    default Tensor sample(int n, Generator g, double temperature) {
        if (temperature != 1) throw new IllegalArgumentException(metadata().getOrDefault("model", "this model") + " has no sampling temperature; use 1");
        return sample(n, g);
    }

    /** Latent interpolations (see {@link Trainable#interpolate}); default: the model has no invertible latent. */
    default Tensor interpolate(Tensor a, Tensor b, int steps, Generator g) {
        throw new UnsupportedOperationException(metadata().getOrDefault("model", "this model") + " has no latent interpolation (image flows have: glow, realnvp, nice)");
    }

    /** One-time data-dependent initialization from the first training batch (see {@link Trainable#initialize}). Default: none. */
    default void initialize(Tensor x, Generator g) {}

    /** String metadata stored in model.safetensors: what it takes to rebuild the module (model name, sizes). */
    Map<String, String> metadata();
}
