package org.dgm4j.optim;

import java.util.Collection;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.backend.UnaryOp;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;

/** Gradient clipping. Parameters without a gradient are ignored. */
public final class Clip {
    private Clip() {}

    /** √(Σ over all gradients of g²), accumulated in double (float32 sums of squares lose digits). */
    public static double globalNorm(Collection<Tensor> params) {
        double sumSq = 0;
        try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g == null) continue;
                sumSq += g.toDType(DType.F64).square().sum().item();
            }
        }
        return Math.sqrt(sumSq);
    }

    /**
     * Scales all gradients together by maxNorm / (norm + 1e-6) when their global L2 norm exceeds
     * maxNorm (PyTorch's clip_grad_norm_), keeping their direction. Returns the norm before
     * clipping. A non-finite norm is returned with the gradients left as they are, so the caller's
     * NaN/Inf guard sees it rather than a tensor of NaNs.
     */
    public static double byGlobalNorm(Collection<Tensor> params, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("max norm must be > 0, found " + maxNorm);
        double norm = globalNorm(params);
        if (!Double.isFinite(norm)) return norm;
        double scale = maxNorm / (norm + 1e-6);
        if (scale < 1) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g != null) g.backend().kernels().unary(UnaryOp.MUL_SCALAR, scale, g, g);
            }
        }
        return norm;
    }
}
