package org.dgm4j.flow;

import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.nn.Module;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * An invertible, differentiable map of a batch, with the log-determinant of its Jacobian per example.
 *
 * <pre>
 * forward  x (B, *in)  → (z (B, *out), logdet (B) float64)   logdet_b = log|det ∂z_b/∂x_b|
 * inverse  z (B, *out) → (x (B, *in),  logdet (B) float64)   logdet_b = log|det ∂x_b/∂z_b| = −forward's at that x
 * </pre>
 *
 * {@code *out} has the element count of {@code *in} ({@link #outputShape}); most bijectors keep the
 * shape. Log-determinants are always float64 of shape (B), whatever the data's dtype: each layer sums
 * its own terms in float64 and compositions ({@link Chain}, {@link MultiScale}) add them in float64.
 *
 * <p>Data-dependent initialization (ActNorm) is an explicit step: {@link #initialize} runs a batch
 * through, initializing every layer that still needs it on its own input; forward and inverse never
 * initialize anything behind the caller's back.
 */
public abstract class Bijector extends Module {
    /**
     * @param value  the mapped batch (z for forward, x for inverse)
     * @param logdet (B) float64: log|det| of the Jacobian of the map just applied, per example
     */
    public record Result(Tensor value, Tensor logdet) {}

    /** x (B, *in) → z (B, *out) and log|det ∂z/∂x| (B). */
    public abstract Result forward(Tensor x);

    /** z (B, *out) → x (B, *in) and log|det ∂x/∂z| (B) = −(forward's logdet at x). */
    public abstract Result inverse(Tensor z);

    /** The per-example output shape for a per-example input shape; the identity unless overridden. */
    public Shape outputShape(Shape in) {
        return in;
    }

    /**
     * Runs {@code x} forward without a graph, first performing the pending data-dependent initialization
     * of every layer it passes through (each on the input that layer actually sees). Layers already
     * initialized (by an earlier call or a loaded checkpoint) are left alone. Returns the forward result.
     */
    public Result initialize(Tensor x) {
        try (var ng = Autograd.noGrad()) {
            return forward(x);
        }
    }

    // ---- helpers shared by the bijectors -----------------------------------------------------------

    /** Zeros (B) float64 on x's backend: the logdet of a volume-preserving map. */
    protected static Tensor zeroLogdet(Tensor x) {
        return Tensor.zeros(x.backend(), DType.F64, Shape.of(x.dim(0)));
    }

    /** t (B, ...) summed per example in float64 → (B). */
    protected static Tensor sumPerExample(Tensor t) {
        Tensor d = Ops.cast(t, DType.F64);
        if (d.rank() == 1) return d;
        int[] axes = new int[d.rank() - 1];
        for (int i = 0; i < axes.length; i++) axes[i] = i + 1;
        return Ops.sum(d, false, axes);
    }

    /** One value shared by every example, a float64 scalar or one-element tensor, as (B). */
    protected static Tensor perExample(Tensor value, long batch) {
        Tensor d = Ops.cast(value, DType.F64);
        return Ops.expand(Ops.reshape(d, Shape.of(1)), Shape.of(batch));
    }

    /** log|det| sums of per-channel terms: S = numel / (B·C) positions per channel (H·W, or 1 for (B, C)). */
    protected static long positionsPerChannel(Tensor x) {
        return x.numel() / (x.dim(0) * x.dim(1));
    }

    /** A per-channel vector (C) viewed as (1, C, 1, ..., 1) so it broadcasts over x of the given rank. */
    protected static Tensor channelView(Tensor v, int rank) {
        long[] dims = new long[rank];
        java.util.Arrays.fill(dims, 1);
        dims[1] = v.numel();
        return Ops.reshape(v, Shape.of(dims));
    }

    /** Checks x is (B, channels, ...) of rank at least 2 (and at most maxRank). */
    protected void checkChannels(Tensor x, long channels, int minRank, int maxRank) {
        if (x.rank() < minRank || x.rank() > maxRank || x.dim(1) != channels) {
            String want = minRank == maxRank && minRank == 4 ? "(B, " + channels + ", H, W)" : minRank == maxRank ? "(B, " + channels + ")" : "(B, " + channels + ", ...)";
            throw new IllegalArgumentException(getClass().getSimpleName() + ": input must be " + want + ", found " + x.shape());
        }
    }
}
