package org.dgm4j.gan;

import java.util.Arrays;
import org.dgm4j.tensor.Tensor;

/**
 * What the generator side minimizes (config value {@code model.loss}). Both share the discriminator's
 * fixed point; they differ in the gradient they give a generator that D rejects (see {@link GanLosses}).
 */
public enum GeneratorObjective {
    /** Minimize E log(1 − D(G(z))): the two-player game of Goodfellow et al. as written. */
    MINIMAX("minimax"),
    /** Maximize E log D(G(z)): the heuristic Goodfellow et al. recommend in practice. */
    NON_SATURATING("non-saturating");

    private final String configName;

    GeneratorObjective(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    /** The values {@code model.loss} accepts. */
    public static String[] configNames() {
        return Arrays.stream(values()).map(GeneratorObjective::configName).toArray(String[]::new);
    }

    public static GeneratorObjective fromConfig(String name) {
        for (GeneratorObjective o : values()) if (o.configName.equals(name)) return o;
        throw new IllegalArgumentException("model.loss: expected one of " + String.join(", ", configNames()) + ", found '" + name + "'");
    }

    /** The generator's loss on D's logits of generated examples, fakeLogits (B) or (B, 1); a scalar. */
    public Tensor loss(Tensor fakeLogits) {
        return this == MINIMAX ? GanLosses.minimax(fakeLogits) : GanLosses.nonSaturating(fakeLogits);
    }

    /**
     * The loss of the players who fool a discriminator of pairs (ALI / BiGAN's encoder and generator
     * together), given D's logits of the encoder's pairs (x, E(x)) (labelled real) and of the
     * generator's pairs (G(z), z) (labelled fake): minimax is the negated discriminator loss; the
     * non-saturating form swaps the labels, mean softplus(l_real) + mean softplus(−l_fake).
     */
    public Tensor pairLoss(Tensor realLogits, Tensor fakeLogits) {
        return this == MINIMAX ? GanLosses.discriminator(realLogits, fakeLogits).neg() : GanLosses.discriminator(fakeLogits, realLogits);
    }
}
