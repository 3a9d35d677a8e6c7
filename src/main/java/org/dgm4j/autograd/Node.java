package org.dgm4j.autograd;

import org.dgm4j.tensor.Tensor;

/**
 * A recorded op in the autograd graph: its name, its inputs and its backward rule, which maps the
 * gradient of the output to gradients of the inputs (null for an input that needs none). Backward
 * rules are written with the same differentiable ops and run in no-grad mode.
 */
public final class Node {
    /** The backward rule of one op. */
    @FunctionalInterface
    public interface Rule {
        Tensor[] apply(Tensor gradOut);
    }

    private final String op;
    private final Tensor[] inputs;
    private final Rule rule;

    public Node(String op, Rule rule, Tensor... inputs) {
        this.op = op;
        this.rule = rule;
        this.inputs = inputs;
    }

    public String op() {
        return op;
    }

    public Tensor[] inputs() {
        return inputs;
    }

    Tensor[] backward(Tensor gradOut) {
        return rule.apply(gradOut);
    }

    @Override
    public String toString() {
        return op;
    }
}
