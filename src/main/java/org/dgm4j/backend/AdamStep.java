package org.dgm4j.backend;

/**
 * One Adam-family update, {@link Kernels#adamUpdate}. {@code step} counts from 1 (bias correction).
 * weightDecay is L2 (added to the gradient) unless {@code decoupled} (AdamW: θ -= lr·wd·θ).
 * {@code adamax} replaces the second moment by the infinity norm u = max(β2·u, |g|).
 */
public record AdamStep(double lr, double beta1, double beta2, double eps, double weightDecay,
                       boolean decoupled, boolean adamax, long step) {}
