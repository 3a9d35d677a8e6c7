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

/** {@code model: ali}: ALI / BiGAN with MLP encoder, generator and pair discriminator, images served in [−1, 1]. */
public final class AliFamily implements ModelFamily {
    @Override
    public String name() {
        return "ali";
    }

    @Override
    public String summary() {
        return "ALI / BiGAN: encoder, generator and a discriminator on (x, z) pairs (MLPs), images; reconstructions G(E(x))";
    }

    @Override
    public List<ConfigKey> options() {
        return List.of(
                ConfigKey.longInteger("model.latent", 32, "dimensions of z (prior N(0, I))"),
                ConfigKey.longInteger("model.hidden", 512, "units in each of the two hidden layers of the three networks"),
                ConfigKey.bool("model.stochastic_encoder", true, "ALI's Gaussian encoder z = mu + sigma*eps (true) or BiGAN's deterministic one (false)"),
                GanFamily.objectiveKey(), GanFamily.dStepsKey(), GanFamily.beta1Key());
    }

    @Override
    public Map<String, Object> defaults() {
        return Map.of("train.lr", 2e-4, "train.epochs", 10);
    }

    @Override
    public BatchInput input(Config config) {
        return ImageRange.symmetric();
    }

    @Override
    public Trainable create(Config c, long[] shape, Generator init) {
        if (shape.length != 3) throw new IllegalArgumentException("ali trains on images (C, H, W), found examples of shape " + Arrays.toString(shape));
        long hidden = c.getLong("model.hidden"), latent = c.getLong("model.latent");
        boolean stochastic = c.getBool("model.stochastic_encoder");
        Ali ali = new Ali(shape, hidden, latent, stochastic, DType.F32, GanFamily.objective(c), init);
        LinkedHashMap<String, String> meta = GanFamily.metadata(c, "ali", shape);
        meta.put("hidden", Long.toString(hidden));
        meta.put("stochastic_encoder", Boolean.toString(stochastic));
        return new AliTrainable(ali, c.getDouble("train.lr"), c.getDouble("model.beta1"), c.getInt("model.d_steps"), meta);
    }
}
