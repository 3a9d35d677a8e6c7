package org.dgm4j.backend;

/** Elementwise functions of two broadcast operands, {@link Kernels#binary}. Comparisons give 1 or 0. */
public enum BinaryOp {
    ADD(true), SUB(true), MUL(true), DIV(true), POW(true), MAXIMUM(true), MINIMUM(true),
    GT(false), GE(false), LT(false), LE(false), EQ(false);

    public final boolean differentiable;

    BinaryOp(boolean differentiable) {
        this.differentiable = differentiable;
    }
}
