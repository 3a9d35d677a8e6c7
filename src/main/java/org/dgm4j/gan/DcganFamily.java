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

/**
 * {@code model: dcgan}: the DCGAN players of {@link Players} for 28×28 grey images, trained with
 * Radford et al.'s settings by default (Adam lr 2e-4, β1 0.5, batch 128). Images are served in [−1, 1]
 * to match the generator's tanh output; samples are shown as (y + 1)/2.
 */
public final class DcganFamily implements ModelFamily {
    @Override
    public String name() {
        return "dcgan";
    }

    @Override
    public String summary() {
        return "DCGAN (transposed-convolution generator, convolutional discriminator, batch norm) for 28x28 grey images";
    }

    @Override
    public List<ConfigKey> options() {
        return List.of(
                ConfigKey.longInteger("model.latent", 100, "dimensions of the generator's noise z ~ N(0, I)"),
                ConfigKey.longInteger("model.width", 32, "base channel count w: the generator runs 4w, 2w channels, the discriminator w, 2w"),
                GanFamily.objectiveKey(), GanFamily.dStepsKey(), GanFamily.beta1Key());
    }

    @Override
    public Map<String, Object> defaults() {
        return Map.of("train.lr", 2e-4);
    }

    @Override
    public BatchInput input(Config config) {
        return ImageRange.symmetric();
    }

    @Override
    public Trainable create(Config c, long[] shape, Generator init) {
        if (!Arrays.equals(shape, new long[] {1, 28, 28})) {
            throw new IllegalArgumentException("dcgan is sized for 28x28 grey images (1, 28, 28), found examples of shape " + Arrays.toString(shape));
        }
        long latent = c.getLong("model.latent"), width = c.getLong("model.width");
        Gan gan = new Gan(Players.dcganGenerator(latent, width, init), Players.dcganDiscriminator(width, init), latent, DType.F32, GanFamily.objective(c));
        LinkedHashMap<String, String> meta = GanFamily.metadata(c, "dcgan", shape);
        meta.put("width", Long.toString(width));
        return new GanTrainable(gan, c.getDouble("train.lr"), c.getDouble("model.beta1"), c.getInt("model.d_steps"), true, meta);
    }
}
