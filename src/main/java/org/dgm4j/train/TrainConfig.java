package org.dgm4j.train;

import org.dgm4j.config.Config;
import org.dgm4j.optim.LrSchedule;

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
 * @param clipNorm          clip each update's gradients to this global L2 norm (0: off)
 * @param cosine            the learning rates follow a cosine from their initial values to 0 at the last step
 * @param warmupSteps       the learning rates rise linearly over the first this many steps
 */
public record TrainConfig(int epochs, int batchSize, long seed, int logEverySteps, double printEverySeconds, int samples,
        long checkpointEverySteps, double checkpointEveryMinutes, int keepCheckpoints, boolean usr1Continue, int nonFiniteRollbacks,
        double clipNorm, boolean cosine, long warmupSteps) {
    /** The settings of a run with a constant learning rate. */
    public TrainConfig(int epochs, int batchSize, long seed, int logEverySteps, double printEverySeconds, int samples,
                       long checkpointEverySteps, double checkpointEveryMinutes, int keepCheckpoints, boolean usr1Continue,
                       int nonFiniteRollbacks, double clipNorm) {
        this(epochs, batchSize, seed, logEverySteps, printEverySeconds, samples, checkpointEverySteps, checkpointEveryMinutes,
                keepCheckpoints, usr1Continue, nonFiniteRollbacks, clipNorm, false, 0);
    }

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
        if (warmupSteps < 0) throw new IllegalArgumentException("train.warmup_steps must be >= 0, found " + warmupSteps);
    }

    /**
     * The factor on every optimizer's initial learning rate at update {@code step} (0-based) of a run of
     * {@code totalSteps}: 1, or the warm-up's ramp, then the cosine down to 0 at the last step.
     */
    public LrSchedule lrFactor(long totalSteps) {
        LrSchedule after = cosine ? LrSchedule.cosine(1, Math.max(1, totalSteps - warmupSteps), 0) : LrSchedule.constant(1);
        return warmupSteps > 0 ? after.withWarmup(warmupSteps) : after;
    }

    /** Whether the learning rates change during the run. */
    public boolean scheduled() {
        return cosine || warmupSteps > 0;
    }

    /** The loop's settings from a config resolved against {@link RunSchema}. */
    public static TrainConfig from(Config c) {
        double lr = c.getDouble("train.lr");
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("train.lr must be finite and > 0, found " + lr);
        return new TrainConfig(c.getInt("train.epochs"), c.getInt("train.batch_size"), c.getLong("train.seed"),
                c.getInt("train.log_every"), c.getDouble("train.print_every_s"), c.getInt("train.samples"),
                c.getLong("checkpoint.every_steps"), c.getDouble("checkpoint.every_minutes"), c.getInt("checkpoint.keep"),
                c.getString("signals.usr1").equals("continue"), c.getInt("guard.rollbacks"), c.getDouble("train.clip_norm"),
                c.getString("train.lr_schedule").equals("cosine"), c.getLong("train.warmup_steps"));
    }
}
