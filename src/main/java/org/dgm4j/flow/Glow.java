package org.dgm4j.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;

/**
 * Glow (Kingma and Dhariwal 2018) for images x (B, C, H, W):
 *
 * <pre>
 * level l = 0 .. L−1:  squeeze → K × step → (l &lt; L−1) split with a learned conditional prior
 * step:                ActNorm → invertible 1x1 convolution (dense or LU) → affine coupling
 *                      (channel halves, σ(h + 2) scale, net conv3x3 → ReLU → conv1x1 → ReLU → zero conv3x3 of width hidden)
 * top:                 learned per-channel Gaussian (learnTop, Glow's learn_top) or the standard normal
 * </pre>
 *
 * H and W must be divisible by 2^L. For 28×28 images (Fashion-MNIST) build the model for 32×32 and
 * let {@link FlowObjective} pad the data (see there for how the padding enters bits/dim); with L ≤ 2
 * a 28×28 model also works (28 → 14 → 7) and needs no padding.
 * Call {@link #initialize} on a batch before training (ActNorm).
 */
public final class Glow extends FlowModel {
    private final int levels, steps;

    /**
     * @param levels       L, the number of squeeze levels (L − 1 splits)
     * @param steps        K, flow steps per level
     * @param hidden       channels of the coupling nets
     * @param learnTop     learned top prior (true) or the standard normal (false)
     * @param luDecomposed LU-parameterized 1x1 convolutions (true) or dense ones (false)
     */
    public Glow(Shape event, int levels, int steps, long hidden, boolean learnTop, boolean luDecomposed, DType dtype, Generator gen) {
        super("glow", event, Base.GAUSSIAN, dtype, build(event, levels, steps, hidden, learnTop, luDecomposed, dtype, gen),
                Map.of("levels", Integer.toString(levels), "steps", Integer.toString(steps), "hidden", Long.toString(hidden),
                        "learn_top", Boolean.toString(learnTop), "lu", Boolean.toString(luDecomposed)));
        this.levels = levels;
        this.steps = steps;
    }

    private static Bijector build(Shape event, int levels, int steps, long hidden, boolean learnTop, boolean lu, DType dtype, Generator gen) {
        if (event.rank() != 3 || levels < 1 || steps < 1) {
            throw new IllegalArgumentException("Glow needs an event (C, H, W), levels >= 1 and steps >= 1, found " + event + ", " + levels + ", " + steps);
        }
        long div = 1L << levels;
        if (event.dim(1) % div != 0 || event.dim(2) % div != 0) {
            throw new IllegalArgumentException("Glow with " + levels + " levels needs H and W divisible by " + div + ", found " + event + " (pad the images)");
        }
        CouplingNet net = CouplingNet.conv(hidden, dtype, gen);
        List<Bijector> chain = new ArrayList<>();
        List<Bijector> splits = new ArrayList<>();
        long c = event.dim(0);
        for (int l = 0; l < levels; l++) {
            c *= 4;
            Chain level = new Chain(new Squeeze());
            for (int k = 0; k < steps; k++) {
                level.add(new Chain(new ActNorm(c, dtype), lu ? new InvConv1x1Lu(c, dtype, gen) : new InvConv1x1(c, dtype, gen),
                        new AffineCoupling(c, Mask.CHANNEL, false, net)));
            }
            chain.add(level);
            if (l < levels - 1) {
                splits.add(new SplitPrior(c, dtype, gen));
                c = SplitPrior.keptChannels(c);
            }
        }
        return new MultiScale(event, chain, splits, learnTop ? new LearnedPrior(c, dtype) : null);
    }

    public int levels() {
        return levels;
    }

    public int steps() {
        return steps;
    }
}
