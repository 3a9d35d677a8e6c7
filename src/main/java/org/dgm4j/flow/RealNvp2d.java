package org.dgm4j.flow;

import java.util.Map;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;

/**
 * RealNVP (Dinh, Sohl-Dickstein and Bengio 2017) for 2-D points x (B, 2):
 *
 * <pre>
 * couplings × [ActNorm(2), affine coupling of one coordinate given the other (alternating), MLP net]
 * → z (B, 2), standard normal base
 * </pre>
 *
 * The affine couplings use Glow's bounded scale σ(h + 2) &lt; 1, which can only contract; the ActNorm
 * layers (data-initialized: call {@link #initialize} on a batch first) supply the unbounded
 * per-coordinate scale, where the paper used batch normalization.
 */
public final class RealNvp2d extends FlowModel {
    public RealNvp2d(int couplings, long hidden, int hiddenLayers, DType dtype, Generator gen) {
        super("realnvp2d", Shape.of(2), Base.GAUSSIAN, dtype, build(couplings, hidden, hiddenLayers, dtype, gen),
                Map.of("couplings", Integer.toString(couplings), "hidden", Long.toString(hidden), "hidden_layers", Integer.toString(hiddenLayers)));
    }

    private static Bijector build(int couplings, long hidden, int hiddenLayers, DType dtype, Generator gen) {
        if (couplings < 1) throw new IllegalArgumentException("RealNVP needs at least 1 coupling, found " + couplings);
        Chain c = new Chain();
        CouplingNet net = CouplingNet.mlp(hidden, hiddenLayers, dtype, gen);
        for (int i = 0; i < couplings; i++) {
            c.add(new ActNorm(2, dtype)).add(new AffineCoupling(2, Mask.CHANNEL, i % 2 == 1, net));
        }
        return c;
    }
}
