package org.dgm4j.vae;

import java.util.LinkedHashMap;
import java.util.Map;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.distributions.Normal;
import org.dgm4j.eval.ImportanceWeighted;
import org.dgm4j.nn.Conv2d;
import org.dgm4j.nn.ConvTranspose2d;
import org.dgm4j.nn.Flatten;
import org.dgm4j.nn.Linear;
import org.dgm4j.nn.Module;
import org.dgm4j.nn.ReLU;
import org.dgm4j.nn.Reshape;
import org.dgm4j.nn.Sequential;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * The variational autoencoder of Kingma and Welling 2014: a Gaussian encoder q(z|x) = N(μ, diag σ²)
 * with the reparameterization z = μ + σ·ε, a standard normal prior p(z) and a decoder whose output
 * parameterizes a {@link Likelihood} p(x|z) (Bernoulli, Gaussian with fixed or learned variance, or
 * the discretized logistic). Two architectures, both with PyTorch's default initialization:
 *
 * <pre>
 * MLP   encoder  x (B, C, H, W) → flatten D → Linear(D, h) ReLU Linear(h, h) ReLU Linear(h, 2z) → [μ | logσ²]
 *       decoder  z (B, z) → Linear(z, h) ReLU Linear(h, h) ReLU Linear(h, P·D) → params (B, P, D)
 * conv  encoder  Conv(C, 32, 4, s2, p1) ReLU Conv(32, 64, 4, s2, p1) ReLU flatten Linear(64·H/4·W/4, h) ReLU Linear(h, 2z)
 *       decoder  Linear(z, h) ReLU Linear(h, 64·H/4·W/4) ReLU reshape (64, H/4, W/4)
 *                ConvT(64, 32, 4, s2, p1) ReLU ConvT(32, P·C, 4, s2, p1) → (B, P·C, H, W) = params (B, P, D)
 * </pre>
 *
 * Submodules are named {@code encoder} and {@code decoder}, so state-dict keys read like PyTorch's
 * ({@code encoder.1.weight} is the MLP's first Linear; Sequential indices count the Flatten and ReLU
 * entries too). The MLP with a Bernoulli likelihood is exactly the model {@code dgm4j train} trains by
 * default.
 *
 * <p><b>Points.</b> {@link #points} builds the MLP for real vectors x (B, D), e.g. 2-D point sets,
 * with a Gaussian likelihood: the same networks with D inputs and P·D outputs. Its samples are draws
 * x ~ N(μ(z), σ²(z)) (the decoder's noise included, unclamped), not the decoder's mean that images
 * show, because the points are the data itself rather than a picture of p(x|z).
 *
 * <p><b>Loss convention</b> (the one papers report): nats, summed over the D pixels of an image and
 * averaged over the examples of the batch; −ELBO = reconstruction + KL with reconstruction =
 * E_q[−log p(x|z)] estimated with one reparameterized sample and KL = KL(q(z|x) ‖ N(0, I)) =
 * −½ Σ_j (1 + logσ²_j − μ_j² − σ²_j) in closed form. With β ≠ 1 the training objective is
 * reconstruction + β·KL; the ELBO itself is always reported with β = 1.
 */
public final class Vae extends Module implements ImportanceWeighted {
    /** Encoder and decoder networks. */
    public enum Architecture {
        MLP, CONV;

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Architecture of(String name) {
            for (Architecture a : values()) if (a.configName().equals(name)) return a;
            throw new IllegalArgumentException("architecture must be mlp or conv, found '" + name + "'");
        }
    }

    private static final long CONV1 = 32, CONV2 = 64;

    private final int channels, height, width;
    private final boolean points;
    private final long hidden, latent;
    private final Architecture architecture;
    private final Likelihood likelihood;
    private final DType dtype;
    private final Sequential encoder, decoder;

    /**
     * One batch's objective as per-example means in nats, all in the current scope: {@code loss} (what
     * is minimized: −ELBO when β = 1), {@code reconstruction} = E_q[−log p(x|z)] by one reparameterized
     * sample, {@code kl} = KL(q(z|x) ‖ p(z)) in closed form. −ELBO = reconstruction + kl.
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

        /** −ELBO = reconstruction + KL (equal to loss when β = 1). */
        public Tensor negativeElbo() {
            return reconstruction.add(kl);
        }
    }

    /** q(z|x) for a batch: mean and log-variance, both (B, latent). */
    public record Posterior(Tensor mean, Tensor logVar) {}

    /** The default model: float32 MLP with a Bernoulli decoder for 28×28 grey images (Fashion-MNIST, MNIST). */
    public static Vae bernoulliMlp(long hidden, long latent, Generator init) {
        return new Vae(1, 28, 28, hidden, latent, Architecture.MLP, Likelihood.bernoulli(), DType.F32, init);
    }

    /**
     * The MLP VAE of real vectors x (B, d) with a Gaussian likelihood (learned or fixed variance); see
     * the class comment.
     */
    public static Vae points(int d, long hidden, long latent, Likelihood likelihood, DType dtype, Generator init) {
        if (!likelihood.name().equals("gaussian")) {
            throw new IllegalArgumentException("a VAE of real-valued points needs the gaussian likelihood, found " + likelihood.name());
        }
        return new Vae(1, 1, d, hidden, latent, Architecture.MLP, likelihood, dtype, init, true);
    }

    public Vae(int channels, int height, int width, long hidden, long latent, Architecture architecture, Likelihood likelihood,
               DType dtype, Generator init) {
        this(channels, height, width, hidden, latent, architecture, likelihood, dtype, init, false);
    }

    private Vae(int channels, int height, int width, long hidden, long latent, Architecture architecture, Likelihood likelihood,
               DType dtype, Generator init, boolean points) {
        if (channels <= 0 || height <= 0 || width <= 0 || hidden <= 0 || latent <= 0) {
            throw new IllegalArgumentException("Vae needs positive sizes, found image " + channels + "x" + height + "x" + width
                    + ", hidden " + hidden + ", latent " + latent);
        }
        if (architecture == Architecture.CONV && (height % 4 != 0 || width % 4 != 0)) {
            throw new IllegalArgumentException("the conv VAE halves the image twice: height and width must be multiples of 4, found " + height + "x" + width);
        }
        this.channels = channels;
        this.points = points;
        this.height = height;
        this.width = width;
        this.hidden = hidden;
        this.latent = latent;
        this.architecture = architecture;
        this.likelihood = likelihood;
        this.dtype = dtype;
        long d = pixels(), p = likelihood.paramsPerPixel();
        if (architecture == Architecture.MLP) {
            encoder = module("encoder", new Sequential(new Flatten(),
                    new Linear(d, hidden, true, dtype, init), new ReLU(),
                    new Linear(hidden, hidden, true, dtype, init), new ReLU(),
                    new Linear(hidden, 2 * latent, true, dtype, init)));
            decoder = module("decoder", new Sequential(
                    new Linear(latent, hidden, true, dtype, init), new ReLU(),
                    new Linear(hidden, hidden, true, dtype, init), new ReLU(),
                    new Linear(hidden, p * d, true, dtype, init)));
        } else {
            long h4 = height / 4, w4 = width / 4, flat = CONV2 * h4 * w4;
            encoder = module("encoder", new Sequential(
                    new Conv2d(channels, CONV1, 4, 2, 1, 1, true, dtype, init), new ReLU(),
                    new Conv2d(CONV1, CONV2, 4, 2, 1, 1, true, dtype, init), new ReLU(),
                    new Flatten(),
                    new Linear(flat, hidden, true, dtype, init), new ReLU(),
                    new Linear(hidden, 2 * latent, true, dtype, init)));
            decoder = module("decoder", new Sequential(
                    new Linear(latent, hidden, true, dtype, init), new ReLU(),
                    new Linear(hidden, flat, true, dtype, init), new ReLU(),
                    new Reshape(CONV2, h4, w4),
                    new ConvTranspose2d(CONV2, CONV1, 4, 2, 1, 0, 1, true, dtype, init), new ReLU(),
                    new ConvTranspose2d(CONV1, p * channels, 4, 2, 1, 0, 1, true, dtype, init)));
        }
    }

    /** Rebuilds the (untrained) model a saved model's {@link #metadata()} describes; load its state dict next. */
    public static Vae fromMetadata(Map<String, String> m, Generator init) {
        if (m.containsKey("points")) {
            return points(Integer.parseInt(m.get("points")), Long.parseLong(m.get("hidden")), Long.parseLong(m.get("latent")),
                    Likelihood.fromMetadata(m), DType.F32, init);
        }
        String[] image = m.getOrDefault("image", "1x28x28").split("x");
        if (image.length != 3) throw new IllegalArgumentException("metadata image must be CxHxW, found " + m.get("image"));
        return new Vae(Integer.parseInt(image[0]), Integer.parseInt(image[1]), Integer.parseInt(image[2]),
                Long.parseLong(m.get("hidden")), Long.parseLong(m.get("latent")), Architecture.of(m.getOrDefault("architecture", "mlp")),
                Likelihood.fromMetadata(m), DType.F32, init);
    }

    /** What {@link #fromMetadata} needs, as strings (stored in model.safetensors). */
    public Map<String, String> metadata() {
        LinkedHashMap<String, String> m = new LinkedHashMap<>();
        m.put("model", "vae");
        if (points) m.put("points", Long.toString(pixels()));
        else m.put("image", channels + "x" + height + "x" + width);
        m.put("hidden", Long.toString(hidden));
        m.put("latent", Long.toString(latent));
        m.put("architecture", architecture.configName());
        m.putAll(likelihood.metadata());
        return m;
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

    public Architecture architecture() {
        return architecture;
    }

    public Likelihood likelihood() {
        return likelihood;
    }

    /** Whether this is the VAE of real vectors (B, D) ({@link #points}) rather than of images. */
    public boolean onPoints() {
        return points;
    }

    /** x: (B, C, H, W) as the likelihood's input serves it → q(z|x). */
    public Posterior encode(Tensor x) {
        Tensor[] parts = Ops.split(encoder.forward(x), 1, latent, latent);
        return new Posterior(parts[0], parts[1]);
    }

    /** z: (N, latent) → the likelihood's parameters (N, P, D). */
    public Tensor decode(Tensor z) {
        return decoder.forward(z).reshape(z.dim(0), likelihood.paramsPerPixel(), pixels());
    }

    /** z = μ + σ·ε; ε (B, latent), or (K, B, latent) for K samples per example (broadcast) → ε's shape. */
    public static Tensor reparameterize(Posterior q, Tensor eps) {
        return q.mean().add(q.logVar().mul(0.5).exp().mul(eps));
    }

    /** −ELBO of a batch x (B, C, H, W), drawing the reparameterization noise from {@code g}. */
    public Elbo elbo(Tensor x, Generator g) {
        return elbo(x, g, 1.0);
    }

    /** The β-weighted objective reconstruction + β·KL with noise from {@code g}. */
    public Elbo elbo(Tensor x, Generator g, double beta) {
        return elbo(x, g.normal(x.backend(), x.dtype(), Shape.of(x.dim(0), latent)), beta);
    }

    /** −ELBO with given noise ε (B, latent): a fixed ε makes the loss a deterministic function (gradient checks). */
    public Elbo elbo(Tensor x, Tensor eps) {
        return elbo(x, eps, 1.0);
    }

    /** reconstruction + β·KL with given noise ε (B, latent). */
    public Elbo elbo(Tensor x, Tensor eps, double beta) {
        long batch = x.dim(0);
        Posterior q = encode(x);
        Tensor logpx = likelihood.logProb(decode(reparameterize(q, eps)), x.reshape(batch, pixels()));
        Tensor recon = logpx.mean().neg();
        Tensor kl = Normal.klToStandardNormal(q.mean(), q.logVar()).mean();
        return new Elbo(beta == 1.0 ? recon.add(kl) : recon.add(kl.mul(beta)), recon, kl);
    }

    /**
     * Log importance weights log w_k = log p(x|z_k) + log p(z_k) − log q(z_k|x) with z_k = μ + σ·ε_k:
     * x (B, C, H, W), ε (K, B, latent) → (K, B), differentiable (the IWAE bound's gradient is the
     * reparameterized one). log p(z) − log q(z|x) = −½|z|² + ½|ε|² + ½ Σ_j logσ²_j (log 2π cancels).
     */
    public Tensor logWeights(Tensor x, Tensor eps) {
        return weights(x, eps).logWeights();
    }

    /** {@link #logWeights(Tensor, Tensor)} with ε drawn from {@code g}: x (B, ...) → (k, B). */
    @Override
    public Tensor logWeights(Tensor x, int k, Generator g) {
        return logWeights(x, g.normal(x.backend(), x.dtype(), Shape.of(k, x.dim(0), latent)));
    }

    /** The pieces of the log-weights: log p(x|z_k) (K, B), log w_k (K, B) and the posterior. */
    private record Weights(Tensor logPx, Tensor logWeights, Posterior posterior) {}

    private Weights weights(Tensor x, Tensor eps) {
        long b = x.dim(0), d = pixels();
        if (eps.rank() != 3 || eps.dim(1) != b || eps.dim(2) != latent) {
            throw new IllegalArgumentException("logWeights: eps must be (K, " + b + ", " + latent + "), found " + eps.shape());
        }
        long k = eps.dim(0);
        Posterior q = encode(x);
        Tensor z = reparameterize(q, eps);
        Tensor xs = k == 1 ? x.reshape(b, d) : Ops.expand(x.reshape(1, b, d), Shape.of(k, b, d)).reshape(k * b, d);
        Tensor logpx = likelihood.logProb(decode(z.reshape(k * b, latent)), xs).reshape(k, b);
        Tensor logRatio = eps.square().sum(2).sub(z.square().sum(2)).add(q.logVar().sum(1)).mul(0.5); // (K, B) + (B)
        return new Weights(logpx, logpx.add(logRatio), q);
    }

    /**
     * The IWAE objective (Burda et al. 2016) with K = ε.dim(0) samples per example, ε (K, B, latent):
     * loss = −mean_b [logsumexp_k log w_k − log K], a lower bound on log p(x) that tightens as K grows
     * (K = 1: the ELBO with a Monte Carlo KL); reconstruction = the mean over the K samples of
     * −log p(x|z_k); kl = the closed-form KL (both for the logs; per-example means, nats).
     */
    public Elbo iwae(Tensor x, Tensor eps) {
        Weights w = weights(x, eps);
        Tensor loss = w.logWeights().logsumexp(0).sub(Math.log(eps.dim(0))).mean().neg();
        Tensor kl = Normal.klToStandardNormal(w.posterior().mean(), w.posterior().logVar()).mean();
        return new Elbo(loss, w.logPx().mean().neg(), kl);
    }

    /**
     * n samples, z ~ N(0, I) from g: images (n, C, H, W) in [0, 1], the likelihood's mean; points
     * (n, D), draws x ~ p(x|z) with their noise also from g. No graph is recorded.
     */
    public Tensor sample(int n, Generator g) {
        try (var ng = Autograd.noGrad()) {
            Tensor z = g.normal(parameters().get(0).backend(), dtype, Shape.of(n, latent));
            if (points) return likelihood.sample(decode(z), g).reshape(n, pixels());
            return likelihood.mean(decode(z)).reshape(n, channels, height, width);
        }
    }

    @Override
    protected String describe() {
        return architecture.configName() + (points ? ", points " + pixels() : ", image " + channels + "x" + height + "x" + width) + ", hidden " + hidden + ", latent " + latent
                + ", " + likelihood.name() + ", " + dtype;
    }
}
