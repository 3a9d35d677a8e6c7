package org.dgm4j.flow;

import org.dgm4j.autograd.Ops;
import org.dgm4j.tensor.Tensor;

/**
 * The affine coupling of RealNVP and Glow with Glow's bounded scale:
 *
 * <pre>
 * (shift, raw) = net(x_c), split in halves along axis 1
 * s   = sigmoid(raw + 2)               in (0, 1), never 0; σ(2) ≈ 0.88 at a zero-initialized net
 * y_t = (x_t + shift)·s                inverse: x_t = y_t / s − shift
 * logdet = Σ log s = −Σ softplus(−(raw + 2)) per example, summed in float64
 * </pre>
 *
 * Masks and shapes as {@link Coupling}; with the checkerboard mask only the free positions (1 − b)
 * are transformed and counted in the logdet.
 */
public final class AffineCoupling extends Coupling {
    public AffineCoupling(long channels, Mask mask, boolean flip, CouplingNet net) {
        super(channels, mask, flip, 2, net);
    }

    @Override
    protected Result transform(Tensor x, Tensor h, Tensor free, boolean inverse) {
        Tensor[] parts = Ops.split(h, 1, h.dim(1) / 2, h.dim(1) / 2);
        return inverse ? uncouple(x, parts[1], parts[0], free) : couple(x, parts[1], parts[0], free);
    }

    /**
     * y = x + m⊙((x + shift)·σ(raw + 2) − x) with m = free or all ones (then y = (x + shift)·σ(raw + 2));
     * logdet = Σ m⊙log σ(raw + 2) per example (B). x, raw, shift: one shape (B, c, ...); free broadcasts.
     * Without a mask this is the fused kernel ({@link Ops#affineCoupling}); the checkerboard mask keeps
     * the composed form, since the fused logdet counts every position.
     */
    static Result couple(Tensor x, Tensor raw, Tensor shift, Tensor free) {
        if (free == null) {
            Ops.WithLogdet r = Ops.affineCoupling(x, raw, shift);
            return new Result(r.out(), r.logdet());
        }
        Tensor pre = Ops.addScalar(raw, 2);
        Tensor s = Ops.sigmoid(pre);
        Tensor logS = Ops.neg(Ops.softplus(Ops.neg(pre)));
        Tensor moved = Ops.mul(Ops.add(x, shift), s);
        return new Result(Ops.add(x, Ops.mul(free, Ops.sub(moved, x))), sumPerExample(Ops.mul(logS, free)));
    }

    /** The inverse of {@link #couple}: x = y + m⊙(y/σ(raw + 2) − shift − y); logdet = −Σ m⊙log σ(raw + 2). */
    static Result uncouple(Tensor y, Tensor raw, Tensor shift, Tensor free) {
        if (free == null) {
            Ops.WithLogdet r = Ops.affineCouplingInverse(y, raw, shift);
            return new Result(r.out(), r.logdet());
        }
        Tensor pre = Ops.addScalar(raw, 2);
        Tensor s = Ops.sigmoid(pre);
        Tensor logS = Ops.softplus(Ops.neg(pre)); // −log s
        Tensor back = Ops.sub(Ops.div(y, s), shift);
        return new Result(Ops.add(y, Ops.mul(free, Ops.sub(back, y))), sumPerExample(Ops.mul(logS, free)));
    }

    @Override
    protected String describe() {
        return "affine, " + super.describe();
    }
}
