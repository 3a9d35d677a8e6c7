package org.dgm4j.train;

/**
 * The loop's settings (the model's own sizes belong to the model).
 *
 * @param epochs            passes over the training set
 * @param batchSize         examples per step (the last batch of an epoch may be smaller)
 * @param lr                Adam's learning rate
 * @param seed              shuffling, binarization, objective noise and samples all derive from it
 * @param logEverySteps     a metrics row every this many steps (plus the first step and each epoch's last)
 * @param printEverySeconds without a terminal, a progress line this often
 * @param samples           images in each epoch's sample grid
 */
public record TrainConfig(int epochs, int batchSize, double lr, long seed, int logEverySteps, double printEverySeconds, int samples) {
    public TrainConfig {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, found " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, found " + batchSize);
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("learning rate must be finite and > 0, found " + lr);
        if (logEverySteps < 1) throw new IllegalArgumentException("log interval must be >= 1 step, found " + logEverySteps);
        if (!(printEverySeconds > 0)) throw new IllegalArgumentException("print interval must be > 0 seconds, found " + printEverySeconds);
        if (samples < 1) throw new IllegalArgumentException("sample count must be >= 1, found " + samples);
    }
}
