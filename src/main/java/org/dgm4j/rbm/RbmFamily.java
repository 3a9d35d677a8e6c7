package org.dgm4j.rbm;

import java.util.List;
import java.util.Map;
import org.dgm4j.config.Config;
import org.dgm4j.config.ConfigKey;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.ModelFamily;
import org.dgm4j.train.Trainable;

/**
 * {@code model: rbm}: a {@link BinaryRbm} on dynamically binarized images (each pixel a visible unit),
 * trained by CD-k or PCD-k ({@link RbmTrainable}) with SGD, momentum and weight decay on W as in
 * Hinton's practical guide. Its log-likelihood needs log Z: {@code dgm4j nll} estimates it by AIS.
 */
public final class RbmFamily implements ModelFamily {
    @Override
    public String name() {
        return "rbm";
    }

    @Override
    public String summary() {
        return "binary restricted Boltzmann machine trained by CD-k or persistent CD (loss: reconstruction error; log-likelihood by dgm4j nll with AIS)";
    }

    @Override
    public List<ConfigKey> options() {
        return List.of(
                ConfigKey.integer("model.hidden", 500, "binary hidden units"),
                ConfigKey.integer("model.k", 1, "Gibbs sweeps per update"),
                ConfigKey.bool("model.persistent", false, "persistent CD (chains kept across updates, saved in checkpoints) instead of CD"),
                ConfigKey.integer("model.chains", 100, "persistent chains (PCD only)"),
                ConfigKey.number("model.momentum", 0.5, "SGD momentum in the first model.momentum_epochs epochs"),
                ConfigKey.integer("model.momentum_epochs", 1, "epochs at model.momentum before model.final_momentum"),
                ConfigKey.number("model.final_momentum", 0.9, "SGD momentum afterwards"),
                ConfigKey.number("model.weight_decay", 2e-4, "L2 coefficient on W (not the biases)"),
                ConfigKey.number("model.init_std", 0.01, "W ~ N(0, std^2) at the start"),
                ConfigKey.integer("model.sample_steps", 1000, "Gibbs sweeps per picture sample, from Bernoulli(sigmoid(b))"));
    }

    @Override
    public Map<String, Object> defaults() {
        return Map.of("train.lr", 0.05, "train.batch_size", 100, "train.epochs", 2);
    }

    @Override
    public Trainable create(Config c, long[] shape, Generator init) {
        long visible = 1;
        for (long d : shape) visible *= d;
        BinaryRbm rbm = new BinaryRbm(Math.toIntExact(visible), c.getInt("model.hidden"), DType.F32, c.getDouble("model.init_std"), init);
        boolean pcd = c.getBool("model.persistent");
        int k = c.getInt("model.k");
        ContrastiveDivergence.Options o = (pcd ? ContrastiveDivergence.Options.pcd(k, c.getInt("model.chains"), c.getDouble("train.lr"))
                : ContrastiveDivergence.Options.cd(k, c.getDouble("train.lr"))).withWeightDecay(c.getDouble("model.weight_decay"));
        return new RbmTrainable(rbm, shape, o, new RbmTrainable.Momentum(c.getDouble("model.momentum"), c.getInt("model.momentum_epochs"),
                c.getDouble("model.final_momentum")), c.getInt("model.sample_steps"));
    }

    /** The RBM of a saved {@code rbm} run: its metadata and the tensors of model.safetensors (keys "rbm.*"). */
    public static BinaryRbm load(Map<String, String> metadata, Map<String, Tensor> tensors) {
        BinaryRbm rbm = new BinaryRbm(Integer.parseInt(metadata.get("visible")), Integer.parseInt(metadata.get("hidden")), DType.F32, 0,
                new Generator(0));
        rbm.loadStateDict(RbmTrainable.rbmTensors(tensors));
        return rbm;
    }
}
