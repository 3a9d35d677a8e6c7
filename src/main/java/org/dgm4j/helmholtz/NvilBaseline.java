package org.dgm4j.helmholtz;

import org.dgm4j.autograd.Autograd;
import org.dgm4j.backend.Backends;
import org.dgm4j.nn.Linear;
import org.dgm4j.nn.Module;
import org.dgm4j.nn.Sequential;
import org.dgm4j.nn.Tanh;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * NVIL's variance reduction (Mnih and Gregor 2014) for the score-function gradient of q: an
 * input-dependent baseline C(x) (an MLP D → hidden tanh → 1, entry {@code net}) and running estimates
 * of the mean c and variance v of the centered learning signal l − C(x) (buffers {@code mean},
 * {@code var}, saved with the model so a resumed run continues them). The signal used for q is
 * A = (l − C(x) − c) / max(1, √v).
 */
public final class NvilBaseline extends Module {
    private final Sequential net;
    private final Tensor mean, var;
    private final double alpha;
    private final long hidden;

    /** {@code alpha}: the running averages' decay (the paper's 0.8). Running mean starts at 0, variance at 1. */
    public NvilBaseline(long inputs, long hidden, double alpha, DType dtype, Generator init) {
        if (hidden < 1) throw new IllegalArgumentException("NVIL baseline needs >= 1 hidden unit, found " + hidden);
        if (!(alpha >= 0 && alpha < 1)) throw new IllegalArgumentException("NVIL alpha must be in [0, 1), found " + alpha);
        this.alpha = alpha;
        this.hidden = hidden;
        net = module("net", new Sequential(new Linear(inputs, hidden, true, dtype, init), new Tanh(), new Linear(hidden, 1, true, dtype, init)));
        mean = buffer("mean", Tensor.zeros(Backends.current(), dtype, Shape.of(1)));
        var = buffer("var", Tensor.full(Backends.current(), dtype, Shape.of(1), 1));
    }

    public double alpha() {
        return alpha;
    }

    public long hidden() {
        return hidden;
    }

    /** C(x): x (B, D) → (B). */
    public Tensor baseline(Tensor x) {
        return net.forward(x).reshape(x.dim(0));
    }

    /**
     * Updates the running mean and variance with the batch of centered signals {@code centered} (B) =
     * l − C(x) (no graph), then returns the normalized signal A = (centered − c)/max(1, √v) (B).
     */
    public Tensor normalize(Tensor centered) {
        try (var ng = Autograd.noGrad()) {
            Tensor m = centered.mean(), d = centered.sub(m);
            Tensor v = d.square().mean();
            Tensor newMean = mean.mul(alpha).add(m.reshape(1).mul(1 - alpha));
            Tensor newVar = var.mul(alpha).add(v.reshape(1).mul(1 - alpha));
            mean.backend().kernels().copy(newMean, mean);
            var.backend().kernels().copy(newVar, var);
            double scale = Math.max(1, Math.sqrt(var.item()));
            return centered.sub(mean).mul(1 / scale);
        }
    }

    /** The running mean c. */
    public double runningMean() {
        return mean.item();
    }

    /** The running variance v. */
    public double runningVariance() {
        return var.item();
    }
}
