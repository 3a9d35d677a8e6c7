package org.dgm4j.nn;

import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Backends;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * Batch normalization (Ioffe and Szegedy 2015) over every axis but the channel axis 1, composed from
 * differentiable ops so autograd gives its backward. Training: per-channel batch mean μ and biased
 * variance σ², y = (x − μ)/√(σ² + eps)·γ + β, and running averages updated as
 * r = (1 − momentum)·r + momentum·s (the variance one with the unbiased batch variance, as PyTorch).
 * Evaluation normalizes with the running statistics. Buffers: running_mean, running_var (C).
 */
public abstract class BatchNorm extends Layer {
    private final long channels;
    private final double momentum, eps;
    private final Parameter weight, bias;
    private final Tensor runningMean, runningVar;

    protected BatchNorm(long channels, double momentum, double eps, boolean affine, DType dtype) {
        this.channels = channels;
        this.momentum = momentum;
        this.eps = eps;
        Shape c = Shape.of(channels);
        weight = affine ? parameter("weight", Tensor.full(Backends.current(), dtype, c, 1)) : null;
        bias = affine ? parameter("bias", Tensor.zeros(Backends.current(), dtype, c)) : null;
        runningMean = buffer("running_mean", Tensor.zeros(Backends.current(), dtype, c));
        runningVar = buffer("running_var", Tensor.full(Backends.current(), dtype, c, 1));
    }

    /** The ranks of input this layer accepts, e.g. 4 for (N, C, H, W). */
    protected abstract boolean acceptsRank(int rank);

    @Override
    public Tensor forward(Tensor x) {
        if (!acceptsRank(x.rank()) || x.dim(1) != channels) {
            throw new IllegalArgumentException(getClass().getSimpleName() + "(" + channels + "): unexpected input shape " + x.shape());
        }
        int[] axes = new int[x.rank() - 1];
        axes[0] = 0;
        for (int i = 2; i < x.rank(); i++) axes[i - 1] = i;
        long[] bc = new long[x.rank()]; // (1, C, 1, ...): per-channel values broadcast over x
        java.util.Arrays.fill(bc, 1);
        bc[1] = channels;
        Shape perChannel = Shape.of(bc);

        Tensor xhat;
        if (isTraining()) {
            long n = x.numel() / channels;
            if (n < 2) throw new IllegalArgumentException(getClass().getSimpleName() + ": training needs more than one value per channel, input " + x.shape());
            Tensor mean = Ops.mean(x, true, axes);
            Tensor centered = x.sub(mean);
            Tensor var = Ops.mean(centered.square(), true, axes);
            xhat = centered.div(var.add(eps).sqrt());
            updateRunning(mean, var, n);
        } else {
            xhat = x.sub(Ops.reshape(runningMean, perChannel)).div(Ops.reshape(runningVar, perChannel).add(eps).sqrt());
        }
        if (weight == null) return xhat;
        return xhat.mul(Ops.reshape(weight.tensor(), perChannel)).add(Ops.reshape(bias.tensor(), perChannel));
    }

    private void updateRunning(Tensor mean, Tensor var, long n) {
        try (Scope s = Scope.open(); var ng = Autograd.noGrad()) { // temporaries freed here, not with the step
            Shape c = runningMean.shape();
            Tensor m = runningMean.mul(1 - momentum).add(Ops.reshape(mean, c).mul(momentum));
            Tensor v = runningVar.mul(1 - momentum).add(Ops.reshape(var, c).mul(momentum * n / (n - 1.0)));
            runningMean.backend().kernels().copy(m, runningMean);
            runningVar.backend().kernels().copy(v, runningVar);
        }
    }

    public Tensor runningMean() {
        return runningMean;
    }

    public Tensor runningVar() {
        return runningVar;
    }

    /** γ, or null when not affine. */
    public Parameter weight() {
        return weight;
    }

    /** β, or null when not affine. */
    public Parameter bias() {
        return bias;
    }

    @Override
    protected String describe() {
        return channels + ", momentum " + momentum + ", eps " + eps + (weight == null ? ", not affine" : "");
    }
}
