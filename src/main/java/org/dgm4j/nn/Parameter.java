package org.dgm4j.nn;

import org.dgm4j.autograd.Autograd;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;

/**
 * A trainable leaf tensor with its name inside its module. {@link Tensor} is final, so a Parameter
 * wraps one; the wrapped tensor never changes identity (loading copies values into it), so
 * optimizers, which hold the tensors themselves, stay valid across {@link #load}.
 * The parameter owns its tensor (taken out of any scope) and its gradient.
 */
public final class Parameter implements AutoCloseable {
    private final String name;
    private final Tensor tensor;

    /** Takes ownership of {@code value} and marks it as requiring grad. */
    public Parameter(String name, Tensor value) {
        if (!value.isLeaf()) throw new IllegalArgumentException("parameter " + name + " must be a leaf tensor (use detach())");
        this.name = name;
        this.tensor = Scope.detachFromScope(value).requiresGrad(true);
        if (tensor.name() == null) tensor.name(name);
    }

    /** The name inside the owning module (e.g. {@code weight}); dotted paths come from {@link Module}. */
    public String name() {
        return name;
    }

    /** The leaf tensor used in forward passes and updated by optimizers. */
    public Tensor tensor() {
        return tensor;
    }

    public Tensor grad() {
        return tensor.grad();
    }

    /** Frees the accumulated gradient. */
    public void zeroGrad() {
        tensor.setGrad(null);
    }

    /** Copies {@code src} into this parameter in place (same shape; dtype and backend converted). */
    public void load(Tensor src) {
        copyInto(name, src, tensor);
    }

    /** Copies src into dst in place, converting dtype and backend; names {@code key} on a shape mismatch. */
    static void copyInto(String key, Tensor src, Tensor dst) {
        if (!src.shape().equals(dst.shape())) {
            throw new IllegalArgumentException("state dict entry '" + key + "': expected shape " + dst.shape() + ", found " + src.shape());
        }
        try (var ng = Autograd.noGrad()) {
            if (src.backend() == dst.backend()) {
                dst.backend().kernels().copy(src, dst);
            } else {
                try (Tensor moved = src.to(dst.backend())) {
                    dst.backend().kernels().copy(moved, dst);
                }
            }
        }
    }

    @Override
    public void close() {
        tensor.close();
    }

    @Override
    public String toString() {
        return "Parameter(" + name + " " + tensor.dtype() + tensor.shape() + ")";
    }
}
