package org.dgm4j.flow;

import org.dgm4j.autograd.Ops;
import org.dgm4j.tensor.Tensor;

/**
 * NICE's additive coupling (Dinh et al. 2015): the transformed part is shifted by the net's output,
 * y_t = x_t + m(x_c); volume preserving, logdet = 0. Masks and shapes as {@link Coupling}.
 */
public final class AdditiveCoupling extends Coupling {
    public AdditiveCoupling(long channels, Mask mask, boolean flip, CouplingNet net) {
        super(channels, mask, flip, 1, net);
    }

    @Override
    protected Result transform(Tensor x, Tensor shift, Tensor free, boolean inverse) {
        return new Result(shift(x, shift, free, inverse), zeroLogdet(x));
    }

    /** y = x ± m⊙shift with m = free or all ones. The swap point for a fused kernel. */
    private static Tensor shift(Tensor x, Tensor shift, Tensor free, boolean inverse) {
        Tensor t = free == null ? shift : Ops.mul(shift, free);
        return inverse ? Ops.sub(x, t) : Ops.add(x, t);
    }

    @Override
    protected String describe() {
        return "additive, " + super.describe();
    }
}
