package org.dgm4j.flow;

import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Backend;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * The base distribution of a flow's latent z (B, D): independent standard components. Log-densities
 * are float64 (B), summed over D in float64.
 */
public enum Base {
    /** log p(z) = −½ Σ z_d² − (D/2)·ln 2π; temperature T samples N(0, T²). */
    GAUSSIAN,
    /** The standard logistic of NICE: log p(z) = −Σ (softplus(z_d) + softplus(−z_d)); temperature T scales samples. */
    LOGISTIC;

    private static final double LOG_2PI = Math.log(2 * Math.PI);
    /** Uniforms are kept in [δ, 1 − δ] before the logistic's log(u / (1 − u)), so samples stay finite. */
    private static final double LOGISTIC_CLAMP = 1e-6;

    /** z (B, D) → log p(z) (B) float64. */
    public Tensor logProb(Tensor z) {
        if (z.rank() != 2) throw new IllegalArgumentException("base log-density: z must be (B, D), found " + z.shape());
        Tensor d = Ops.cast(z, DType.F64);
        return switch (this) {
            case GAUSSIAN -> Ops.addScalar(Ops.mulScalar(Ops.sum(Ops.square(d), false, 1), -0.5), -0.5 * z.dim(1) * LOG_2PI);
            case LOGISTIC -> Ops.neg(Ops.sum(Ops.add(Ops.softplus(d), Ops.softplus(Ops.neg(d))), false, 1));
        };
    }

    /** n draws (n, d) of dtype on backend at temperature T (the standard deviation's, resp. scale's, factor). */
    public Tensor sample(Backend backend, DType dtype, long n, long d, double temperature, Generator g) {
        if (!(temperature >= 0)) throw new IllegalArgumentException("temperature must be >= 0, found " + temperature);
        Shape s = Shape.of(n, d);
        return switch (this) {
            case GAUSSIAN -> Ops.mulScalar(g.normal(backend, dtype, s), temperature);
            case LOGISTIC -> {
                Tensor u = Ops.addScalar(Ops.mulScalar(g.uniform(backend, dtype, s), 1 - 2 * LOGISTIC_CLAMP), LOGISTIC_CLAMP);
                yield Ops.mulScalar(Ops.sub(Ops.log(u), Ops.log(Ops.addScalar(Ops.neg(u), 1))), temperature);
            }
        };
    }
}
