package org.dgm4j.backend;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The op table as data: one entry per method of {@link Kernels}, and one per constant for methods
 * that take an op enum ("unary.EXP", "binary.ADD", "reduce.SUM"). The generic tests enumerate it, so
 * a new kernel without a gradient check or parity spec fails the build.
 */
public final class OpTable {
    /** name: "matmul" or "unary.EXP"; backwardOf: the forward op whose checks cover a backward kernel. */
    public record Entry(String name, boolean differentiable, String backwardOf) {}

    private OpTable() {}

    public static List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        Method[] methods = Kernels.class.getMethods();
        java.util.Arrays.sort(methods, Comparator.comparing(Method::getName));
        for (Method m : methods) {
            Op op = m.getAnnotation(Op.class);
            if (op == null) throw new IllegalStateException("Kernels." + m.getName() + " lacks its @Op classification");
            Class<?> first = m.getParameterCount() > 0 ? m.getParameterTypes()[0] : null;
            if (first == UnaryOp.class && op.backwardOf().isEmpty()) {
                for (UnaryOp u : UnaryOp.values()) out.add(new Entry("unary." + u, u.differentiable, ""));
            } else if (first == BinaryOp.class) {
                for (BinaryOp b : BinaryOp.values()) out.add(new Entry("binary." + b, b.differentiable, ""));
            } else if (first == ReduceOp.class) {
                for (ReduceOp r : ReduceOp.values()) out.add(new Entry("reduce." + r, true, ""));
            } else {
                out.add(new Entry(m.getName(), op.differentiable(), op.backwardOf()));
            }
        }
        return out;
    }
}
