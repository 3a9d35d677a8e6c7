package org.dgm4j.optim;

/**
 * A learning rate as a pure function of the 0-based index of the update, so a resumed run (whose
 * optimizer restored its step count) continues with exactly the rates it would have used. Call
 * {@link #apply} before each {@link Optimizer#step()}:
 *
 * <pre>{@code
 * LrSchedule schedule = LrSchedule.cosine(1e-3, 10_000, 1e-5).withWarmup(500);
 * schedule.apply(optimizer);
 * optimizer.step();
 * }</pre>
 */
@FunctionalInterface
public interface LrSchedule {
    /** The learning rate of update number {@code step} (0 for the first). */
    double lr(long step);

    /** Sets the optimizer's lr for its next update ({@link Optimizer#steps()}) and returns it. */
    default double apply(Optimizer optimizer) {
        double v = lr(optimizer.steps());
        optimizer.setLr(v);
        return v;
    }

    static LrSchedule constant(double lr) {
        return step -> lr;
    }

    /** lr·gamma^⌊step / every⌋. */
    static LrSchedule stepDecay(double lr, long every, double gamma) {
        if (every <= 0) throw new IllegalArgumentException("step decay interval must be > 0, found " + every);
        return step -> lr * Math.pow(gamma, Math.floorDiv(step, every));
    }

    /** lr·gamma^step. */
    static LrSchedule exponential(double lr, double gamma) {
        return step -> lr * Math.pow(gamma, step);
    }

    /**
     * Cosine annealing (Loshchilov and Hutter 2017) from lr to minLr over {@code steps} updates, then
     * minLr: minLr + (lr − minLr)·(1 + cos(π·min(step, steps)/steps))/2.
     */
    static LrSchedule cosine(double lr, long steps, double minLr) {
        if (steps <= 0) throw new IllegalArgumentException("cosine decay length must be > 0, found " + steps);
        return step -> minLr + (lr - minLr) * (1 + Math.cos(Math.PI * Math.min(step, steps) / steps)) / 2;
    }

    /**
     * Linear warm-up over the first {@code warmup} updates, rising to this schedule's first value:
     * update s &lt; warmup gets lr(0)·(s + 1)/warmup; later updates get lr(s − warmup), so the decay
     * starts when the warm-up ends.
     */
    default LrSchedule withWarmup(long warmup) {
        if (warmup < 0) throw new IllegalArgumentException("warm-up length must be >= 0, found " + warmup);
        LrSchedule after = this;
        return step -> step < warmup ? after.lr(0) * (step + 1) / warmup : after.lr(step - warmup);
    }
}
