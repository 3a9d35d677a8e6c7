package org.dgm4j.distributions;

import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.BinaryOp;
import org.dgm4j.tensor.Tensor;

/**
 * The discretized logistic of PixelCNN++ (Salimans et al. 2017) and IAF (Kingma et al. 2016) for
 * 8-bit (or n-bit) images scaled to [−1, 1]: pixel k of {@code bins} values sits at
 * x = 2k/(bins − 1) − 1 and owns the bin [x − h, x + h] with h = 1/(bins − 1) (1/255 for 8 bits).
 * With CDF F(t) = σ((t − μ)/s):
 *
 * <pre>
 * P(k) = F(x + h)                 k = 0          (the bin reaches down to −∞)
 *        1 − F(x − h)             k = bins − 1   (up to +∞)
 *        F(x + h) − F(x − h)      otherwise
 * </pre>
 *
 * so the bins' probabilities sum to exactly 1. Computed without cancellation for any μ and s: with
 * a = (x − μ + h)/s, b = (x − μ − h)/s and d = a − b = 2h/s,
 * σ(a) − σ(b) = σ(a)·σ(−b)·(1 − e^(−d)), hence
 * log P = log σ(a) + log σ(−b) + log(1 − e^(−d)) with log σ(a) = −softplus(−a),
 * log σ(−b) = −softplus(b) and log(1 − e^(−d)) = log tanh(d/2) + softplus(−d) (tanh is accurate for
 * small arguments, where 1 − e^(−d) would cancel). Each edge bin keeps its one factor:
 * log P(0) = −softplus(−a), log P(bins − 1) = −softplus(b). No branch on the values (only on the
 * data's edge bins), no clamp on the probabilities, and the gradient is exact everywhere. The log-scale
 * is clamped below at {@link #MIN_LOG_SCALE} as in PixelCNN++ (its gradient is zero there).
 */
public final class DiscretizedLogistic {
    /** Lower clamp of log s: a bin of width 2/255 under s = e^−7 already holds 99.97 % of the mass. */
    public static final double MIN_LOG_SCALE = -7;

    private DiscretizedLogistic() {}

    /** The scaled value of pixel k: 2k/(bins − 1) − 1. */
    public static double center(int k, int bins) {
        return 2.0 * k / (bins - 1) - 1;
    }

    /**
     * log P(x) elementwise in nats. x: pixels on the grid 2k/(bins − 1) − 1 (any shape); mean and
     * logScale: the same shape as x (or broadcasting to it) → x's shape (broadcast).
     */
    public static Tensor logProb(Tensor x, Tensor mean, Tensor logScale, int bins) {
        if (bins < 2) throw new IllegalArgumentException("bins must be >= 2, found " + bins);
        double h = 1.0 / (bins - 1);
        Tensor ls = Ops.maximum(logScale, Ops.scalarLike(logScale, MIN_LOG_SCALE));
        Tensor invS = ls.neg().exp();
        Tensor centered = x.sub(mean);
        Tensor a = centered.add(h).mul(invS), b = centered.sub(h).mul(invS);
        Tensor halfD = invS.mul(h); // d/2
        Tensor lower = a.neg().softplus().neg(); // log σ(a) = log F(x + h)
        Tensor upper = b.softplus().neg(); // log σ(−b) = log(1 − F(x − h))
        Tensor width = halfD.tanh().log().add(halfD.mul(-2).softplus()); // log(1 − e^(−d))
        // edge masks from the data (constants): the first bin has no lower edge, the last no upper edge
        Tensor first = Ops.binary(BinaryOp.LT, x, Ops.scalarLike(x, -1 + h)), last = Ops.binary(BinaryOp.GT, x, Ops.scalarLike(x, 1 - h));
        Tensor notLast = last.neg().add(1), notFirst = first.neg().add(1), interior = notFirst.sub(last);
        return lower.mul(notLast).add(upper.mul(notFirst)).add(width.mul(interior));
    }
}
