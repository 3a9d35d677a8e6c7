package org.dgm4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dgm4j.config.ConfigKey;

/**
 * The keys every run has (model, backend, data, loop, checkpoints, signals, guard) plus the chosen
 * family's own {@code model.*} keys, with the family's preferred defaults.
 */
public final class RunSchema {
    /** Data sets {@code data.set} accepts. */
    public static final String[] DATA_SETS = {"fashion-mnist", "two-moons", "ring8", "ring8-unequal", "ring8-minor", "checkerboard", "rings"};

    private RunSchema() {}

    public static List<ConfigKey> keys(ModelFamily family, List<String> familyNames) {
        Map<String, Object> d = family.defaults();
        List<ConfigKey> keys = new ArrayList<>(List.of(
                ConfigKey.choice("model", family.name(), "model family", familyNames.toArray(String[]::new)),
                ConfigKey.choice("backend", "auto", "auto (CUDA when usable, else CPU), cpu or cuda", "auto", "cpu", "cuda"),
                ConfigKey.choice("dist.backend", "auto", "data parallelism: auto (when mpirun/srun started several processes: NCCL on CUDA "
                        + "where usable, else MPI; else local), local, mpi or nccl", "auto", "local", "mpi", "nccl"),
                ConfigKey.choice("data.set", (String) d.getOrDefault("data.set", "fashion-mnist"), "training data", DATA_SETS),
                ConfigKey.integer("data.limit_train", 0, "use only the first N training examples (0: all)"),
                ConfigKey.integer("data.limit_test", 0, "evaluate on the first N test examples only (0: all)"),
                ConfigKey.integer("data.points", 50_000, "training points drawn for a 2-D set (the test set has 10,000)"),
                ConfigKey.integer("train.epochs", ((Number) d.getOrDefault("train.epochs", 5)).intValue(), "passes over the training set"),
                ConfigKey.integer("train.batch_size", ((Number) d.getOrDefault("train.batch_size", 128)).intValue(), "examples per step"),
                ConfigKey.number("train.lr", ((Number) d.getOrDefault("train.lr", 1e-3)).doubleValue(), "learning rate"),
                ConfigKey.longInteger("train.seed", 0, "seed of initialization, shuffling, noise and samples"),
                ConfigKey.choice("train.lr_schedule", "constant", "learning rate over the run: constant, or cosine (from train.lr down to 0 at the "
                        + "last step, after the warm-up); every optimizer of the model is scaled alike", "constant", "cosine"),
                ConfigKey.longInteger("train.warmup_steps", 0, "the learning rate rises linearly from train.lr/N to train.lr over the first N steps"),
                ConfigKey.number("train.clip_norm", 0, "clip each update's gradients to this global L2 norm, as PyTorch's clip_grad_norm_ (0: off); the norm before clipping is logged as grad_norm"),
                ConfigKey.integer("train.log_every", 20, "a metrics row every N steps"),
                ConfigKey.number("train.print_every_s", 10, "without a terminal, a progress line every S seconds"),
                ConfigKey.integer("train.samples", 64, "samples drawn for each epoch's picture"),
                ConfigKey.longInteger("checkpoint.every_steps", 0, "a checkpoint every N steps (0: at epoch ends and on signals only)"),
                ConfigKey.number("checkpoint.every_minutes", 10, "a checkpoint when M minutes passed since the last (0: off)"),
                ConfigKey.integer("checkpoint.keep", 3, "newest checkpoints kept"),
                ConfigKey.choice("signals.usr1", "stop", "on SIGUSR1: checkpoint and stop (exit 3), or checkpoint and continue", "stop", "continue"),
                ConfigKey.integer("guard.rollbacks", 0, "on a NaN/Inf loss or gradient: 0 stops; N rolls back to the newest checkpoint and skips the batch, at most N times")));
        keys.addAll(family.options());
        for (ConfigKey k : family.options()) {
            if (!k.name().startsWith("model.")) throw new IllegalStateException(family.name() + " option " + k.name() + " must start with model.");
        }
        return keys;
    }
}
