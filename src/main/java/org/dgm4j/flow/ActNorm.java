package org.dgm4j.flow;

import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Backends;
import org.dgm4j.nn.Parameter;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * Activation normalization (Kingma and Dhariwal 2018): a per-channel affine map
 *
 * <pre>
 * x (B, C, ...) → y = (x + bias)·exp(logScale)    bias, logScale: (C), broadcast over B and positions
 * logdet = S·Σ_c logScale_c per example,            S = positions per channel (H·W; 1 for (B, C))
 * </pre>
 *
 * The scale is kept as its logarithm, so it is positive and its logdet term is never log 0.
 *
 * <p><b>Data-dependent initialization</b> is the explicit step {@link #initialize}: on the first batch
 * it sets bias = −mean and scale = 1/(std + eps) per channel (statistics over batch and positions, in
 * float64), so that the output has zero mean and unit variance per channel. A constant channel
 * (std 0) gets scale 1/eps and maps to exactly 0: finite, no NaN. The done-flag is the buffer
 * {@code initialized} (one element, 0 or 1) in the state dict, so checkpoints carry it and a loaded
 * model is never re-initialized; {@link #initialize} on an initialized layer changes nothing.
 * {@link #forward} and {@link #inverse} refuse to run before initialization.
 */
public final class ActNorm extends Bijector {
    /** Glow's epsilon. */
    public static final double DEFAULT_EPS = 1e-6;

    private final long channels;
    private final double eps;
    private final Parameter bias, logScale;
    private final Tensor initialized;
    /**
     * Set once the flag was seen at 1: spares reading the flag from the device on every forward. (So
     * loading an uninitialized state into an initialized layer does not re-arm forward's guard;
     * {@link #isInitialized} and {@link #initialize} always read the flag itself.)
     */
    private boolean seenInitialized;

    public ActNorm(long channels, DType dtype) {
        this(channels, DEFAULT_EPS, dtype);
    }

    public ActNorm(long channels, double eps, DType dtype) {
        if (channels <= 0 || !(eps > 0)) throw new IllegalArgumentException("ActNorm needs channels > 0 and eps > 0, found " + channels + ", " + eps);
        this.channels = channels;
        this.eps = eps;
        bias = parameter("bias", Tensor.zeros(Backends.current(), dtype, Shape.of(channels)));
        logScale = parameter("logScale", Tensor.zeros(Backends.current(), dtype, Shape.of(channels)));
        initialized = buffer("initialized", Tensor.zeros(Backends.current(), dtype, Shape.of(1)));
    }

    public Parameter bias() {
        return bias;
    }

    public Parameter logScale() {
        return logScale;
    }

    /** Whether the data-dependent initialization was done (here or in the checkpoint loaded into this layer). */
    public boolean isInitialized() {
        boolean done = initialized.item() != 0;
        seenInitialized |= done;
        return done;
    }

    private void requireInitialized() {
        if (!seenInitialized && !isInitialized()) {
            throw new IllegalStateException("ActNorm(" + channels + ") used before its data-dependent initialization: "
                    + "call initialize(batch) on the model (or load a checkpoint) first");
        }
    }

    /**
     * The data-dependent initialization on batch x (B, C, ...), if not done yet: bias = −mean,
     * logScale = −log(std + eps) per channel (population std over batch and positions, float64); then
     * the flag is set. Returns forward(x) without a graph either way.
     */
    @Override
    public Result initialize(Tensor x) {
        checkChannels(x, channels, 2, 8);
        try (var ng = Autograd.noGrad()) {
            if (!isInitialized()) {
                try (Scope s = Scope.open()) {
                    Ops.ChannelStats st = Ops.actnormStats(x); // shifted two-pass in double (Kernels.actnormStats)
                    copy(Ops.neg(st.mean()), bias.tensor());
                    copy(Ops.neg(Ops.log(Ops.addScalar(Ops.cast(st.std(), DType.F64), eps))), logScale.tensor());
                    initialized.backend().kernels().fill(initialized, 1);
                }
                seenInitialized = true;
            }
            return forward(x);
        }
    }

    private static void copy(Tensor src, Tensor dst) {
        dst.backend().kernels().copy(src, dst);
    }

    @Override
    public Result forward(Tensor x) {
        checkChannels(x, channels, 2, 8);
        requireInitialized();
        return affine(x, bias.tensor(), logScale.tensor(), false);
    }

    @Override
    public Result inverse(Tensor z) {
        checkChannels(z, channels, 2, 8);
        requireInitialized();
        return affine(z, bias.tensor(), logScale.tensor(), true);
    }

    /**
     * y = (x + bias)·exp(logScale), or its inverse x = y·exp(−logScale) − bias, per channel of x (B, C, ...);
     * logdet = ±S·Σ logScale as (B) float64, by the fused actnorm kernels ({@link Ops#actnorm}).
     */
    static Result affine(Tensor x, Tensor bias, Tensor logScale, boolean inverse) {
        Ops.WithLogdet r = inverse ? Ops.actnormInverse(x, logScale, bias) : Ops.actnorm(x, logScale, bias);
        return new Result(r.out(), r.logdet());
    }

    @Override
    protected String describe() {
        return channels + " channels, eps " + eps;
    }
}
