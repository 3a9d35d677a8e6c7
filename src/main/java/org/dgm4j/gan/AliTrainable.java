package org.dgm4j.gan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.nn.Module;
import org.dgm4j.optim.Optimizer;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.StepContext;
import org.dgm4j.train.Trainable;

/**
 * {@link Ali} as the trainer drives it: Adam optimizers {@code discriminator} and {@code generator}
 * (the encoder and the generator together, the side that fools D), both in checkpoints.
 *
 * <p>One step on a batch x: draw z ~ N(0, I) and the encoder's ε; ẑ = E(x, ε), x̃ = G(z); D's update
 * on (x, ẑ) against (x̃, z) (detached); on the generator's turn ({@link Alternation}), E's and G's
 * update on the same pairs through D as just updated. Values: D's {@code loss}, {@code g_loss},
 * {@code d_real}, {@code d_fake}, and {@code recon_mse}, the mean squared pixel error in [0, 1] units
 * of G(ẑ) against x with the step's codes ẑ = E(x, ε), computed before the generator side's update
 * (a monitor: ALI never minimizes it). {@link #reconstruct} uses the mean code instead.
 */
public final class AliTrainable implements Trainable, Reconstructing {
    private final Ali ali;
    private final Optimizer discriminatorOpt, generatorOpt;
    private final int dSteps;
    private final Map<String, String> metadata;

    public AliTrainable(Ali ali, double lr, double beta1, int dSteps, Map<String, String> metadata) {
        this.ali = ali;
        this.dSteps = Alternation.checkDSteps(dSteps);
        this.metadata = Map.copyOf(metadata);
        List<Tensor> eg = new ArrayList<>(ali.encoder().parameters());
        eg.addAll(ali.generator().parameters());
        this.discriminatorOpt = Alternation.adam(ali.discriminator().parameters(), lr, beta1);
        this.generatorOpt = Alternation.adam(eg, lr, beta1);
    }

    public Ali ali() {
        return ali;
    }

    @Override
    public Module module() {
        return ali;
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
        long b = x.dim(0);
        Tensor z = ali.noise(b, g), eps = ali.noise(b, g);
        Tensor zHat, xTilde;
        if (generatorTurn) { // graphs kept for the update of E and G below
            zHat = ali.encode(x, eps);
            xTilde = ali.generate(z);
        } else {
            try (var ng = Autograd.noGrad()) {
                zHat = ali.encode(x, eps);
                xTilde = ali.generate(z);
            }
        }
        LinkedHashMap<String, Double> values = ctx.minimize(discriminatorOpt, ali.discriminatorTerms(x, zHat.detach(), xTilde.detach(), z));
        values.put("recon_mse", reconstructionError(x, zHat.detach()));
        if (generatorTurn) Alternation.minimizeThrough(ctx, generatorOpt, ali.discriminator(), () -> ali.pairLoss(x, zHat, xTilde, z));
        return values;
    }

    @Override
    public LinkedHashMap<String, Double> evaluate(Tensor x, Generator g) {
        long b = x.dim(0);
        Tensor z = ali.noise(b, g), eps = ali.noise(b, g), zHat = ali.encode(x, eps);
        LinkedHashMap<String, Double> v = StepContext.values(ali.discriminatorTerms(x, zHat, ali.generate(z), z));
        v.put("recon_mse", reconstructionError(x, zHat));
        return v;
    }

    /**
     * Mean squared pixel error of G(ẑ) against x in [0, 1] units (x and G live in [−1, 1], where errors
     * are twice as large: the squares are divided by 4); ẑ: the codes (B, latent) the step drew.
     */
    private double reconstructionError(Tensor x, Tensor zHat) {
        try (var ng = Autograd.noGrad()) {
            return ali.generate(zHat).sub(x).square().mean().item() / 4;
        }
    }

    @Override
    public Tensor sample(int n, Generator g) {
        try (var ng = Autograd.noGrad()) {
            return ImageRange.toUnit(ali.generate(ali.noise(n, g)));
        }
    }

    @Override
    public Tensor reconstruct(Tensor x) {
        return ImageRange.toUnit(ali.reconstruct(x));
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }
}
