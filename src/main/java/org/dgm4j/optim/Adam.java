package org.dgm4j.optim;

import java.util.Collection;
import java.util.Map;
import org.dgm4j.backend.AdamStep;
import org.dgm4j.tensor.Tensor;

/**
 * Adam (Kingma and Ba 2015) as PyTorch defines it, one fused kernel per parameter
 * ({@code Kernels.adamUpdate}): m = β1·m + (1 − β1)·g, v = β2·v + (1 − β2)·g²,
 * θ -= lr/(1 − β1^t) · m / (√(v/(1 − β2^t)) + ε), t = that parameter's update count. Weight decay
 * is an L2 term added to g here; {@link AdamW} decouples it and {@link Adamax} uses the infinity norm.
 * Defaults: β = (0.9, 0.999), ε = 1e-8, no weight decay.
 */
public class Adam extends Optimizer {
    private final boolean decoupled, adamax;
    private double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay;

    public Adam(Collection<Tensor> params, double lr) {
        this(params, lr, 0, false, false);
    }

    protected Adam(Collection<Tensor> params, double lr, double weightDecay, boolean decoupled, boolean adamax) {
        super(params, lr);
        this.decoupled = decoupled;
        this.adamax = adamax;
        weightDecay(weightDecay);
    }

    public Adam betas(double b1, double b2) {
        if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) throw new IllegalArgumentException("betas must be in [0, 1), found " + b1 + ", " + b2);
        beta1 = b1;
        beta2 = b2;
        return this;
    }

    public Adam eps(double e) {
        if (!(e >= 0)) throw new IllegalArgumentException("eps must be >= 0, found " + e);
        eps = e;
        return this;
    }

    public Adam weightDecay(double wd) {
        if (!(wd >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, found " + wd);
        weightDecay = wd;
        return this;
    }

    @Override
    protected void update(int index, Tensor param, Tensor grad) {
        String second = adamax ? "exp_inf" : "exp_avg_sq"; // PyTorch's slot names
        Tensor m = slot(index, "exp_avg"), v = slot(index, second);
        if (m == null) m = newSlot(index, "exp_avg");
        if (v == null) v = newSlot(index, second);
        param.backend().kernels().adamUpdate(param, grad, m, v,
                new AdamStep(lr(), beta1, beta2, eps, weightDecay, decoupled, adamax, paramSteps(index)));
    }

    @Override
    protected void saveHyperparameters(Map<String, Double> out) {
        out.put("beta1", beta1);
        out.put("beta2", beta2);
        out.put("eps", eps);
        out.put("weight_decay", weightDecay);
    }

    @Override
    protected void loadHyperparameters(Map<String, Double> in) {
        betas(require(in, "beta1"), require(in, "beta2"));
        eps(require(in, "eps"));
        weightDecay(require(in, "weight_decay"));
    }
}
