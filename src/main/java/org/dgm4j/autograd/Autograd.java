package org.dgm4j.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dgm4j.backend.BinaryOp;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;

/** The reverse-mode engine and the grad mode (per thread). */
public final class Autograd {
    private static final ThreadLocal<int[]> NO_GRAD_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Autograd() {}

    /** False inside a {@link #noGrad()} block: ops then record nothing. */
    public static boolean isEnabled() {
        return NO_GRAD_DEPTH.get()[0] == 0;
    }

    /** {@code try (var g = Autograd.noGrad()) { ... }}: evaluation and updates without a graph. */
    public static AutoCloseableNoThrow noGrad() {
        int[] depth = NO_GRAD_DEPTH.get();
        depth[0]++;
        return () -> depth[0]--;
    }

    /** An AutoCloseable whose close() throws nothing. */
    public interface AutoCloseableNoThrow extends AutoCloseable {
        @Override
        void close();
    }

    /** Backward from a one-element tensor with seed gradient 1. */
    public static void backward(Tensor root) {
        if (root.numel() != 1) throw new IllegalArgumentException("backward() needs a one-element tensor, found " + root.shape() + "; pass a seed gradient");
        try (Tensor one = Ops.onesLike(root)) {
            backward(root, one);
        }
    }

    /**
     * Accumulates d(root)/d(leaf)·seed into every leaf that requires grad. Leaf gradients are owned
     * by their leaves (outside any scope); intermediate gradients belong to the current scope.
     */
    public static void backward(Tensor root, Tensor seed) {
        if (!root.requiresGrad()) throw new IllegalStateException("backward(): " + root.describe() + " does not require grad (no differentiable input)");
        if (!seed.shape().equals(root.shape())) throw new IllegalArgumentException("backward(): seed " + seed.shape() + " for output " + root.shape());
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed);
        try (var ng = noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = grads.remove(t);
                if (g == null) continue;
                if (t.isLeaf()) {
                    accumulate(t, g);
                    continue;
                }
                Tensor[] inputs = t.gradFn().inputs();
                Tensor[] gi = t.gradFn().backward(g);
                for (int j = 0; j < inputs.length; j++) {
                    Tensor in = inputs[j];
                    if (in == null || gi[j] == null || !in.requiresGrad()) continue;
                    if (!gi[j].shape().equals(in.shape())) {
                        throw new IllegalStateException("backward of " + t.gradFn() + " gave a gradient " + gi[j].shape() + " for input " + in.shape());
                    }
                    Tensor prev = grads.get(in);
                    grads.put(in, prev == null ? gi[j] : prev.add(gi[j]));
                }
            }
        }
    }

    private static void accumulate(Tensor leaf, Tensor g) {
        if (!leaf.requiresGrad()) return;
        Tensor grad = leaf.grad();
        if (grad == null) {
            Tensor copy = Scope.unscoped(() -> Ops.copyOf(g));
            leaf.setGrad(copy);
        } else {
            grad.backend().kernels().binary(BinaryOp.ADD, grad, g, grad);
        }
    }

    /** Tensors reachable from root through grad functions, every input before its outputs. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object[]> stack = new ArrayDeque<>(); // {tensor, nextInputIndex}
        stack.push(new Object[] {root, 0});
        seen.add(root);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Tensor t = (Tensor) top[0];
            int next = (Integer) top[1];
            Tensor[] inputs = t.isLeaf() ? new Tensor[0] : t.gradFn().inputs();
            if (next < inputs.length) {
                top[1] = next + 1;
                Tensor in = inputs[next];
                if (in != null && in.requiresGrad() && seen.add(in)) {
                    in.ensureOpen();
                    stack.push(new Object[] {in, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
