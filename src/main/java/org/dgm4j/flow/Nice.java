package org.dgm4j.flow;

import java.util.Map;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;

/**
 * NICE (Dinh, Krueger and Bengio 2015) on flattened data:
 *
 * <pre>
 * x (B, *event) → flatten (B, D) → couplings × [additive coupling, odd/even partition alternating,
 *                 MLP net of hiddenLayers × hidden ReLU units] → scaling (x + b)·exp(s) → z (B, D)
 * </pre>
 *
 * The partition is the {@link Mask#CHECKERBOARD} parity over the flattened index (NICE's odd/even
 * split), flipped at every coupling. Only the scaling layer changes volume: logdet = Σ s. It is an
 * {@link ActNorm} over the D features: the paper's diagonal scaling exp(s) plus a shift b, both set
 * from the first batch (b = −mean, s = −log std). The paper's scaling starts at s = 0 and Adam moves
 * each s_d by about lr per step, so fitting images whose background pixels vary only by the
 * dequantization noise (s_d ≈ 7) took thousands of steps (Fashion-MNIST: still 9.2 bits/dim at step
 * 666); a scaling alone cannot start there because it would magnify the pixels' offsets too.
 * The paper's MNIST model is {@link #paper}: 4 couplings, 5 hidden layers of 1000 units, logistic base.
 */
public final class Nice extends FlowModel {
    private final int couplings;

    public Nice(Shape event, int couplings, long hidden, int hiddenLayers, Base base, DType dtype, Generator gen) {
        super("nice", event, base, dtype, build(event, couplings, hidden, hiddenLayers, dtype, gen),
                Map.of("couplings", Integer.toString(couplings), "hidden", Long.toString(hidden), "hidden_layers", Integer.toString(hiddenLayers)));
        this.couplings = couplings;
    }

    /** The paper's model for 28×28 grey images: 4 couplings, 5 × 1000 ReLU units, logistic base, float32. */
    public static Nice paper(Generator gen) {
        return new Nice(Shape.of(1, 28, 28), 4, 1000, 5, Base.LOGISTIC, DType.F32, gen);
    }

    private static Bijector build(Shape event, int couplings, long hidden, int hiddenLayers, DType dtype, Generator gen) {
        if (couplings < 1) throw new IllegalArgumentException("NICE needs at least 1 coupling, found " + couplings);
        long d = event.numel();
        Chain c = new Chain(new Flat(event));
        CouplingNet net = CouplingNet.mlp(hidden, hiddenLayers, dtype, gen);
        for (int i = 0; i < couplings; i++) c.add(new AdditiveCoupling(d, Mask.CHECKERBOARD, i % 2 == 1, net));
        return c.add(new ActNorm(d, dtype));
    }

    public int couplings() {
        return couplings;
    }
}
