package org.dgm4j.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;

/**
 * RealNVP's multi-scale image model for x (B, C, H, W):
 *
 * <pre>
 * scale s &lt; S−1:  3 × checkerboard couplings → squeeze → 3 × channel couplings → factor out half
 * last scale:     4 × checkerboard couplings
 * every coupling: ActNorm, then an affine coupling (σ(h + 2) scale) with Glow's conv net of width hidden;
 *                 masks alternate within each group
 * </pre>
 *
 * Factored-out halves are scored by the standard normal base directly (no learned split prior, as in
 * the paper); ActNorm replaces the paper's batch normalization. H and W must be divisible by 2^(S−1).
 */
public final class RealNvpImage extends FlowModel {
    public RealNvpImage(Shape event, int scales, long hidden, DType dtype, Generator gen) {
        super("realnvp", event, Base.GAUSSIAN, dtype, build(event, scales, hidden, dtype, gen),
                Map.of("scales", Integer.toString(scales), "hidden", Long.toString(hidden)));
    }

    private static Bijector build(Shape event, int scales, long hidden, DType dtype, Generator gen) {
        if (event.rank() != 3 || scales < 1) throw new IllegalArgumentException("RealNVP image model needs an event (C, H, W) and scales >= 1, found " + event + ", " + scales);
        long div = 1L << (scales - 1);
        if (event.dim(1) % div != 0 || event.dim(2) % div != 0) {
            throw new IllegalArgumentException("RealNVP with " + scales + " scales needs H and W divisible by " + div + ", found " + event);
        }
        CouplingNet net = CouplingNet.conv(hidden, dtype, gen);
        List<Bijector> levels = new ArrayList<>();
        List<Bijector> splits = new ArrayList<>();
        long c = event.dim(0);
        for (int s = 0; s < scales; s++) {
            Chain level = new Chain();
            boolean last = s == scales - 1;
            for (int i = 0; i < (last ? 4 : 3); i++) level.add(new ActNorm(c, dtype)).add(new AffineCoupling(c, Mask.CHECKERBOARD, i % 2 == 1, net));
            if (!last) {
                level.add(new Squeeze());
                c *= 4;
                for (int i = 0; i < 3; i++) level.add(new ActNorm(c, dtype)).add(new AffineCoupling(c, Mask.CHANNEL, i % 2 == 1, net));
                splits.add(null);
                c = SplitPrior.keptChannels(c);
            }
            levels.add(level);
        }
        return new MultiScale(event, levels, splits, null);
    }
}
