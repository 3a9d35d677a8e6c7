package org.dgm4j.vae;

import java.util.LinkedHashMap;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.nn.Flatten;
import org.dgm4j.nn.Linear;
import org.dgm4j.nn.Losses;
import org.dgm4j.nn.Module;
import org.dgm4j.nn.ReLU;
import org.dgm4j.nn.Reduction;
import org.dgm4j.nn.Sequential;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * The MLP variational autoencoder of Kingma and Welling 2014 for binary images: a Gaussian encoder
 * q(z|x) = N(μ, diag σ²), a standard normal prior p(z) and a Bernoulli decoder p(x|z).
 *
 * <pre>
 * encoder  x (B, C, H, W) → flatten D = C·H·W → Linear(D, h) ReLU Linear(h, h) ReLU Linear(h, 2z) → [μ | logσ²]
 * decoder  z (B, z) → Linear(z, h) ReLU Linear(h, h) ReLU Linear(h, D) → Bernoulli logits (B, D)
 * </pre>
 *
 * Layers use PyTorch's default initialization. Submodules are named {@code encoder} and
 * {@code decoder}, so state-dict keys read like PyTorch's ({@code encoder.0.weight} is the first Linear,
 * Sequential indices count the Flatten and ReLU entries too).
 *
 * <p><b>Loss convention</b> (the one papers report): values are in nats, summed over the pixels of an
 * image and averaged over the examples of the batch; −ELBO = reconstruction + KL with
 * reconstruction = Σ_pixels BCE-with-logits(logits, x) = −log p(x|z) and
 * KL = KL(q(z|x) ‖ N(0, I)) = −½ Σ_j (1 + logσ²_j − μ_j² − σ²_j) in closed form.
 */
public final class BernoulliVae extends Module {
    private final int channels, height, width;
    private final long hidden, latent;
    private final DType dtype;
    private final Sequential encoder, decoder;

    /**
     * The three scalars of one batch, per-example means in nats: {@code loss} = −ELBO (minimize it;
     * differentiable), {@code reconstruction} = E_q[−log p(x|z)] by one reparameterized sample, and
     * {@code kl} = KL(q(z|x) ‖ p(z)). All belong to the current scope.
     */
    public record Elbo(Tensor loss, Tensor reconstruction, Tensor kl) {
        /** The terms by name, "loss" first, for logs and the trainer. */
        public LinkedHashMap<String, Tensor> terms() {
            LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
            m.put("loss", loss);
            m.put("recon", reconstruction);
            m.put("kl", kl);
            return m;
        }
    }

    /** q(z|x) for a batch: mean and log-variance, both (B, latent). */
    public record Posterior(Tensor mean, Tensor logVar) {}

    /** A float32 model of 28×28 grey images (Fashion-MNIST, MNIST). */
    public BernoulliVae(long hidden, long latent, Generator init) {
        this(1, 28, 28, hidden, latent, DType.F32, init);
    }

    public BernoulliVae(int channels, int height, int width, long hidden, long latent, DType dtype, Generator init) {
        if (channels <= 0 || height <= 0 || width <= 0 || hidden <= 0 || latent <= 0) {
            throw new IllegalArgumentException("BernoulliVae needs positive sizes, found image " + channels + "x" + height + "x" + width
                    + ", hidden " + hidden + ", latent " + latent);
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.hidden = hidden;
        this.latent = latent;
        this.dtype = dtype;
        long d = pixels();
        encoder = module("encoder", new Sequential(new Flatten(),
                new Linear(d, hidden, true, dtype, init), new ReLU(),
                new Linear(hidden, hidden, true, dtype, init), new ReLU(),
                new Linear(hidden, 2 * latent, true, dtype, init)));
        decoder = module("decoder", new Sequential(
                new Linear(latent, hidden, true, dtype, init), new ReLU(),
                new Linear(hidden, hidden, true, dtype, init), new ReLU(),
                new Linear(hidden, d, true, dtype, init)));
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

    /** x: (B, C, H, W) or (B, D) in [0, 1] → q(z|x). */
    public Posterior encode(Tensor x) {
        Tensor[] parts = Ops.split(encoder.forward(x), 1, latent, latent);
        return new Posterior(parts[0], parts[1]);
    }

    /** z: (B, latent) → Bernoulli logits (B, D). */
    public Tensor decode(Tensor z) {
        return decoder.forward(z);
    }

    /** −ELBO of a batch x (B, C, H, W) with values in [0, 1], drawing the reparameterization noise from {@code g}. */
    public Elbo elbo(Tensor x, Generator g) {
        Tensor xd = x.dtype() == dtype ? x : x.toDType(dtype); // batches come as float32
        return elbo(xd, g.normal(x.backend(), dtype, Shape.of(x.dim(0), latent)));
    }

    /** −ELBO with given noise ε (B, latent): z = μ + σ·ε, so a fixed ε makes the loss a deterministic function (gradient checks). */
    public Elbo elbo(Tensor x, Tensor eps) {
        long batch = x.dim(0);
        Posterior q = encode(x);
        Tensor z = q.mean().add(q.logVar().mul(0.5).exp().mul(eps));
        Tensor logits = decode(z);
        Tensor target = x.reshape(batch, pixels());
        Tensor recon = Losses.binaryCrossEntropyWithLogits(logits, target, Reduction.SUM).div(batch);
        Tensor kl = klToStandardNormal(q.mean(), q.logVar()).mean();
        return new Elbo(recon.add(kl), recon, kl);
    }

    /** KL(N(μ, diag exp(logσ²)) ‖ N(0, I)) per example: −½ Σ_j (1 + logσ² − μ² − exp(logσ²)); mean, logVar (B, z) → (B). */
    public static Tensor klToStandardNormal(Tensor mean, Tensor logVar) {
        return logVar.add(1.0).sub(mean.square()).sub(logVar.exp()).sum(1).mul(-0.5);
    }

    /** n images (n, C, H, W) from the model: z ~ N(0, I), the decoder's Bernoulli means σ(logits). No graph is recorded. */
    public Tensor sample(int n, Generator g) {
        try (var ng = Autograd.noGrad()) {
            Tensor z = g.normal(parameters().get(0).backend(), dtype, Shape.of(n, latent));
            return decode(z).sigmoid().reshape(n, channels, height, width);
        }
    }

    @Override
    protected String describe() {
        return "image " + channels + "x" + height + "x" + width + ", hidden " + hidden + ", latent " + latent + ", " + dtype;
    }
}
