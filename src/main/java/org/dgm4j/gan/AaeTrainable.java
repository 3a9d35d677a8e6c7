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
 * An {@link AdversarialAutoencoder} as the trainer drives it, with three Adam optimizers (all in
 * checkpoints): {@code autoencoder} (encoder and decoder), {@code discriminator}, and {@code encoder}
 * (the encoder as generator; its moments are kept apart from the reconstruction phase's).
 *
 * <p>One step on a batch x, as Makhzani et al. describe it: the reconstruction phase (autoencoder
 * update on the reconstruction term), then the regularization phase: D's update on prior draws
 * against the codes E(x) (detached), and, on the generator's turn ({@link Alternation}), the encoder's
 * update on D(E(x)). Values: {@code loss} the reconstruction term (nats per image) before the update,
 * then D's {@code d_loss}, {@code g_loss}, {@code d_real}, {@code d_fake} (see
 * {@link GanLosses#discriminatorTerms}).
 */
public final class AaeTrainable implements Trainable, Reconstructing {
    private final AdversarialAutoencoder aae;
    private final Optimizer autoencoderOpt, discriminatorOpt, encoderOpt;
    private final int dSteps;
    private final Map<String, String> metadata;

    public AaeTrainable(AdversarialAutoencoder aae, double lr, double beta1, int dSteps, Map<String, String> metadata) {
        this.aae = aae;
        this.dSteps = Alternation.checkDSteps(dSteps);
        this.metadata = Map.copyOf(metadata);
        java.util.List<Tensor> ae = new java.util.ArrayList<>(aae.encoder().parameters());
        ae.addAll(aae.decoder().parameters());
        this.autoencoderOpt = Alternation.adam(ae, lr, beta1);
        this.discriminatorOpt = Alternation.adam(aae.discriminator().parameters(), lr, beta1);
        this.encoderOpt = Alternation.adam(aae.encoder().parameters(), lr, beta1);
    }

    public AdversarialAutoencoder aae() {
        return aae;
    }

    @Override
    public Module module() {
        return aae;
    }

    @Override
    public Map<String, Optimizer> optimizers() {
        LinkedHashMap<String, Optimizer> m = new LinkedHashMap<>();
        m.put("autoencoder", autoencoderOpt);
        m.put("discriminator", discriminatorOpt);
        m.put("encoder", encoderOpt);
        return m;
    }

    @Override
    public LinkedHashMap<String, Double> trainStep(Tensor x, Generator g, StepContext ctx) {
        double reconstruction = reconstructionPhase(x, ctx);
        return merge(reconstruction, regularizationPhase(x, g, ctx));
    }

    /** The reconstruction phase: one autoencoder update on x; returns the reconstruction term before it (nats per image). */
    public double reconstructionPhase(Tensor x, StepContext ctx) {
        LinkedHashMap<String, Tensor> terms = new LinkedHashMap<>();
        terms.put("loss", aae.reconstructionLoss(x));
        return ctx.minimize(autoencoderOpt, terms).get("loss");
    }

    /**
     * The regularization phase: D's update on prior draws (from g) against the codes E(x), then, on the
     * generator's turn, the encoder's update on D(E(x)) with D as just updated. Returns D's terms.
     */
    public LinkedHashMap<String, Double> regularizationPhase(Tensor x, Generator g, StepContext ctx) {
        boolean generatorTurn = Alternation.generatorTurn(discriminatorOpt, dSteps);
        Tensor codes;
        if (generatorTurn) {
            codes = aae.encode(x); // its graph is kept for the encoder's update below
        } else {
            try (var ng = Autograd.noGrad()) {
                codes = aae.encode(x);
            }
        }
        LinkedHashMap<String, Double> d = ctx.minimize(discriminatorOpt, aae.regularizationTerms(aae.prior(x.dim(0), g), codes.detach()));
        if (generatorTurn) Alternation.minimizeThrough(ctx, encoderOpt, aae.discriminator(), () -> aae.encoderLoss(codes));
        return d;
    }

    /** loss (reconstruction), then D's terms with its loss renamed d_loss. */
    private static <T> LinkedHashMap<String, T> merge(T reconstruction, Map<String, T> d) {
        LinkedHashMap<String, T> out = new LinkedHashMap<>();
        out.put("loss", reconstruction);
        d.forEach((k, v) -> out.put(k.equals("loss") ? "d_loss" : k, v));
        return out;
    }

    @Override
    public LinkedHashMap<String, Double> evaluate(Tensor x, Generator g) {
        return StepContext.values(merge(aae.reconstructionLoss(x), aae.regularizationTerms(aae.prior(x.dim(0), g), aae.encode(x))));
    }

    @Override
    public Tensor sample(int n, Generator g) {
        return aae.sample(n, g);
    }

    @Override
    public Tensor reconstruct(Tensor x) {
        return aae.reconstruct(x);
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }
}
