package org.dgm4j.gan;

import java.util.LinkedHashMap;
import java.util.function.Supplier;
import org.dgm4j.nn.Module;
import org.dgm4j.optim.Adam;
import org.dgm4j.optim.Optimizer;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.StepContext;

/**
 * How the adversarial families alternate their players' updates. With {@code model.d_steps} = k every
 * training step (one batch of real examples) updates the discriminator, and the generator side is
 * updated after every k-th discriminator update: Goodfellow et al.'s Algorithm 1 with k discriminator
 * steps per generator step, each on a fresh real batch. An epoch is thus one pass of D over the data,
 * with ⌈N/B⌉/k generator updates. The count is the discriminator optimizer's own step count, which
 * checkpoints store, so a resumed run keeps the rhythm.
 */
final class Alternation {
    private Alternation() {}

    /** Whether the step about to update D with {@code discriminator} is also the generator's turn. */
    static boolean generatorTurn(Optimizer discriminator, int dSteps) {
        return (discriminator.steps() + 1) % dSteps == 0;
    }

    /**
     * One update of {@code optimizer} on the loss {@code loss} computes while {@code frozen}'s parameters
     * do not require grad: gradients flow through the frozen player to the updated one, and none is
     * computed or stored for the frozen player's own parameters.
     */
    static LinkedHashMap<String, Double> minimizeThrough(StepContext ctx, Optimizer optimizer, Module frozen, Supplier<Tensor> loss) {
        frozen.requiresGrad(false);
        try {
            LinkedHashMap<String, Tensor> terms = new LinkedHashMap<>();
            terms.put("loss", loss.get());
            return ctx.minimize(optimizer, terms);
        } finally {
            frozen.requiresGrad(true);
        }
    }

    /** Adam over {@code params} with Radford et al.'s β1 choice exposed (β2 stays 0.999). */
    static Adam adam(java.util.Collection<Tensor> params, double lr, double beta1) {
        return new Adam(params, lr).betas(beta1, 0.999);
    }

    /** model.d_steps must be at least 1. */
    static int checkDSteps(int dSteps) {
        if (dSteps < 1) throw new IllegalArgumentException("model.d_steps must be >= 1, found " + dSteps);
        return dSteps;
    }
}
