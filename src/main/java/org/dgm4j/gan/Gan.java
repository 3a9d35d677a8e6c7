package org.dgm4j.gan;

import java.util.LinkedHashMap;
import org.dgm4j.nn.Layer;
import org.dgm4j.nn.Module;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * A generative adversarial network (Goodfellow et al. 2014): a generator G mapping noise
 * z ~ N(0, I) (B, latent) to examples, and a discriminator D mapping examples to a logit (B, 1)
 * whose sigmoid is D's probability that the example is real. The players are any layers of those
 * shapes (MLPs or the DCGAN networks of {@link Players}); submodules are named {@code generator}
 * and {@code discriminator}, so state-dict keys read {@code generator.1.weight}.
 *
 * <p>D minimizes {@link GanLosses#discriminator}; G minimizes its {@link GeneratorObjective}. How the
 * updates alternate is {@link GanTrainable}'s business.
 */
public final class Gan extends Module {
    private final Layer generator, discriminator;
    private final long latent;
    private final DType dtype;
    private final GeneratorObjective objective;

    /** Takes ownership of both players. */
    public Gan(Layer generator, Layer discriminator, long latent, DType dtype, GeneratorObjective objective) {
        if (latent <= 0) throw new IllegalArgumentException("latent dimensions must be positive, found " + latent);
        this.generator = module("generator", generator);
        this.discriminator = module("discriminator", discriminator);
        this.latent = latent;
        this.dtype = dtype;
        this.objective = objective;
    }

    public Layer generator() {
        return generator;
    }

    public Layer discriminator() {
        return discriminator;
    }

    public long latent() {
        return latent;
    }

    public GeneratorObjective objective() {
        return objective;
    }

    /** z ~ N(0, I): (n, latent), on the players' backend and dtype. */
    public Tensor noise(long n, Generator g) {
        return g.normal(Players.anyParameter(this).backend(), dtype, Shape.of(n, latent));
    }

    /** G(z): z (B, latent) → examples (B, ...). */
    public Tensor generate(Tensor z) {
        return generator.forward(z);
    }

    /** D's logits: x (B, ...) → (B). */
    public Tensor discriminate(Tensor x) {
        Tensor l = discriminator.forward(x);
        return l.reshape(l.dim(0));
    }

    /**
     * The discriminator's step on real examples x and generated ones (B', ...), each through D in its
     * own pass (as in Radford et al.'s code: batch norm then sees batches of one kind). Terms as in
     * {@link GanLosses#discriminatorTerms}, {@code g_loss} being the generator's objective on the fakes.
     */
    public LinkedHashMap<String, Tensor> discriminatorTerms(Tensor real, Tensor fake) {
        Tensor lr = discriminate(real), lf = discriminate(fake);
        return GanLosses.discriminatorTerms(lr, lf, objective.loss(lf));
    }

    /** The generator's loss on generated examples fake (B, ...): its {@link GeneratorObjective} of D(fake). */
    public Tensor generatorLoss(Tensor fake) {
        return objective.loss(discriminate(fake));
    }
}
