package org.dgm4j.optim;

import java.util.Collection;
import org.dgm4j.tensor.Tensor;

/**
 * Adamax (Kingma and Ba 2015, section 7) as PyTorch defines it: u = max(β2·u, |g| + ε),
 * θ -= lr/(1 − β1^t) · m / u. PyTorch's default lr is 2e-3.
 */
public final class Adamax extends Adam {
    public Adamax(Collection<Tensor> params, double lr) {
        super(params, lr, 0, false, true);
    }
}
