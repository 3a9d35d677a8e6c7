package org.dgm4j.flow;

import org.dgm4j.nn.Conv2d;
import org.dgm4j.nn.Init;
import org.dgm4j.nn.Layer;
import org.dgm4j.nn.Linear;
import org.dgm4j.nn.ReLU;
import org.dgm4j.nn.Sequential;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;

/**
 * Builds the conditioner network of a coupling layer for given input and output channel counts
 * (features, for flat data). The coupling calls {@link #create} once, in its constructor. The nets here
 * end in a zero-initialized layer, so every coupling starts as the identity (additive) or as a
 * constant scale σ(2) ≈ 0.88 without shift (affine): deep flows then start well conditioned.
 */
@FunctionalInterface
public interface CouplingNet {
    /** A layer mapping (B, in, ...) to (B, out, ...) with the same trailing shape. */
    Layer create(long in, long out);

    /**
     * For flat data (B, D): Linear(in, hidden) ReLU, then (hiddenLayers − 1) × [Linear(hidden, hidden)
     * ReLU], then Linear(hidden, out) with zero weight and bias. PyTorch's default initialization elsewhere.
     */
    static CouplingNet mlp(long hidden, int hiddenLayers, DType dtype, Generator gen) {
        if (hidden <= 0 || hiddenLayers < 1) throw new IllegalArgumentException("mlp coupling net needs hidden > 0 and hiddenLayers >= 1, found " + hidden + ", " + hiddenLayers);
        return (in, out) -> {
            Sequential net = new Sequential(new Linear(in, hidden, true, dtype, gen), new ReLU());
            for (int i = 1; i < hiddenLayers; i++) net.add(new Linear(hidden, hidden, true, dtype, gen)).add(new ReLU());
            Linear last = new Linear(hidden, out, true, dtype, gen);
            Init.zeros(last.weight().tensor());
            Init.zeros(last.bias().tensor());
            return net.add(last);
        };
    }

    /**
     * For images (B, C, H, W), Glow's net: Conv 3x3 (in → hidden, padding 1) ReLU, Conv 1x1 (hidden →
     * hidden) ReLU, Conv 3x3 (hidden → out, padding 1) with zero weight and bias. Spatial size kept.
     * It runs channels-last inside ({@link Sequential#channelsLast}: the narrow input and output are
     * permuted, the hidden activations are NHWC throughout); its state dict is that of the NCHW
     * Sequential of the same layers ("0.weight", "0.bias", "2.*", "4.*"), so checkpoints of either load.
     */
    static CouplingNet conv(long hidden, DType dtype, Generator gen) {
        return conv(hidden, !Boolean.getBoolean(NCHW_PROPERTY), dtype, gen);
    }

    /** System property: when "true", {@link #conv} builds {@link #convNchw} (same-jar comparisons in benchmarks). */
    String NCHW_PROPERTY = "dgm4j.couplingnet.nchw";

    /**
     * The same net as {@link #conv}, same parameters drawn in the same order and the same state dict, run
     * NCHW throughout (a {@link Sequential}): the reference for tests and the "before" of benchmarks.
     */
    static CouplingNet convNchw(long hidden, DType dtype, Generator gen) {
        return conv(hidden, false, dtype, gen);
    }

    private static CouplingNet conv(long hidden, boolean channelsLast, DType dtype, Generator gen) {
        if (hidden <= 0) throw new IllegalArgumentException("conv coupling net needs hidden > 0, found " + hidden);
        return (in, out) -> {
            Conv2d first = new Conv2d(in, hidden, 3, 1, 1, 1, true, channelsLast, dtype, gen);
            Conv2d middle = new Conv2d(hidden, hidden, 1, 1, 0, 1, true, channelsLast, dtype, gen);
            Layer[] layers = {first, new ReLU(), middle, new ReLU(), zeroConv3x3(hidden, out, channelsLast, dtype, gen)};
            return channelsLast ? Sequential.channelsLast(layers) : new Sequential(layers);
        };
    }

    /** A 3x3 convolution (padding 1) whose weight and bias start at zero (Glow's Conv2dZeros, without its extra scale). */
    static Conv2d zeroConv3x3(long in, long out, DType dtype, Generator gen) {
        return zeroConv3x3(in, out, false, dtype, gen);
    }

    /** As {@link #zeroConv3x3(long, long, DType, Generator)}, channels-last when asked. */
    static Conv2d zeroConv3x3(long in, long out, boolean channelsLast, DType dtype, Generator gen) {
        Conv2d c = new Conv2d(in, out, 3, 1, 1, 1, true, channelsLast, dtype, gen);
        Init.zeros(c.weight().tensor());
        Init.zeros(c.bias().tensor());
        return c;
    }
}
