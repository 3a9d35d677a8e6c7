package org.dgm4j.flow;

import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Backends;
import org.dgm4j.nn.Parameter;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * NICE's diagonal scaling layer, the last layer of the model: x (B, D) → y = x·exp(s), s (D) learned
 * and starting at 0; logdet = Σ_d s_d per example. It lets NICE's volume-preserving couplings give
 * some dimensions more or less weight (the paper's S_ii = exp(s_i)).
 */
public final class DiagonalScaling extends Bijector {
    private final long features;
    private final Parameter logScale;

    public DiagonalScaling(long features, DType dtype) {
        if (features <= 0) throw new IllegalArgumentException("DiagonalScaling needs features > 0, found " + features);
        this.features = features;
        logScale = parameter("logScale", Tensor.zeros(Backends.current(), dtype, Shape.of(features)));
    }

    @Override
    public Result forward(Tensor x) {
        checkChannels(x, features, 2, 2);
        return new Result(Ops.mul(x, Ops.exp(logScale.tensor())), logdet(x, 1));
    }

    @Override
    public Result inverse(Tensor z) {
        checkChannels(z, features, 2, 2);
        return new Result(Ops.mul(z, Ops.exp(Ops.neg(logScale.tensor()))), logdet(z, -1));
    }

    private Tensor logdet(Tensor x, double sign) {
        return perExample(Ops.mulScalar(Ops.sum(Ops.cast(logScale.tensor(), DType.F64), false), sign), x.dim(0));
    }

    @Override
    protected String describe() {
        return features + " features";
    }
}
