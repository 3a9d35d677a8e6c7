package org.dgm4j.helmholtz;

import java.util.List;
import org.dgm4j.config.Config;
import org.dgm4j.config.ConfigKey;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.train.ModelFamily;
import org.dgm4j.train.Trainable;

/**
 * {@code model: helmholtz}: a {@link HelmholtzMachine} (sigmoid belief layers, generative and
 * recognition) on dynamically binarized images, trained by wake-sleep, reweighted wake-sleep or NVIL
 * ({@link HelmholtzTrainable}), Adam for both networks.
 */
public final class HelmholtzFamily implements ModelFamily {
    @Override
    public String name() {
        return "helmholtz";
    }

    @Override
    public String summary() {
        return "Helmholtz machine (sigmoid belief layers) trained by wake-sleep, reweighted wake-sleep or NVIL (loss -ELBO in nats)";
    }

    @Override
    public List<ConfigKey> options() {
        return List.of(
                ConfigKey.string("model.layers", "200,200", "units of the binary hidden layers h1,h2,... from the image up"),
                ConfigKey.choice("model.algorithm", "wake-sleep", "wake-sleep, rws (reweighted wake-sleep) or nvil (score function with a learned baseline)",
                        "wake-sleep", "rws", "nvil"),
                ConfigKey.integer("model.rws_k", 5, "rws: samples from q per example"),
                ConfigKey.longInteger("model.nvil_hidden", 100, "nvil: tanh units of the input-dependent baseline"),
                ConfigKey.number("model.nvil_alpha", 0.8, "nvil: decay of the running mean and variance of the learning signal"),
                ConfigKey.integer("model.test_k", 10, "samples from q per test image for the importance-sampled NLL of the test rows"));
    }

    @Override
    public Trainable create(Config c, long[] shape, Generator init) {
        HelmholtzTrainable.Algorithm algorithm = HelmholtzTrainable.Algorithm.of(c.getString("model.algorithm"));
        long nvil = algorithm == HelmholtzTrainable.Algorithm.NVIL ? c.getLong("model.nvil_hidden") : 0;
        if (algorithm == HelmholtzTrainable.Algorithm.NVIL && nvil < 1) throw new IllegalArgumentException("model.nvil_hidden must be >= 1, found " + nvil);
        HelmholtzMachine m = new HelmholtzMachine(shape, HelmholtzMachine.parseLayers(c.getString("model.layers")), nvil,
                c.getDouble("model.nvil_alpha"), DType.F32, init);
        return new HelmholtzTrainable(m, algorithm, c.getDouble("train.lr"), c.getInt("model.rws_k"), c.getInt("model.test_k"));
    }
}
