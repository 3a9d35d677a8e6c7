package org.dgm4j.train;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.NonFiniteTrace;
import org.dgm4j.optim.Clip;
import org.dgm4j.optim.Optimizer;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;

/**
 * What a {@link Trainable}'s step gets from the trainer: which step this is, and the one way to apply
 * an update ({@link #minimize}), which guards against non-finite values and, in data-parallel runs,
 * averages gradients over the processes before the optimizer moves.
 */
public final class StepContext {
    private final Map<Tensor, String> names = new IdentityHashMap<>();
    private final GradientReducer reducer;
    private final double clipNorm;
    private long step;
    private int epoch, examples;
    private double gradNorm = Double.NaN;

    /** Averages gradients over data-parallel processes (in place); the identity in one process. */
    @FunctionalInterface
    public interface GradientReducer {
        void reduce(List<Tensor> parameters, int localExamples);
    }

    /** {@code namedParameters}: the module's parameters by name, so errors can say which one went bad. */
    public StepContext(Map<String, Tensor> namedParameters, GradientReducer reducer) {
        this(namedParameters, reducer, 0);
    }

    /** {@code clipNorm} > 0: each update's reduced gradients are clipped to that global L2 norm ({@link Clip#byGlobalNorm}). */
    public StepContext(Map<String, Tensor> namedParameters, GradientReducer reducer, double clipNorm) {
        if (!(clipNorm >= 0)) throw new IllegalArgumentException("clip norm must be >= 0, found " + clipNorm);
        namedParameters.forEach((n, t) -> names.put(t, n));
        this.reducer = reducer;
        this.clipNorm = clipNorm;
    }

    /** Before each step: its number (1-based), epoch (0-based) and this process's batch size. */
    void at(long step, int epoch, int examples) {
        this.step = step;
        this.epoch = epoch;
        this.examples = examples;
        this.gradNorm = Double.NaN;
    }

    /**
     * The largest global L2 norm of this step's reduced gradients before clipping (over all its
     * updates, e.g. a GAN's two); NaN when the context does not clip, as the norm then is not computed.
     */
    public double gradNorm() {
        return gradNorm;
    }

    public long step() {
        return step;
    }

    public int epoch() {
        return epoch;
    }

    /**
     * One update: clears the optimizer's gradients, back-propagates {@code terms.get("loss")}, stops with
     * a {@link NonFiniteException} if the loss or any gradient is NaN or infinite (naming the term or the
     * parameter; nothing has been changed yet), reduces gradients across processes (weighted by each
     * process's batch size), clips them when the context has a clip norm, and steps. Returns the terms' values.
     */
    public LinkedHashMap<String, Double> minimize(Optimizer optimizer, LinkedHashMap<String, Tensor> terms) {
        Tensor loss = terms.get("loss");
        if (loss == null) throw new IllegalArgumentException("terms must include \"loss\", found " + terms.keySet());
        optimizer.zeroGrad();
        LinkedHashMap<String, Double> values = values(terms);
        if (!Double.isFinite(values.get("loss"))) {
            String trace = NonFiniteTrace.describe(loss, names);
            throw new NonFiniteException(where() + ": loss is " + values.get("loss") + " (terms " + values + ")" + (trace == null ? "" : "; " + trace));
        }
        loss.backward();
        applyGradients(List.of(optimizer), values);
        return values;
    }

    /**
     * An update whose gradients the family wrote into its parameters itself (e.g. contrastive
     * divergence): stops with a {@link NonFiniteException} naming the parameter if any gradient is not
     * finite (nothing changed yet), reduces all the optimizers' gradients across processes in one fixed
     * order, clips them together when the context has a clip norm, then steps each optimizer. {@code values}: the step's monitors, for the error message.
     */
    public void applyGradients(List<Optimizer> optimizers, Map<String, Double> values) {
        List<Tensor> parameters = new ArrayList<>();
        for (Optimizer o : optimizers) parameters.addAll(o.parameters());
        for (Tensor p : parameters) {
            Tensor g = p.grad();
            if (g != null && !sumIsFinite(g) && !NonFiniteTrace.finite(g)) {
                throw new NonFiniteException(where() + ": the gradient of " + names.getOrDefault(p, p.describe()) + " is not finite (" + values + ")");
            }
        }
        reducer.reduce(parameters, examples);
        if (clipNorm > 0) { // after the reduction: every process clips the same gradients
            double norm = Clip.byGlobalNorm(parameters, clipNorm);
            gradNorm = Double.isNaN(gradNorm) ? norm : Math.max(gradNorm, norm);
        }
        for (Optimizer o : optimizers) o.step();
    }

    /**
     * One reduction instead of NonFiniteTrace.finite's two ops: a sum is finite only if every term is,
     * so a finite sum clears g at once. A non-finite sum may still come from finite terms overflowing
     * (float64 gradients, or a float32 total above 3.4e38), so that case takes the exact check.
     */
    private static boolean sumIsFinite(Tensor g) {
        try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
            return Double.isFinite(g.sum().item());
        }
    }

    private String where() {
        return String.format(Locale.ROOT, "step %d (epoch %d)", step, epoch + 1);
    }

    /** The one-element tensors' values, same order. */
    public static LinkedHashMap<String, Double> values(Map<String, Tensor> terms) {
        LinkedHashMap<String, Double> v = new LinkedHashMap<>();
        terms.forEach((k, t) -> v.put(k, t.item()));
        return v;
    }

    /** A loss or gradient became NaN or infinite; the parameters are unchanged. */
    public static final class NonFiniteException extends IllegalStateException {
        public NonFiniteException(String message) {
            super(message);
        }
    }
}
