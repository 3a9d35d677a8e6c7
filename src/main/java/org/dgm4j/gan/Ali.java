package org.dgm4j.gan;

import java.util.LinkedHashMap;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.nn.Module;
import org.dgm4j.nn.Sequential;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * Adversarially learned inference (Dumoulin et al. 2017) / bidirectional GAN (Donahue et al. 2017):
 * an encoder E: x → z, a generator G: z → x and a discriminator on (x, z) pairs that tells the
 * encoder's joint q(x, z) = p_data(x)·q(z|x) (labelled real) from the generator's
 * p(x, z) = p(z)·p(x|z) (labelled fake); E and G together fool it. At the optimum the two joints
 * agree, so E inverts G and G(E(x)) reconstructs x without any reconstruction loss.
 * MLPs of {@link Players}:
 * <pre>
 * encoder        x (B, C, H, W) → Flatten → D → h → h → (B, 2·latent) = [μ | logσ²]  (stochastic, ALI)
 *                                                     or (B, latent) = z            (deterministic, BiGAN)
 * generator      z (B, latent) → h → h → D → tanh → (B, C, H, W) in (−1, 1)          BN ReLU inside
 * discriminator  [flatten(x) | z] (B, D + latent) → h → h → 1 logit                 LeakyReLU(0.2) inside
 * </pre>
 * The stochastic encoder samples z = μ + σ·ε, ε ~ N(0, I) (reparameterized, so gradients reach E);
 * reconstructions use z = μ. Images are served in [−1, 1] ({@link ImageRange}).
 */
public final class Ali extends Module {
    private final long[] shape;
    private final long hidden, latent;
    private final boolean stochastic;
    private final DType dtype;
    private final GeneratorObjective objective;
    private final Sequential encoder, generator, discriminator;

    /** shape: one example, e.g. {1, 28, 28}. */
    public Ali(long[] shape, long hidden, long latent, boolean stochastic, DType dtype, GeneratorObjective objective, Generator init) {
        if (hidden <= 0 || latent <= 0) throw new IllegalArgumentException("Ali needs positive sizes, found hidden " + hidden + ", latent " + latent);
        this.shape = shape.clone();
        this.hidden = hidden;
        this.latent = latent;
        this.stochastic = stochastic;
        this.dtype = dtype;
        this.objective = objective;
        long d = Players.numel(shape);
        encoder = module("encoder", Players.mlpEncoder(d, hidden, stochastic ? 2 * latent : latent, dtype, init));
        generator = module("generator", Players.mlpGenerator(latent, hidden, shape, true, true, dtype, init));
        discriminator = module("discriminator", Players.mlpDiscriminator(d + latent, hidden, dtype, init));
    }

    public long latent() {
        return latent;
    }

    public long hidden() {
        return hidden;
    }

    public boolean stochastic() {
        return stochastic;
    }

    public Sequential encoder() {
        return encoder;
    }

    public Sequential generator() {
        return generator;
    }

    public Sequential discriminator() {
        return discriminator;
    }

    /** Noise for the prior and the encoder: (n, latent) ~ N(0, I). */
    public Tensor noise(long n, Generator g) {
        return g.normal(Players.anyParameter(this).backend(), dtype, Shape.of(n, latent));
    }

    /** z ~ q(z|x): x (B, ...) and ε (B, latent) → μ + exp(½·logσ²)·ε (stochastic) or E(x) (deterministic, ε ignored). */
    public Tensor encode(Tensor x, Tensor eps) {
        Tensor h = encoder.forward(x);
        if (!stochastic) return h;
        Tensor[] parts = Ops.split(h, 1, latent, latent);
        return parts[0].add(parts[1].mul(0.5).exp().mul(eps));
    }

    /** The encoder's mean code μ(x) (B, latent) (E(x) itself when deterministic). */
    public Tensor encodeMean(Tensor x) {
        Tensor h = encoder.forward(x);
        return stochastic ? Ops.split(h, 1, latent, latent)[0] : h;
    }

    /** G(z): z (B, latent) → (B, C, H, W) in (−1, 1). */
    public Tensor generate(Tensor z) {
        return generator.forward(z);
    }

    /** D's logits of pairs: x (B, ...), z (B, latent) → (B). */
    public Tensor discriminate(Tensor x, Tensor z) {
        Tensor l = discriminator.forward(Ops.concat(1, x.reshape(x.dim(0), -1), z));
        return l.reshape(l.dim(0));
    }

    /**
     * D's update on the encoder's pairs (x, ẑ) against the generator's pairs (x̃, z); terms as in
     * {@link GanLosses#discriminatorTerms}, {@code g_loss} being {@link GeneratorObjective#pairLoss}.
     */
    public LinkedHashMap<String, Tensor> discriminatorTerms(Tensor x, Tensor zHat, Tensor xTilde, Tensor z) {
        Tensor lr = discriminate(x, zHat), lf = discriminate(xTilde, z);
        return GanLosses.discriminatorTerms(lr, lf, objective.pairLoss(lr, lf));
    }

    /** The encoder's and generator's joint loss on the same pairs: {@link GeneratorObjective#pairLoss}. */
    public Tensor pairLoss(Tensor x, Tensor zHat, Tensor xTilde, Tensor z) {
        return objective.pairLoss(discriminate(x, zHat), discriminate(xTilde, z));
    }

    /** G(μ(x)) in the model's range (−1, 1): x (B, C, H, W) → (B, C, H, W); no graph. */
    public Tensor reconstruct(Tensor x) {
        try (var ng = Autograd.noGrad()) {
            return generate(encodeMean(x));
        }
    }

    @Override
    protected String describe() {
        return "example " + java.util.Arrays.toString(shape) + ", hidden " + hidden + ", latent " + latent
                + (stochastic ? ", stochastic encoder" : ", deterministic encoder") + ", " + objective.configName();
    }
}
