package org.dgm4j.backend;

/** Reductions over a set of axes, {@link Kernels#reduce}; accumulation is in double. */
public enum ReduceOp {
    SUM, MEAN, MAX, MIN,
    /** log Σ exp(x), shifted by the maximum so it never overflows. */
    LOGSUMEXP
}
