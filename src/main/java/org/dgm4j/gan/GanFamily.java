package org.dgm4j.gan;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dgm4j.config.Config;
import org.dgm4j.config.ConfigKey;
import org.dgm4j.nn.Layer;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.train.BatchInput;
import org.dgm4j.train.ModelFamily;
import org.dgm4j.train.Trainable;

/**
 * {@code model: gan}: a GAN with MLP players ({@link Players#mlpGenerator}, {@link Players#mlpDiscriminator})
 * on 2-D point sets (its default data is ring8, the mode-collapse benchmark; points are generated
 * unbounded) or on images (tanh output, pixels scaled to [−1, 1]). {@code model: dcgan} is
 * {@link DcganFamily}.
 */
public final class GanFamily implements ModelFamily {
    @Override
    public String name() {
        return "gan";
    }

    @Override
    public String summary() {
        return "GAN with MLP generator and discriminator, 2-D points (default ring8) or images; minimax or non-saturating";
    }

    @Override
    public List<ConfigKey> options() {
        return List.of(
                ConfigKey.longInteger("model.latent", 16, "dimensions of the generator's noise z ~ N(0, I)"),
                ConfigKey.longInteger("model.hidden", 256, "units in each of the two hidden layers of both players"),
                objectiveKey(), dStepsKey(), beta1Key());
    }

    @Override
    public Map<String, Object> defaults() {
        return Map.of("data.set", "ring8", "train.lr", 1e-3, "train.epochs", 10);
    }

    @Override
    public BatchInput input(Config config) {
        return ImageRange.symmetric();
    }

    @Override
    public Trainable create(Config c, long[] shape, Generator init) {
        long latent = c.getLong("model.latent"), hidden = c.getLong("model.hidden");
        boolean images = shape.length == 3;
        if (!images && shape.length != 1) throw new IllegalArgumentException("gan trains on points (D) or images (C, H, W), found examples of shape " + Arrays.toString(shape));
        Layer g = Players.mlpGenerator(latent, hidden, shape, images, DType.F32, init);
        Layer d = Players.mlpDiscriminator(Players.numel(shape), hidden, DType.F32, init);
        Gan gan = new Gan(g, d, latent, DType.F32, objective(c));
        LinkedHashMap<String, String> meta = metadata(c, "gan", shape);
        meta.put("hidden", Long.toString(hidden));
        return new GanTrainable(gan, c.getDouble("train.lr"), c.getDouble("model.beta1"), c.getInt("model.d_steps"), images, meta);
    }

    // ---- keys and metadata the adversarial families share ----------------------------------------

    static ConfigKey objectiveKey() {
        return ConfigKey.choice("model.loss", GeneratorObjective.NON_SATURATING.configName(),
                "generator objective: minimax (minimize E log(1 - D(G(z)))) or non-saturating (maximize E log D(G(z)))",
                GeneratorObjective.configNames());
    }

    static ConfigKey dStepsKey() {
        return ConfigKey.integer("model.d_steps", 1, "discriminator updates per generator update (each on its own batch)");
    }

    static ConfigKey beta1Key() {
        return ConfigKey.number("model.beta1", 0.5, "Adam's beta1 for every player (DCGAN: 0.5; beta2 stays 0.999)");
    }

    static GeneratorObjective objective(Config c) {
        return GeneratorObjective.fromConfig(c.getString("model.loss"));
    }

    /** What every adversarial model stores with its weights: family, example shape, latent size, objective, d_steps. */
    static LinkedHashMap<String, String> metadata(Config c, String model, long[] shape) {
        LinkedHashMap<String, String> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("example_shape", Arrays.toString(shape));
        m.put("latent", Long.toString(c.getLong("model.latent")));
        m.put("loss", c.getString("model.loss"));
        m.put("d_steps", Integer.toString(c.getInt("model.d_steps")));
        return m;
    }
}
