package org.dgm4j.optim;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;

/**
 * Updates an explicit list of parameter tensors from their gradients. Each optimizer sees only the
 * parameters it was given, so a GAN runs two optimizers over the generator's and the
 * discriminator's disjoint sets. Per-parameter state ("slots": momentum, moments) is created on a
 * parameter's first update, owned by the optimizer and freed by {@link #close()}. A parameter whose
 * gradient is null is skipped, and its own update count does not advance (Adam's bias correction
 * counts the updates that parameter actually received, as PyTorch's per-parameter step does).
 */
public abstract class Optimizer implements AutoCloseable {
    private final List<Tensor> params;
    private final List<Map<String, Tensor>> slots = new ArrayList<>();
    private final long[] paramSteps;
    private double lr;
    private long steps;

    protected Optimizer(Collection<Tensor> params, double lr) {
        this.params = List.copyOf(params);
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        for (Tensor p : this.params) {
            // frozen leaves (requiresGrad false) are allowed: they simply have no gradient to apply
            if (!p.isLeaf()) throw new IllegalArgumentException("optimizer parameter " + p.describe() + " must be a leaf tensor");
            if (seen.put(p, true) != null) throw new IllegalArgumentException("parameter " + p.describe() + " given twice");
            slots.add(new LinkedHashMap<>());
        }
        this.paramSteps = new long[this.params.size()];
        setLr(lr);
    }

    /** One update of every parameter that has a gradient, without recording a graph. */
    public void step() {
        try (var ng = Autograd.noGrad()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                if (p.grad() == null) continue;
                paramSteps[i]++;
                update(i, p, p.grad());
            }
        }
        steps++;
    }

    /** Updates parameter {@code index} in place from {@code grad} (same shape); see {@link #paramSteps}. */
    protected abstract void update(int index, Tensor param, Tensor grad);

    /** Writes the hyperparameters other than lr into {@code out}, for {@link #stateDict()}. */
    protected abstract void saveHyperparameters(Map<String, Double> out);

    /** Reads back what {@link #saveHyperparameters} wrote. */
    protected abstract void loadHyperparameters(Map<String, Double> in);

    /** Frees every parameter's gradient. */
    public void zeroGrad() {
        for (Tensor p : params) p.setGrad(null);
    }

    public List<Tensor> parameters() {
        return params;
    }

    public double lr() {
        return lr;
    }

    public void setLr(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("learning rate must be finite and >= 0, found " + lr);
        this.lr = lr;
    }

    /** Completed calls of {@link #step()}: the 0-based index of the next one (what schedules read). */
    public long steps() {
        return steps;
    }

    /** Updates parameter {@code index} has received, counting the current one inside {@link #update}. */
    protected long paramSteps(int index) {
        return paramSteps[index];
    }

    /** The state slot {@code name} of parameter {@code index}, or null before it exists. */
    protected Tensor slot(int index, String name) {
        return slots.get(index).get(name);
    }

    /** Creates slot {@code name} of parameter {@code index} as zeros like the parameter, owned by this optimizer. */
    protected Tensor newSlot(int index, String name) {
        Tensor p = params.get(index);
        Tensor t = Scope.unscoped(() -> Tensor.zeros(p.backend(), p.dtype(), p.shape()));
        slots.get(index).put(name, t);
        return t;
    }

    /**
     * Checkpoint state: the slots as {@code "<param index>.<slot>"} (this optimizer's own tensors: save
     * them, do not close them), and scalars: {@code steps}, {@code params}, {@code lr}, the other
     * hyperparameters, and {@code "<index>.step"} per parameter.
     */
    public record State(String optimizer, LinkedHashMap<String, Tensor> tensors, LinkedHashMap<String, Double> scalars) {}

    public State stateDict() {
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        LinkedHashMap<String, Double> scalars = new LinkedHashMap<>();
        scalars.put("steps", (double) steps);
        scalars.put("params", (double) params.size());
        scalars.put("lr", lr);
        saveHyperparameters(scalars);
        for (int i = 0; i < params.size(); i++) {
            scalars.put(i + ".step", (double) paramSteps[i]);
            for (var e : slots.get(i).entrySet()) tensors.put(i + "." + e.getKey(), e.getValue());
        }
        return new State(getClass().getSimpleName(), tensors, scalars);
    }

    /**
     * Restores a {@link #stateDict()} of an optimizer of the same class over parameters of the same
     * shapes, copying slot values in place (creating slots that do not exist yet). Checks everything
     * before changing anything; errors name the offending key.
     */
    public void loadStateDict(State state) {
        if (!state.optimizer().equals(getClass().getSimpleName())) {
            throw new IllegalArgumentException("optimizer state is for " + state.optimizer() + ", this is " + getClass().getSimpleName());
        }
        Double count = state.scalars().get("params");
        if (count == null || count.intValue() != params.size()) {
            throw new IllegalArgumentException("optimizer state is for " + count + " parameters, this optimizer has " + params.size());
        }
        for (var e : state.tensors().entrySet()) {
            String key = e.getKey();
            int dot = key.indexOf('.');
            int index = dot > 0 ? parseIndex(key.substring(0, dot)) : -1;
            if (index < 0 || index >= params.size()) throw new IllegalArgumentException("optimizer state entry '" + key + "': no such parameter");
            if (!e.getValue().shape().equals(params.get(index).shape())) {
                throw new IllegalArgumentException("optimizer state entry '" + key + "': expected shape " + params.get(index).shape() + ", found " + e.getValue().shape());
            }
        }
        LinkedHashMap<String, Double> expected = stateDict().scalars();
        for (String key : expected.keySet()) require(state.scalars(), key);
        loadHyperparameters(state.scalars());
        setLr(state.scalars().get("lr"));
        steps = state.scalars().get("steps").longValue();
        for (int i = 0; i < params.size(); i++) paramSteps[i] = state.scalars().get(i + ".step").longValue();
        try (var ng = Autograd.noGrad()) {
            for (var e : state.tensors().entrySet()) {
                int dot = e.getKey().indexOf('.');
                int index = parseIndex(e.getKey().substring(0, dot));
                String name = e.getKey().substring(dot + 1);
                Tensor dst = slot(index, name) != null ? slot(index, name) : newSlot(index, name);
                Tensor src = e.getValue().backend() == dst.backend() ? e.getValue() : Scope.unscoped(() -> e.getValue().to(dst.backend()));
                dst.backend().kernels().copy(src, dst);
                if (src != e.getValue()) src.close();
            }
        }
    }

    private static int parseIndex(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException ex) {
            return -1;
        }
    }

    /** Reads a required hyperparameter from a state's scalars. */
    protected static double require(Map<String, Double> in, String key) {
        Double v = in.get(key);
        if (v == null) throw new IllegalArgumentException("optimizer state lacks '" + key + "'");
        return v;
    }

    /** Frees the optimizer's state (not the parameters, which belong to their modules). */
    @Override
    public void close() {
        for (Map<String, Tensor> m : slots) {
            for (Tensor t : m.values()) t.close();
            m.clear();
        }
    }

    /** The slots of one parameter, read-only (for tests and diagnostics). */
    public Map<String, Tensor> slots(int index) {
        return Collections.unmodifiableMap(slots.get(index));
    }
}
