package org.dgm4j.optim;

import java.util.Collection;
import org.dgm4j.tensor.Tensor;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter 2019): θ -= lr·wd·θ before the Adam step,
 * instead of adding wd·θ to the gradient. Default weight decay 0.01 (PyTorch's).
 */
public final class AdamW extends Adam {
    public AdamW(Collection<Tensor> params, double lr) {
        this(params, lr, 0.01);
    }

    public AdamW(Collection<Tensor> params, double lr, double weightDecay) {
        super(params, lr, weightDecay, true, false);
    }
}
