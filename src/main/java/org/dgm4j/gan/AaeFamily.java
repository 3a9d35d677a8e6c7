package org.dgm4j.gan;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dgm4j.config.Config;
import org.dgm4j.config.ConfigKey;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.train.BatchInput;
import org.dgm4j.train.ModelFamily;
import org.dgm4j.train.Trainable;

/** {@code model: aae}: the MLP adversarial autoencoder with a N(0, I) prior on images served in [0, 1]. */
public final class AaeFamily implements ModelFamily {
    @Override
    public String name() {
        return "aae";
    }

    @Override
    public String summary() {
        return "adversarial autoencoder (MLP encoder/decoder, discriminator on codes, N(0, I) prior), images";
    }

    @Override
    public List<ConfigKey> options() {
        return List.of(
                ConfigKey.longInteger("model.latent", 8, "code dimensions (the prior is N(0, I) on them)"),
                ConfigKey.longInteger("model.hidden", 512, "units in each of the two hidden layers of encoder, decoder and discriminator"),
                GanFamily.objectiveKey(), GanFamily.dStepsKey(), GanFamily.beta1Key());
    }

    @Override
    public Map<String, Object> defaults() {
        return Map.of("train.lr", 2e-4, "train.epochs", 10);
    }

    @Override
    public BatchInput input(Config config) {
        return BatchInput.scaled();
    }

    @Override
    public Trainable create(Config c, long[] shape, Generator init) {
        if (shape.length != 3) throw new IllegalArgumentException("aae trains on images (C, H, W), found examples of shape " + Arrays.toString(shape));
        long hidden = c.getLong("model.hidden"), latent = c.getLong("model.latent");
        AdversarialAutoencoder aae = new AdversarialAutoencoder((int) shape[0], (int) shape[1], (int) shape[2], hidden, latent, DType.F32,
                GanFamily.objective(c), init);
        LinkedHashMap<String, String> meta = GanFamily.metadata(c, "aae", shape);
        meta.put("hidden", Long.toString(hidden));
        return new AaeTrainable(aae, c.getDouble("train.lr"), c.getDouble("model.beta1"), c.getInt("model.d_steps"), meta);
    }
}
