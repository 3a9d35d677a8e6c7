package org.dgm4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.dgm4j.tensor.Tensor;

/** Layers applied in order; they are registered as submodules named "0", "1", ... */
public final class Sequential extends Layer {
    private static volatile boolean fuseLinearRelu = true;
    private final List<Layer> layers = new ArrayList<>();

    /** Whether forward fuses Linear + ReLU pairs (the default); off runs the layers one by one. For tests and benchmarks. */
    public static void setFuseLinearRelu(boolean on) {
        fuseLinearRelu = on;
    }

    public Sequential(Layer... layers) {
        for (Layer l : layers) add(l);
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
     * Applies the layers in order. A {@link Linear} without activation followed by a {@link ReLU} runs
     * as one fused op (Linear.forward(x, RELU)); both layers keep their places, so names and the state
     * dict are those of the unfused chain.
     */
    @Override
    public Tensor forward(Tensor x) {
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (fuseLinearRelu && l instanceof Linear lin && lin.activation() == Linear.Activation.NONE && i + 1 < layers.size()
                    && layers.get(i + 1) instanceof ReLU) {
                x = lin.forward(x, Linear.Activation.RELU);
                i++;
            } else {
                x = l.forward(x);
            }
        }
        return x;
    }
}
