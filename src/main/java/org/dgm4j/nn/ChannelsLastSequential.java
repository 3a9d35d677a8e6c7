package org.dgm4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.dgm4j.tensor.Tensor;

/**
 * Layers applied in order to channels-last data inside an NCHW interface: x (N, C, H, W) is permuted
 * to (N, H, W, C), the layers run (channels-last convolutions, elementwise layers), and the result
 * (N, H', W', C') is permuted back to (N, C', H', W'). The layers are registered as "0", "1", ... exactly
 * as in {@link Sequential}, so the state dict has the same keys and shapes as the NCHW Sequential of
 * the same layers (convolution weights are (K, C, R, S) in both layouts).
 *
 * <p>Why: oneDNN runs wide channels-last convolutions as plain matmuls over the pixels, with no
 * per-image temporaries or layout reorders; permuting only the narrow input and output is cheap.
 */
public final class ChannelsLastSequential extends Layer {
    private final List<Layer> layers = new ArrayList<>();

    public ChannelsLastSequential(Layer... layers) {
        for (Layer l : layers) add(l);
    }

    /** Appends a layer (taking ownership) and returns this; it must take and give channels-last tensors. */
    public ChannelsLastSequential add(Layer layer) {
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

    /** x (N, C, H, W) → (N, C', H', W'). */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4) throw new IllegalArgumentException("ChannelsLastSequential: input must be (N, C, H, W), found " + x.shape());
        Tensor h = x.permute(0, 2, 3, 1);
        for (int i = 0; i < layers.size(); i++) {
            // a 1x1 convolution followed by a ReLU runs as one fused linear op (both layers keep their places)
            if (layers.get(i) instanceof Conv2d c && c.fusesRelu() && i + 1 < layers.size() && layers.get(i + 1) instanceof ReLU) {
                h = c.forwardRelu(h);
                i++;
            } else {
                h = layers.get(i).forward(h);
            }
        }
        if (h.rank() != 4) throw new IllegalArgumentException("ChannelsLastSequential: the layers must give (N, H, W, C), found " + h.shape());
        return h.permute(0, 3, 1, 2);
    }

    @Override
    protected String describe() {
        return "channels-last inside, (N, C, H, W) outside";
    }
}
