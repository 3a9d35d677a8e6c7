package org.dgm4j.gan;

import java.util.LinkedHashMap;
import java.util.Map;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.nn.Module;
import org.dgm4j.optim.Optimizer;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.StepContext;
import org.dgm4j.train.Trainable;

/**
 * A {@link Gan} as the trainer drives it: two Adam optimizers, {@code discriminator} and
 * {@code generator} (both in checkpoints), and the alternation of {@link Alternation}.
 *
 * <p>One step on a real batch x (B, ...): draw z (B, latent); D's update on x against G(z) (detached);
 * then, on the generator's turn, G's update on D(G(z)) with the same z, through D as just updated
 * (PyTorch's DCGAN example does the same). Returned values, all from D's update:
 * {@code loss} (D's cross-entropy), {@code g_loss}, {@code d_real}, {@code d_fake}, see
 * {@link Gan#discriminatorTerms}.
 */
public final class GanTrainable implements Trainable {
    private final Gan gan;
    private final Optimizer discriminatorOpt, generatorOpt;
    private final int dSteps;
    private final boolean images;
    private final Map<String, String> metadata;

    /**
     * {@code images}: examples are images in [−1, 1] ({@link ImageRange}); samples are then returned in
     * [0, 1]. Otherwise examples are points returned as generated.
     */
    public GanTrainable(Gan gan, double lr, double beta1, int dSteps, boolean images, Map<String, String> metadata) {
        this.gan = gan;
        this.dSteps = Alternation.checkDSteps(dSteps);
        this.images = images;
        this.metadata = Map.copyOf(metadata);
        this.discriminatorOpt = Alternation.adam(gan.discriminator().parameters(), lr, beta1);
        this.generatorOpt = Alternation.adam(gan.generator().parameters(), lr, beta1);
    }

    public Gan gan() {
        return gan;
    }

    @Override
    public Module module() {
        return gan;
    }

    @Override
    public Map<String, Optimizer> optimizers() {
        LinkedHashMap<String, Optimizer> m = new LinkedHashMap<>();
        m.put("discriminator", discriminatorOpt);
        m.put("generator", generatorOpt);
        return m;
    }

    @Override
    public LinkedHashMap<String, Double> trainStep(Tensor x, Generator g, StepContext ctx) {
        boolean generatorTurn = Alternation.generatorTurn(discriminatorOpt, dSteps);
        Tensor z = gan.noise(x.dim(0), g);
        Tensor fake;
        if (generatorTurn) {
            fake = gan.generate(z); // its graph is kept for G's update below
        } else {
            try (var ng = Autograd.noGrad()) {
                fake = gan.generate(z);
            }
        }
        LinkedHashMap<String, Double> values = ctx.minimize(discriminatorOpt, gan.discriminatorTerms(x, fake.detach()));
        if (generatorTurn) Alternation.minimizeThrough(ctx, generatorOpt, gan.discriminator(), () -> gan.generatorLoss(fake));
        return values;
    }

    @Override
    public LinkedHashMap<String, Double> evaluate(Tensor x, Generator g) {
        return StepContext.values(gan.discriminatorTerms(x, gan.generate(gan.noise(x.dim(0), g))));
    }

    @Override
    public Tensor sample(int n, Generator g) {
        try (var ng = Autograd.noGrad()) {
            Tensor y = gan.generate(gan.noise(n, g));
            return images ? ImageRange.toUnit(y) : y;
        }
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }
}
