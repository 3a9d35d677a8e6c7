package org.dgm4j.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.dgm4j.tensor.Scope;
import org.dgm4j.backend.Backends;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * A node of a model: named parameters, named buffers (non-trained state such as BatchNorm's running
 * statistics) and named submodules, each kept in registration order so that names and iteration
 * order are stable (checkpoints depend on it). Names of nested entries are dotted paths, e.g.
 * {@code encoder.0.weight}. A module owns its parameters, buffers and submodules:
 * {@link #close()} frees them all.
 *
 * <p>Module has no forward method because model families differ in signature (an encoder returns two
 * tensors, a bijector returns a value and a log-determinant); single-input layers extend {@link Layer}.
 */
public abstract class Module implements AutoCloseable {
    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    private boolean closed;

    // ---- registration (called by subclasses' constructors) --------------------------------------

    /** Registers a trainable parameter; the module takes ownership of {@code value}. */
    protected Parameter parameter(String name, Tensor value) {
        checkFree(name);
        Parameter p = new Parameter(name, value);
        params.put(name, p);
        return p;
    }

    /** Registers a buffer: saved in the state dict, never trained; the module takes ownership. */
    /** A parameter of the given shape on the current backend, PyTorch's default init U(±1/√fanIn). */
    protected Parameter defaultInitParameter(String name, DType dtype, long fanIn, Generator gen, long... dims) {
        return parameter(name, Init.pytorchDefault(Tensor.empty(Backends.current(), dtype, Shape.of(dims)), fanIn, gen));
    }

    protected Tensor buffer(String name, Tensor value) {
        checkFree(name);
        buffers.put(name, Scope.detachFromScope(value).name(name));
        return value;
    }

    /** Registers a submodule; the module takes ownership (closes it with itself). */
    protected <M extends Module> M module(String name, M child) {
        checkFree(name);
        if (child == this) throw new IllegalArgumentException("a module cannot contain itself");
        children.put(name, child);
        child.train(training);
        return child;
    }

    private void checkFree(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) throw new IllegalArgumentException("bad entry name '" + name + "': non-empty, no dots");
        if (params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " already has an entry named '" + name + "'");
        }
    }

    // ---- traversal ------------------------------------------------------------------------------

    /** Every parameter tensor of this module and its submodules, in registration order. */
    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Parameter tensors by dotted name, in registration order (own entries before submodules'). */
    public LinkedHashMap<String, Tensor> namedParameters() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false);
        return out;
    }

    /** Buffers by dotted name, in registration order. */
    public LinkedHashMap<String, Tensor> namedBuffers() {
        LinkedHashMap<String, Tensor> all = stateDict();
        all.keySet().removeAll(namedParameters().keySet());
        return all;
    }

    /** Direct submodules by name. */
    public Map<String, Module> children() {
        return java.util.Collections.unmodifiableMap(children);
    }

    /** Total number of trainable scalars. */
    public long parameterCount() {
        long n = 0;
        for (Tensor t : parameters()) n += t.numel();
        return n;
    }

    /**
     * Parameters and buffers by dotted name. The tensors are this module's own (not copies): read or
     * save them, do not close them.
     */
    public LinkedHashMap<String, Tensor> stateDict() {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean withBuffers) {
        for (Parameter p : params.values()) out.put(prefix + p.name(), p.tensor());
        if (withBuffers) for (var e : buffers.entrySet()) out.put(prefix + e.getKey(), e.getValue());
        for (var e : children.entrySet()) e.getValue().collect(prefix + e.getKey() + ".", out, withBuffers);
    }

    /**
     * Copies every entry of {@code state} into this module's parameters and buffers in place. Strict:
     * the key sets must match and each shape must equal the module's; the error names the key with
     * the expected and found shapes. Nothing is copied when the check fails.
     */
    public void loadStateDict(Map<String, Tensor> state) {
        LinkedHashMap<String, Tensor> own = stateDict();
        TreeSet<String> missing = new TreeSet<>(own.keySet());
        missing.removeAll(state.keySet());
        TreeSet<String> unexpected = new TreeSet<>(state.keySet());
        unexpected.removeAll(own.keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException("state dict of " + getClass().getSimpleName() + " does not match: missing keys "
                    + missing + ", unexpected keys " + unexpected);
        }
        for (var e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (!src.shape().equals(e.getValue().shape())) {
                throw new IllegalArgumentException("state dict entry '" + e.getKey() + "': expected shape " + e.getValue().shape() + ", found " + src.shape());
            }
        }
        for (var e : own.entrySet()) Parameter.copyInto(e.getKey(), state.get(e.getKey()), e.getValue());
    }

    // ---- modes and gradients --------------------------------------------------------------------

    /** Sets training mode (batch statistics, dropout) or evaluation mode, here and in all submodules. */
    public Module train(boolean on) {
        training = on;
        for (Module m : children.values()) m.train(on);
        return this;
    }

    public Module train() {
        return train(true);
    }

    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /**
     * Freezes (false) or unfreezes every parameter, e.g. a GAN's discriminator during the generator's
     * step, so backward neither computes nor stores gradients for them.
     */
    public Module requiresGrad(boolean on) {
        for (Tensor t : parameters()) t.requiresGrad(on);
        return this;
    }

    /** Frees every parameter's gradient (the next backward starts from nothing). */
    public void zeroGrad() {
        for (Tensor t : parameters()) t.setGrad(null);
    }

    /** Frees all parameters, buffers and submodules. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (Parameter p : params.values()) p.close();
        for (Tensor b : buffers.values()) b.close();
        for (Module m : children.values()) m.close();
    }

    /** A one-line description of the layer's configuration, used by {@link #toString()}. */
    protected String describe() {
        return "";
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(getClass().getSimpleName()).append('(').append(describe());
        if (!children.isEmpty()) {
            for (var e : children.entrySet()) {
                b.append("\n  (").append(e.getKey()).append("): ").append(e.getValue().toString().replace("\n", "\n  "));
            }
            b.append('\n');
        }
        return b.append(')').toString();
    }
}
