package org.dgm4j.train;

import org.dgm4j.config.Config;

/**
 * The loop's settings, read from a resolved {@link Config} (the model's own sizes belong to the model).
 *
 * @param epochs            passes over the training set
 * @param batchSize         examples per step (the last batch of an epoch may be smaller)
 * @param seed              shuffling, binarization, objective noise and samples all derive from it
 * @param logEverySteps     a metrics row every this many steps (plus the first step and each epoch's last)
 * @param printEverySeconds without a terminal, a progress line this often
 * @param samples           images (or points) in each epoch's samples
 * @param checkpointEverySteps   a checkpoint every this many steps (0: only at epoch ends and on signals)
 * @param checkpointEveryMinutes a checkpoint when this much time passed since the last (0: off)
 * @param keepCheckpoints   how many of the newest checkpoints are kept
 * @param usr1Continue      SIGUSR1 checkpoints and keeps going (true) or checkpoints and stops (false)
 * @param nonFiniteRollbacks on a NaN/Inf: 0 stops the run; n > 0 rolls back to the newest checkpoint
 *                          and skips the offending batch, at most n times in a run
 */
public record TrainConfig(int epochs, int batchSize, long seed, int logEverySteps, double printEverySeconds, int samples,
        long checkpointEverySteps, double checkpointEveryMinutes, int keepCheckpoints, boolean usr1Continue, int nonFiniteRollbacks,
        double clipNorm) {
    public TrainConfig {
        if (epochs < 1) throw new IllegalArgumentException("train.epochs must be >= 1, found " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("train.batch_size must be >= 1, found " + batchSize);
        if (logEverySteps < 1) throw new IllegalArgumentException("train.log_every must be >= 1 step, found " + logEverySteps);
        if (!(printEverySeconds > 0)) throw new IllegalArgumentException("train.print_every_s must be > 0 seconds, found " + printEverySeconds);
        if (samples < 1) throw new IllegalArgumentException("train.samples must be >= 1, found " + samples);
        if (checkpointEverySteps < 0) throw new IllegalArgumentException("checkpoint.every_steps must be >= 0, found " + checkpointEverySteps);
        if (!(checkpointEveryMinutes >= 0)) throw new IllegalArgumentException("checkpoint.every_minutes must be >= 0, found " + checkpointEveryMinutes);
        if (keepCheckpoints < 1) throw new IllegalArgumentException("checkpoint.keep must be >= 1, found " + keepCheckpoints);
        if (nonFiniteRollbacks < 0) throw new IllegalArgumentException("guard.rollbacks must be >= 0, found " + nonFiniteRollbacks);
        if (!(clipNorm >= 0) || Double.isInfinite(clipNorm)) throw new IllegalArgumentException("train.clip_norm must be finite and >= 0, found " + clipNorm);
    }

    /** The loop's settings from a config resolved against {@link RunSchema}. */
    public static TrainConfig from(Config c) {
        double lr = c.getDouble("train.lr");
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("train.lr must be finite and > 0, found " + lr);
        return new TrainConfig(c.getInt("train.epochs"), c.getInt("train.batch_size"), c.getLong("train.seed"),
                c.getInt("train.log_every"), c.getDouble("train.print_every_s"), c.getInt("train.samples"),
                c.getLong("checkpoint.every_steps"), c.getDouble("checkpoint.every_minutes"), c.getInt("checkpoint.keep"),
                c.getString("signals.usr1").equals("continue"), c.getInt("guard.rollbacks"), c.getDouble("train.clip_norm"));
    }
}
