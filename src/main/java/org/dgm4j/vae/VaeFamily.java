package org.dgm4j.vae;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dgm4j.config.Config;
import org.dgm4j.config.ConfigKey;
import org.dgm4j.nn.Module;
import org.dgm4j.optim.Adam;
import org.dgm4j.optim.Optimizer;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.BatchInput;
import org.dgm4j.train.ModelFamily;
import org.dgm4j.train.StepContext;
import org.dgm4j.train.Trainable;

/**
 * {@code model: vae}: the {@link Vae} trained by Adam, by default the MLP with a Bernoulli decoder on
 * dynamically binarized images and the plain −ELBO; on 2-D point sets the MLP with
 * {@code model.likelihood=gaussian} ({@link Vae#points}, nats per point, no bpd). Options: the architecture (mlp, conv), the
 * likelihood (bernoulli, gaussian with learned or fixed variance on dequantized pixels, the 8-bit
 * discretized logistic), β and a linear KL warm-up, and IWAE training with k samples.
 *
 * <p>Metrics, in nats per example (sum over pixels, mean over examples), the same columns in training
 * and test rows: {@code loss} (the minimized objective; by default −ELBO), {@code recon} =
 * E_q[−log p(x|z)], {@code kl} = KL(q ‖ N(0, I)) in closed form. With β ≠ 1 or a warm-up: loss =
 * recon + β_t·kl, plus {@code nelbo} (= recon + kl, the −ELBO) and {@code beta} (the step's KL weight;
 * test rows use the full β). With IWAE training: loss = −L_k (k samples), recon = the mean of
 * −log p(x|z) over the k samples, plus {@code nelbo}. For the Gaussian and logistic likelihoods also
 * {@code bpd}: the −ELBO in bits per pixel of the 8-bit data (the Gaussian's with the + D·ln 256 of its
 * dequantization).
 */
public final class VaeFamily implements ModelFamily {
    @Override
    public String name() {
        return "vae";
    }

    @Override
    public String summary() {
        return "variational autoencoder (MLP or conv; Bernoulli, Gaussian or discretized-logistic decoder; beta, KL warm-up, IWAE)";
    }

    @Override
    public List<ConfigKey> options() {
        return List.of(
                ConfigKey.longInteger("model.hidden", 256, "units in each hidden layer of encoder and decoder (the conv model's fully connected layer)"),
                ConfigKey.longInteger("model.latent", 16, "latent dimensions"),
                ConfigKey.choice("model.architecture", "mlp", "encoder/decoder networks: mlp (2 hidden layers) or conv (2 strided convolutions + 1 hidden layer)", "mlp", "conv"),
                ConfigKey.choice("model.likelihood", "bernoulli", "decoder p(x|z): bernoulli (binarized pixels), gaussian (dequantized pixels in [0,1)), "
                        + "logistic (8-bit discretized logistic on [-1,1])", "bernoulli", "gaussian", "logistic"),
                ConfigKey.choice("model.gaussian_variance", "learned", "gaussian: per-pixel variance from the decoder (learned) or fixed sigma", "learned", "fixed"),
                ConfigKey.number("model.gaussian_sigma", 0.1, "gaussian with fixed variance: the standard deviation sigma (pixels in [0,1))"),
                ConfigKey.number("model.beta", 1.0, "weight of the KL term in the training objective (1: the ELBO)"),
                ConfigKey.longInteger("model.kl_warmup_steps", 0, "KL weight rises linearly from beta/N at step 1 to beta at step N (0: no warm-up)"),
                ConfigKey.integer("model.iwae_k", 1, "samples per example of the IWAE objective (1: the ELBO)"),
                ConfigKey.choice("model.dtype", "f32", "parameter and compute precision", "f32", "f64"));
    }

    /** Images served as the chosen likelihood wants them: binarized, dequantized or scaled to [-1, 1]. */
    @Override
    public BatchInput input(Config c) {
        return likelihood(c).input();
    }

    private static Likelihood likelihood(Config c) {
        return Likelihood.of(c.getString("model.likelihood"), c.getString("model.gaussian_variance"), c.getDouble("model.gaussian_sigma"));
    }

    @Override
    public Trainable create(Config c, long[] shape, Generator init) {
        Settings s = new Settings(c.getDouble("model.beta"), c.getLong("model.kl_warmup_steps"), c.getInt("model.iwae_k"));
        DType dtype = c.getString("model.dtype").equals("f64") ? DType.F64 : DType.F32;
        if (shape.length == 1) { // 2-D point sets: the MLP with a Gaussian decoder on real values
            if (!c.getString("model.likelihood").equals("gaussian") || !c.getString("model.architecture").equals("mlp")) {
                throw new IllegalArgumentException("vae on points (" + shape[0] + "-D) needs model.likelihood=gaussian and model.architecture=mlp, found "
                        + c.getString("model.likelihood") + " and " + c.getString("model.architecture"));
            }
            Vae vae = Vae.points((int) shape[0], c.getLong("model.hidden"), c.getLong("model.latent"), likelihood(c), dtype, init);
            return new VaeTrainable(vae, new Adam(vae.parameters(), c.getDouble("train.lr")), s);
        }
        if (shape.length != 3) throw new IllegalArgumentException("vae trains on images (C, H, W) or points (D), found examples of shape " + Arrays.toString(shape));
        Vae vae = new Vae((int) shape[0], (int) shape[1], (int) shape[2], c.getLong("model.hidden"), c.getLong("model.latent"),
                Vae.Architecture.of(c.getString("model.architecture")), likelihood(c),
                dtype, init);
        return new VaeTrainable(vae, new Adam(vae.parameters(), c.getDouble("train.lr")), s);
    }

