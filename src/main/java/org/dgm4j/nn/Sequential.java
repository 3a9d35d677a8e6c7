package org.dgm4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.dgm4j.tensor.Tensor;

/**
 * Layers applied in order; they are registered as submodules named "0", "1", ... A channels-last
 * Sequential ({@link #channelsLast}) takes and gives NCHW but runs its layers on NHWC: x (N, C, H, W) is
 * permuted to (N, H, W, C), the layers run (channels-last convolutions, elementwise layers) and the
 * result (N, H', W', C') is permuted back. Its state dict is that of the NCHW Sequential of the same
 * layers (convolution weights are (K, C, R, S) in both layouts). Why: oneDNN runs wide channels-last
 * convolutions as plain matmuls over the pixels, and permuting only a narrow input and output is cheap.
 */
public final class Sequential extends Layer {
    private static volatile boolean fuseLinearRelu = true;
    private final List<Layer> layers = new ArrayList<>();
    private final boolean channelsLast;

    /** Whether forward fuses Linear + ReLU pairs (the default); off runs the layers one by one. For tests and benchmarks. */
    public static void setFuseLinearRelu(boolean on) {
        fuseLinearRelu = on;
    }

    public Sequential(Layer... layers) {
        this(false, layers);
    }

    private Sequential(boolean channelsLast, Layer... layers) {
        this.channelsLast = channelsLast;
        for (Layer l : layers) add(l);
    }

    /** Layers that take and give channels-last (N, H, W, C) tensors, behind an (N, C, H, W) interface. */
    public static Sequential channelsLast(Layer... layers) {
        return new Sequential(true, layers);
    }

    public boolean isChannelsLast() {
        return channelsLast;
    }

    /** Appends a layer (taking ownership) and returns this. */
    public Sequential add(Layer layer) {
        layers.add(module(Integer.toString(layers.size()), layer));
        return this;
    }

    public Layer get(int index) {
        return layers.get(index);
    }

    public int size() {
        return layers.size();
    }

    public List<Layer> layers() {
        return Collections.unmodifiableList(layers);
    }

    /**
     * Applies the layers in order. A {@link Linear} without activation or a {@link Conv2d}, followed
     * by a {@link ReLU}, runs as one fused op ({@link Conv2d#forwardRelu}); both
     * layers keep their places, so names and the state dict are those of the unfused chain.
     */
    @Override
    public Tensor forward(Tensor x) {
        if (channelsLast && x.rank() != 4) throw new IllegalArgumentException("channels-last Sequential: input must be (N, C, H, W), found " + x.shape());
        Tensor h = channelsLast ? x.permute(0, 2, 3, 1) : x;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            boolean reluNext = fuseLinearRelu && i + 1 < layers.size() && layers.get(i + 1) instanceof ReLU;
            if (reluNext && l instanceof Linear lin && lin.activation() == Linear.Activation.NONE) {
                h = lin.forward(h, Linear.Activation.RELU);
                i++;
            } else if (reluNext && l instanceof Conv2d c) {
                h = c.forwardRelu(h);
                i++;
            } else {
                h = l.forward(h);
            }
        }
        if (!channelsLast) return h;
        if (h.rank() != 4) throw new IllegalArgumentException("channels-last Sequential: the layers must give (N, H, W, C), found " + h.shape());
        return h.permute(0, 3, 1, 2);
    }

    @Override
    protected String describe() {
        return channelsLast ? "channels-last inside, (N, C, H, W) outside" : "";
    }
}
