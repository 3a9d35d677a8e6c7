package org.dgm4j.nn;

import org.dgm4j.tensor.Tensor;

/** x where x ≥ 0, slope·x elsewhere; any shape. Default slope 0.01 (PyTorch); DCGAN uses 0.2. */
public final class LeakyReLU extends Layer {
    private final double slope;

    public LeakyReLU() {
        this(0.01);
    }

    public LeakyReLU(double slope) {
        this.slope = slope;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.leakyRelu(slope);
    }

    @Override
    protected String describe() {
        return "slope " + slope;
    }
}
