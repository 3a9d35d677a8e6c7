package org.dgm4j.flow;

import org.dgm4j.autograd.Ops;
import org.dgm4j.tensor.Tensor;

/**
 * Bits per dimension of n-bit images under a flow density, as the Glow paper (and its code) defines it.
 *
 * <p><b>Derivation.</b> Pixels x ∈ {0, …, 2^n − 1}^D are dequantized uniformly:
 * y = (x + u)/2^n − offset with u ~ U[0, 1)^D (offset 0: y ∈ [0, 1)^D as in RealNVP; offset ½: Glow's
 * [−½, ½)^D; see {@link org.dgm4j.data.Dequantize}). Each pixel value owns a cube of side 2^−n in y, so
 * the discrete model P(x) = ∫_cube p(y) dy, and by Jensen's inequality over u
 *
 * <pre>
 * −ln P(x) ≤ E_u[−ln p(y)] + D·n·ln 2                                  (nats per image)
 * bits/dim  = (−ln p(y) + D·n·ln 2) / (D·ln 2) = −ln p(y)/(D·ln 2) + n   (one u per image: unbiased for the bound)
 * </pre>
 *
 * <p><b>Padding.</b> When the model sees D_model ≥ D_data dimensions because the images were padded
 * with constant pixels (value 0, dequantized like the others, e.g. 28×28 → 32×32), the padded image is
 * a deterministic function of x, so P(x) = P(x, padding) and the same bound over the padded image
 * bounds −ln P(x). Its bits are charged to the real pixels:
 *
 * <pre>
 * bits/dim = (−ln p(y_padded) + D_model·n·ln 2) / (D_data·ln 2)
 * </pre>
 *
 * This is an upper bound on the discrete negative log-likelihood of the D_data real pixels in bits per
 * pixel, comparable with unpadded models. (A perfect model spends no bits on the padding; a real one
 * spends a few, so padding can only make the reported number worse, never flatter it.)
 */
public final class BitsPerDim {
    private BitsPerDim() {}

    /** Per example: logProb (B) = ln p(y) in nats (float64) → bits/dim (B) float64 by the formula above. */
    public static Tensor of(Tensor logProb, long modelDims, long dataDims, int bits) {
        check(modelDims, dataDims, bits);
        double ln2 = Math.log(2);
        return Ops.mulScalar(Ops.addScalar(Ops.neg(logProb), modelDims * bits * ln2), 1 / (dataDims * ln2));
    }

    /** The same for one value. */
    public static double of(double logProb, long modelDims, long dataDims, int bits) {
        check(modelDims, dataDims, bits);
        double ln2 = Math.log(2);
        return (-logProb + modelDims * bits * ln2) / (dataDims * ln2);
    }

    /** The discrete negative log-likelihood bound in nats per image: −ln p(y) + D_model·n·ln 2. */
    public static double nats(double logProb, long modelDims, int bits) {
        return -logProb + modelDims * bits * Math.log(2);
    }

    private static void check(long modelDims, long dataDims, int bits) {
        if (dataDims <= 0 || modelDims < dataDims || bits < 1 || bits > 16) {
            throw new IllegalArgumentException("bits/dim needs 0 < data dims <= model dims and 1 <= bits <= 16, found "
                    + dataDims + ", " + modelDims + ", " + bits);
        }
    }
}
