package org.dgm4j.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.dgm4j.nn.Module;
import org.dgm4j.optim.Optimizer;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Tensor;

/**
 * A model family as the {@link Trainer} drives it: one update per batch, test-set terms, samples,
 * and the state a checkpoint needs (the module's state dict, which includes its buffers such as
 * ActNorm's done-flags and persistent chains, and the optimizers' states). Families with one loss
 * adapt an {@link Objective} through {@link #minimizing}; families with several updates per batch
 * (a GAN's discriminator and generator, wake and sleep phases) implement {@link #trainStep} with one
 * {@link StepContext#minimize} per update.
 */
public interface Trainable extends AutoCloseable {
    /** Everything learned; checkpoints and the final model save its state dict. */
    Module module();

    /** The optimizers by name, in a fixed order; their states go into checkpoints. */
    Map<String, Optimizer> optimizers();

    /**
     * One training update on batch x: images (B, C, H, W) or points (B, D), on the current backend.
     * Runs inside a scope the trainer opens (intermediates are freed when it returns). Returns named
     * values, {@code "loss"} first, with the same names on every call.
     */
    LinkedHashMap<String, Double> trainStep(Tensor x, Generator g, StepContext ctx);

    /** Per-example means of named terms on a test batch; called in eval mode without a graph, inside a scope. */
    LinkedHashMap<String, Double> evaluate(Tensor x, Generator g);

    /** n samples for the pictures: images (n, C, H, W) in [0, 1] or points (n, D); no graph. */
    Tensor sample(int n, Generator g);

    /**
     * Samples at a temperature (the prior's standard deviation scaled by t, as flows use it); families
     * without the notion accept only t = 1.
     */
    default Tensor sample(int n, Generator g, double temperature) {
        if (temperature != 1) throw new IllegalArgumentException(metadata().getOrDefault("model", "this model") + " has no sampling temperature; use 1");
        return sample(n, g);
    }

    /**
     * Decoded straight lines in the latent between a[i] and b[i] (each (P, *example), as {@link Examples}
     * loads them): (P·steps, C, H, W) images in [0, 1], pair by pair, both ends the reconstructions of
     * a[i] and b[i]; no graph. Models without an invertible latent throw UnsupportedOperationException.
     */
    default Tensor interpolate(Tensor a, Tensor b, int steps, Generator g) {
        throw new UnsupportedOperationException(metadata().getOrDefault("model", "this model") + " has no latent interpolation (image flows have: glow, realnvp, nice)");
    }

    /** String metadata stored with saved models: what it takes to rebuild the module. */
    Map<String, String> metadata();

    /**
     * One-time data-dependent initialization from the first training batch (e.g. ActNorm); the module
     * records that it happened in its own buffers, so a resumed run does not repeat it. Default: none.
     */
    default void initialize(Tensor x, Generator g) {}

    /** Frees the optimizers' state and the module. */
    @Override
    default void close() {
        optimizers().values().forEach(Optimizer::close);
        module().close();
    }

    /** A one-loss family: each step minimizes the objective's "loss" term with {@code optimizer}. */
    static Trainable minimizing(Objective objective, Optimizer optimizer) {
        return new Trainable() {
            @Override
            public Module module() {
                return objective.module();
            }

            @Override
            public Map<String, Optimizer> optimizers() {
                return Map.of("optimizer", optimizer);
            }

            @Override
            public LinkedHashMap<String, Double> trainStep(Tensor x, Generator g, StepContext ctx) {
                return ctx.minimize(optimizer, objective.terms(x, g));
            }

            @Override
            public LinkedHashMap<String, Double> evaluate(Tensor x, Generator g) {
                return StepContext.values(objective.terms(x, g));
            }

            @Override
            public Tensor sample(int n, Generator g) {
                return objective.sample(n, g);
            }

            @Override
            public Tensor sample(int n, Generator g, double temperature) {
                return objective.sample(n, g, temperature);
            }

            @Override
            public Tensor interpolate(Tensor a, Tensor b, int steps, Generator g) {
                return objective.interpolate(a, b, steps, g);
            }

            @Override
            public void initialize(Tensor x, Generator g) {
                objective.initialize(x, g);
            }

            @Override
            public Map<String, String> metadata() {
                return objective.metadata();
            }
        };
    }
}
