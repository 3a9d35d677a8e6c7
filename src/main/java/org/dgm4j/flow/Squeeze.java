package org.dgm4j.flow;

import org.dgm4j.autograd.Ops;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * Space-to-depth by 2 (RealNVP's squeeze, Glow's channel order): every 2×2 block of a channel becomes
 * 4 channels at half the resolution; a permutation, so logdet = 0.
 *
 * <pre>
 * x (B, C, H, W) → z (B, 4C, H/2, W/2),   z[b, 4c + 2·di + dj, i, j] = x[b, c, 2i + di, 2j + dj]
 * </pre>
 *
 * H and W must be even. The inverse (unsqueeze) is depth-to-space.
 */
public final class Squeeze extends Bijector {
    @Override
    public Result forward(Tensor x) {
        return new Result(squeeze(x), zeroLogdet(x));
    }

    @Override
    public Result inverse(Tensor z) {
        return new Result(unsqueeze(z), zeroLogdet(z));
    }

    @Override
    public Shape outputShape(Shape in) {
        check(in.rank() == 3 && in.dim(1) % 2 == 0 && in.dim(2) % 2 == 0, "(C, H, W) with even H and W", in);
        return Shape.of(in.dim(0) * 4, in.dim(1) / 2, in.dim(2) / 2);
    }

    /** x (B, C, H, W) → (B, 4C, H/2, W/2). The fused kernel {@link Ops#squeeze2d}. */
    public static Tensor squeeze(Tensor x) {
        check(x.rank() == 4 && x.dim(2) % 2 == 0 && x.dim(3) % 2 == 0, "(B, C, H, W) with even H and W", x.shape());
        return Ops.squeeze2d(x);
    }

    /** z (B, 4C, H, W) → (B, C, 2H, 2W), the inverse of {@link #squeeze}. */
    public static Tensor unsqueeze(Tensor z) {
        check(z.rank() == 4 && z.dim(1) % 4 == 0, "(B, 4C, H, W)", z.shape());
        return Ops.unsqueeze2d(z);
    }

    private static void check(boolean ok, String want, Shape found) {
        if (!ok) throw new IllegalArgumentException("Squeeze: expected " + want + ", found " + found);
    }
}
