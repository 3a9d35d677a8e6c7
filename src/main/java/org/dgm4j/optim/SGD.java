package org.dgm4j.optim;

import java.util.Collection;
import java.util.Map;
import org.dgm4j.tensor.Tensor;

/**
 * Stochastic gradient descent as PyTorch's SGD, one fused kernel per parameter
 * ({@code Kernels.sgdUpdate}): g' = g + wd·θ; b = momentum·b + (1 − dampening)·g' (b = g' on a
 * parameter's first update); step = nesterov ? g' + momentum·b : b; θ -= lr·step.
 * Configure with the fluent setters: {@code new SGD(params, 0.1).momentum(0.9).nesterov(true)}.
 */
public final class SGD extends Optimizer {
    private static final String BUFFER = "momentum_buffer";
    private double momentum, dampening, weightDecay;
    private boolean nesterov;

    public SGD(Collection<Tensor> params, double lr) {
        super(params, lr);
    }

    public SGD momentum(double m) {
        if (!(m >= 0)) throw new IllegalArgumentException("momentum must be >= 0, found " + m);
        momentum = m;
        return this;
    }

    public SGD dampening(double d) {
        dampening = d;
        return this;
    }

    /** L2 penalty added to the gradient. */
    public SGD weightDecay(double wd) {
        if (!(wd >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, found " + wd);
        weightDecay = wd;
        return this;
    }

    /** Nesterov momentum (Sutskever et al. 2013); needs momentum > 0 and dampening 0. */
    public SGD nesterov(boolean on) {
        nesterov = on;
        return this;
    }

    @Override
    protected void update(int index, Tensor param, Tensor grad) {
        if (nesterov && (momentum <= 0 || dampening != 0)) throw new IllegalStateException("Nesterov momentum needs momentum > 0 and dampening 0");
        Tensor buf = null;
        boolean first = false;
        if (momentum != 0) {
            buf = slot(index, BUFFER);
            first = buf == null;
            if (first) buf = newSlot(index, BUFFER);
        }
        param.backend().kernels().sgdUpdate(param, grad, buf, lr(), momentum, dampening, weightDecay, nesterov, first);
    }

    @Override
    protected void saveHyperparameters(Map<String, Double> out) {
        out.put("momentum", momentum);
        out.put("dampening", dampening);
        out.put("weight_decay", weightDecay);
        out.put("nesterov", nesterov ? 1.0 : 0.0);
    }

    @Override
    protected void loadHyperparameters(Map<String, Double> in) {
        momentum = require(in, "momentum");
        dampening = require(in, "dampening");
        weightDecay = require(in, "weight_decay");
        nesterov = require(in, "nesterov") != 0;
    }
}