    /**
     * The training objective's settings. {@code beta}: KL weight; {@code warmupSteps}: the weight is
     * β·min(1, step/N) at 1-based step {@code step} (a pure function of the step, so a resumed run
     * continues the same schedule); {@code iwaeK}: samples of the IWAE bound (1: the ELBO).
     */
    public record Settings(double beta, long warmupSteps, int iwaeK) {
        public Settings {
            if (!(beta >= 0) || Double.isInfinite(beta)) throw new IllegalArgumentException("model.beta must be finite and >= 0, found " + beta);
            if (warmupSteps < 0) throw new IllegalArgumentException("model.kl_warmup_steps must be >= 0, found " + warmupSteps);
            if (iwaeK < 1) throw new IllegalArgumentException("model.iwae_k must be >= 1, found " + iwaeK);
            if (iwaeK > 1 && (beta != 1 || warmupSteps > 0)) {
                throw new IllegalArgumentException("model.iwae_k > 1 trains the IWAE bound, which has no KL weight: use it with model.beta = 1 and no warm-up");
            }
        }

        /** The plain ELBO. */
        public static Settings elbo() {
            return new Settings(1, 0, 1);
        }

        /** The KL weight of 1-based step {@code step}. */
        public double klWeight(long step) {
            return warmupSteps == 0 ? beta : beta * Math.min(1.0, (double) step / warmupSteps);
        }

        /** Whether the objective differs from −ELBO at some step (then the extra metrics appear). */
        boolean weighted() {
            return beta != 1 || warmupSteps > 0;
        }
    }

    /** The VAE with its optimizer and objective settings, as the trainer drives it. */
    public static final class VaeTrainable implements Trainable {
        private final Vae vae;
        private final Optimizer optimizer;
        private final Settings settings;

        public VaeTrainable(Vae vae, Optimizer optimizer, Settings settings) {
            this.vae = vae;
            this.optimizer = optimizer;
            this.settings = settings;
        }

        public Vae vae() {
            return vae;
        }

        @Override
        public Module module() {
            return vae;
        }

        @Override
        public Map<String, Optimizer> optimizers() {
            return Map.of("optimizer", optimizer);
        }

        /**
         * The terms of one step at 1-based step {@code step} (what {@link #trainStep} minimizes), or of a
         * test batch with {@code step} = −1 (the full KL weight β, no warm-up).
         */
        public LinkedHashMap<String, Tensor> terms(Tensor batch, Generator g, long step) {
            DType dtype = vae.parameters().get(0).dtype();
            Tensor x = batch.dtype() == dtype ? batch : batch.toDType(dtype); // batches come as float32
            LinkedHashMap<String, Tensor> t;
            if (settings.iwaeK() > 1) {
                Vae.Elbo e = vae.iwae(x, g.normal(x.backend(), x.dtype(), Shape.of(settings.iwaeK(), x.dim(0), vae.latent())));
                t = e.terms();
                t.put("nelbo", e.negativeElbo());
            } else {
                double beta = step < 0 ? settings.beta() : settings.klWeight(step);
                Vae.Elbo e = vae.elbo(x, g, beta);
                t = e.terms();
                if (settings.weighted()) {
                    t.put("nelbo", e.negativeElbo());
                    t.put("beta", Tensor.full(x.backend(), x.dtype(), Shape.scalar(), beta));
                }
            }
            Likelihood l = vae.likelihood();
            if (!l.name().equals("bernoulli") && !vae.onPoints()) {
                long d = vae.pixels();
                Tensor nelbo = t.containsKey("nelbo") ? t.get("nelbo") : t.get("loss");
                t.put("bpd", nelbo.add(l.discretizationNats(d)).mul(1 / (d * Math.log(2))));
            }
            return t;
        }

        @Override
        public LinkedHashMap<String, Double> trainStep(Tensor x, Generator g, StepContext ctx) {
            return ctx.minimize(optimizer, terms(x, g, ctx.step()));
        }

        /** The same terms on a test batch, with the full KL weight. */
        @Override
        public LinkedHashMap<String, Double> evaluate(Tensor x, Generator g) {
            return StepContext.values(terms(x, g, -1));
        }

        @Override
        public Tensor sample(int n, Generator g) {
            return vae.sample(n, g);
        }

        @Override
        public Map<String, String> metadata() {
            return vae.metadata();
        }
    }
}
