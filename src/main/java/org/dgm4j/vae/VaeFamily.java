package org.dgm4j.vae;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dgm4j.config.Config;
import org.dgm4j.config.ConfigKey;
import org.dgm4j.nn.Module;
import org.dgm4j.optim.Adam;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.ModelFamily;
import org.dgm4j.train.Objective;
import org.dgm4j.train.Trainable;

/** {@code model: vae}: the MLP VAE with a Bernoulli decoder on dynamically binarized images, trained by Adam on −ELBO. */
public final class VaeFamily implements ModelFamily {
    @Override
    public String name() {
        return "vae";
    }

    @Override
    public String summary() {
        return "MLP variational autoencoder, Bernoulli decoder, binarized images (loss -ELBO in nats)";
    }

    @Override
    public List<ConfigKey> options() {
        return List.of(
                ConfigKey.longInteger("model.hidden", 256, "units in each of the two hidden layers of encoder and decoder"),
                ConfigKey.longInteger("model.latent", 16, "latent dimensions"),
                ConfigKey.choice("model.dtype", "f32", "parameter and compute precision", "f32", "f64"));
    }

    @Override
    public Trainable create(Config c, long[] shape, Generator init) {
        if (shape.length != 3) throw new IllegalArgumentException("vae trains on images (C, H, W), found examples of shape " + java.util.Arrays.toString(shape));
        long hidden = c.getLong("model.hidden"), latent = c.getLong("model.latent");
        DType dtype = c.getString("model.dtype").equals("f64") ? DType.F64 : DType.F32;
        BernoulliVae vae = new BernoulliVae((int) shape[0], (int) shape[1], (int) shape[2], hidden, latent, dtype, init);
        return Trainable.minimizing(objective(vae), new Adam(vae.parameters(), c.getDouble("train.lr")));
    }

    /** The VAE as a one-loss objective: −ELBO and its two terms; samples are Bernoulli means. */
    public static Objective objective(BernoulliVae vae) {
        return new Objective() {
            @Override
            public Module module() {
                return vae;
            }

            @Override
            public LinkedHashMap<String, Tensor> terms(Tensor x, Generator g) {
                return vae.elbo(x, g).terms();
            }

            @Override
            public Tensor sample(int n, Generator g) {
                return vae.sample(n, g);
            }

            @Override
            public Map<String, String> metadata() {
                return Map.of("model", "vae", "hidden", Long.toString(vae.hidden()), "latent", Long.toString(vae.latent()));
            }
        };
    }
}
