package org.dgm4j.backend;

/**
 * Elementwise functions y = f(x; p) of {@link Kernels#unary}; {@code p} is the scalar parameter
 * where one is used. {@link Kernels#unaryBackward} computes gx = gy · f'(x) for the differentiable ones.
 */
public enum UnaryOp {
    NEG(true), EXP(true), LOG(true), SQRT(true), ABS(true), SQUARE(true), RECIPROCAL(true),
    RELU(true),
    /** p = negative slope. */
    LEAKY_RELU(true),
    SIGMOID(true), TANH(true),
    /** log(1 + e^x), computed without overflow. */
    SOFTPLUS(true),
    /** x + p. */
    ADD_SCALAR(true),
    /** x · p. */
    MUL_SCALAR(true),
    /** x^p. */
    POW_SCALAR(true),
    /** 1 where x > 0, -1 where x < 0, else 0. */
    SIGN(false);

    public final boolean differentiable;

    UnaryOp(boolean differentiable) {
        this.differentiable = differentiable;
    }
}
