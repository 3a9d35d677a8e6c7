package org.dgm4j.train;

import java.util.List;
import java.util.Map;
import org.dgm4j.config.Config;
import org.dgm4j.config.ConfigKey;
import org.dgm4j.tensor.Generator;

/**
 * A model family as {@code dgm4j train} knows it: its name, its own settings (config keys
 * {@code model.<key>}), its preferred defaults for the run's common settings, how it wants images
 * served, and how to build it.
 */
public interface ModelFamily {
    /** The value of the config key {@code model}, e.g. "vae". */
    String name();

    /** One line for help texts. */
    String summary();

    /** This family's own keys; their names start with {@code model.}. */
    List<ConfigKey> options();

    /** Common keys whose default differs for this family, e.g. {@code data.set = two-moons}, {@code train.lr = 1e-4}. */
    default Map<String, Object> defaults() {
        return Map.of();
    }

    /** How images reach the model (binarized, dequantized, scaled); point sets ignore it. */
    default BatchInput input(Config config) {
        return BatchInput.dynamicBinarization();
    }

    /**
     * The model and its optimizers, parameters drawn from {@code init}, on the current backend.
     * {@code exampleShape}: one example without the batch axis, e.g. [1, 28, 28] or [2].
     */
    Trainable create(Config config, long[] exampleShape, Generator init);
}
