package org.dgm4j.gan;

import java.util.LinkedHashMap;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.nn.Losses;
import org.dgm4j.nn.Module;
import org.dgm4j.nn.Reduction;
import org.dgm4j.nn.Sequential;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * The adversarial autoencoder of Makhzani et al. 2016: a deterministic autoencoder whose code
 * distribution q(z) = E_x[δ(z − E(x))] is matched to the prior p(z) = N(0, I) by a discriminator on
 * codes, the encoder playing the generator. MLPs of {@link Players}:
 * <pre>
 * encoder        x (B, C, H, W) → Flatten → D → h → h → z (B, latent)            ReLU inside
 * decoder        z (B, latent) → h → h → D Bernoulli logits (B, D)                ReLU inside
 * discriminator  z (B, latent) → h → h → 1 logit (B, 1)                           LeakyReLU(0.2) inside
 * </pre>
 * Images are served in [0, 1] and the reconstruction term is the Bernoulli cross-entropy of the
 * decoder's logits against the pixel intensities, summed over the pixels and averaged over the batch
 * (nats per image, as the VAE's). Samples are σ(decoder(z)), z ~ N(0, I).
 */
public final class AdversarialAutoencoder extends Module {
    private final int channels, height, width;
    private final long hidden, latent;
    private final DType dtype;
    private final GeneratorObjective objective;
    private final Sequential encoder, decoder, discriminator;

    public AdversarialAutoencoder(int channels, int height, int width, long hidden, long latent, DType dtype, GeneratorObjective objective, Generator init) {
        if (channels <= 0 || height <= 0 || width <= 0 || hidden <= 0 || latent <= 0) {
            throw new IllegalArgumentException("AdversarialAutoencoder needs positive sizes, found image " + channels + "x" + height + "x" + width
                    + ", hidden " + hidden + ", latent " + latent);
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.hidden = hidden;
        this.latent = latent;
        this.dtype = dtype;
        this.objective = objective;
        long d = pixels();
        encoder = module("encoder", Players.mlpEncoder(d, hidden, latent, dtype, init));
        decoder = module("decoder", Players.mlpGenerator(latent, hidden, new long[] {d}, false, dtype, init));
        discriminator = module("discriminator", Players.mlpDiscriminator(latent, hidden, dtype, init));
    }

    public long pixels() {
        return (long) channels * height * width;
    }

    public long hidden() {
        return hidden;
    }

    public long latent() {
        return latent;
    }

    public Sequential encoder() {
        return encoder;
    }

    public Sequential decoder() {
        return decoder;
    }

    public Sequential discriminator() {
        return discriminator;
    }

    /** The code z = E(x): x (B, C, H, W) → (B, latent). */
    public Tensor encode(Tensor x) {
        return encoder.forward(x);
    }

    /** Bernoulli logits of the pixels: z (B, latent) → (B, D). */
    public Tensor decode(Tensor z) {
        return decoder.forward(z);
    }

    /** Draws from the prior: (n, latent) ~ N(0, I). */
    public Tensor prior(long n, Generator g) {
        return g.normal(Players.anyParameter(this).backend(), dtype, Shape.of(n, latent));
    }

    /** The reconstruction term of x (B, C, H, W) in [0, 1]: Σ_pixels BCE(decoder(E(x)), x), mean over the batch; nats. */
    public Tensor reconstructionLoss(Tensor x) {
        long b = x.dim(0);
        return Losses.binaryCrossEntropyWithLogits(decode(encode(x)), x.reshape(b, pixels()), Reduction.SUM).div(b);
    }

    /** D's logits of codes: z (B, latent) → (B). */
    public Tensor discriminate(Tensor z) {
        Tensor l = discriminator.forward(z);
        return l.reshape(l.dim(0));
    }

    /** The regularization phase's D update: prior draws (labelled real) against codes (labelled fake); see {@link GanLosses#discriminatorTerms}. */
    public LinkedHashMap<String, Tensor> regularizationTerms(Tensor priorCodes, Tensor codes) {
        Tensor lr = discriminate(priorCodes), lf = discriminate(codes);
        return GanLosses.discriminatorTerms(lr, lf, objective.loss(lf));
    }

    /** The encoder's loss as the generator of codes (B, latent): its objective on D's logits. */
    public Tensor encoderLoss(Tensor codes) {
        return objective.loss(discriminate(codes));
    }

    /** σ(decoder(E(x))) as images (B, C, H, W) in [0, 1]; no graph. */
    public Tensor reconstruct(Tensor x) {
        try (var ng = Autograd.noGrad()) {
            return decode(encode(x)).sigmoid().reshape(x.dim(0), channels, height, width);
        }
    }

    /** n images (n, C, H, W) in [0, 1]: σ(decoder(z)), z ~ N(0, I); no graph. */
    public Tensor sample(int n, Generator g) {
        try (var ng = Autograd.noGrad()) {
            return decode(prior(n, g)).sigmoid().reshape(n, channels, height, width);
        }
    }

    @Override
    protected String describe() {
        return "image " + channels + "x" + height + "x" + width + ", hidden " + hidden + ", latent " + latent + ", " + objective.configName();
    }
}
