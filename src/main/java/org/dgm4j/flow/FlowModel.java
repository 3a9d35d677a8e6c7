package org.dgm4j.flow;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * A normalizing flow density: a bijector f from data x (B, *event) to a latent z (B, D) and a base
 * distribution of independent standard components on z, so that
 *
 * <pre>
 * log p(x) = log p_base(f(x)) + log|det ∂f/∂x|          (nats, float64, per example)
 * </pre>
 *
 * Learned priors (Glow's split priors and learned top) are bijectors inside f that standardize their
 * variables (see {@link SplitPrior}, {@link LearnedPrior}), so the base is always standard and
 * "temperature" means the same everywhere: sampling draws the base at temperature T and inverts f.
 * The model is itself a bijector x → z, with D = numel(event), and owns f as the submodule "flow".
 * Subclasses ({@link Nice}, {@link RealNvp2d}, {@link RealNvpImage}, {@link Glow}) build f; any
 * bijector can be wrapped directly.
 */
public class FlowModel extends Bijector {
    private final String family;
    private final Shape event, latent;
    private final Base base;
    private final DType dtype;
    private final Backend backend;
    private final Bijector flow;
    private final LinkedHashMap<String, String> metadata = new LinkedHashMap<>();

    /** The log-likelihood of a batch and its two parts, each (B) float64; latent z (B, D). */
    public record LogLikelihood(Tensor logProb, Tensor prior, Tensor logdet, Tensor latent) {}

    /**
     * @param family a name for metadata (e.g. "glow")
     * @param event  per-example data shape, e.g. (1, 32, 32) or (2)
     * @param sizes  what it takes to rebuild the model, stored with checkpoints (see {@link #metadata()})
     */
    public FlowModel(String family, Shape event, Base base, DType dtype, Bijector flow, Map<String, String> sizes) {
        this.family = family;
        this.event = event;
        this.base = base;
        this.dtype = dtype;
        this.backend = Backends.current();
        this.flow = module("flow", flow);
        this.latent = flow.outputShape(event);
        if (latent.numel() != event.numel()) throw new IllegalArgumentException("flow maps " + event + " to " + latent + ": not the same size");
        metadata.put("model", family);
        metadata.put("event_shape", shapeText(event));
        metadata.put("base", base.name().toLowerCase());
        metadata.put("dtype", dtype.name());
        metadata.putAll(sizes);
    }

    private static String shapeText(Shape s) {
        StringBuilder b = new StringBuilder();
        for (long d : s.dims()) b.append(b.length() > 0 ? "x" : "").append(d);
        return b.toString();
    }

    public String family() {
        return family;
    }

    /** Per-example data shape. */
    public Shape eventShape() {
        return event;
    }

    /** D = numel(event): the latent size and the number of modelled dimensions. */
    public long latentSize() {
        return event.numel();
    }

    public Base base() {
        return base;
    }

    public DType dtype() {
        return dtype;
    }

    public Bijector flow() {
        return flow;
    }

    /** Model name, event shape, base, dtype and the subclass's sizes, as strings (safetensors metadata). */
    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    private void checkEvent(Tensor x) {
        if (!Shape.of(java.util.Arrays.copyOfRange(x.dims(), 1, x.rank())).equals(event)) {
            throw new IllegalArgumentException(family + ": data must be (B, " + shapeText(event).replace('x', ',') + "), found " + x.shape());
        }
    }

    /** x (B, *event) → z (B, D) and log|det ∂z/∂x| (B). */
    @Override
    public Result forward(Tensor x) {
        checkEvent(x);
        return flat(flow.forward(x));
    }

    private Result flat(Result r) {
        Tensor z = r.value();
        return z.rank() == 2 ? r : new Result(Ops.reshape(z, Shape.of(z.dim(0), event.numel())), r.logdet());
    }

    /** z (B, D) → x (B, *event) and log|det ∂x/∂z| (B). */
    @Override
    public Result inverse(Tensor z) {
        if (z.rank() != 2 || z.dim(1) != event.numel()) throw new IllegalArgumentException(family + ": latent must be (B, " + event.numel() + "), found " + z.shape());
        long[] dims = new long[latent.rank() + 1];
        dims[0] = z.dim(0);
        System.arraycopy(latent.dims(), 0, dims, 1, latent.rank());
        return flow.inverse(Ops.reshape(z, Shape.of(dims)));
    }

    @Override
    public Shape outputShape(Shape in) {
        if (!in.equals(event)) throw new IllegalArgumentException(family + ": built for " + event + ", given " + in);
        return Shape.of(event.numel());
    }

    /** The data-dependent initialization (ActNorm layers) on a batch x (B, *event); see {@link Bijector#initialize}. */
    @Override
    public Result initialize(Tensor x) {
        checkEvent(x);
        return flat(flow.initialize(x));
    }

    /** log p(x) with its parts, for x (B, *event). */
    public LogLikelihood logLikelihood(Tensor x) {
        Result r = forward(x);
        Tensor prior = base.logProb(r.value());
        return new LogLikelihood(Ops.add(prior, r.logdet()), prior, r.logdet(), r.value());
    }

    /** log p(x) (B) float64, nats, for x (B, *event). */
    public Tensor logProb(Tensor x) {
        return logLikelihood(x).logProb();
    }

    /** n samples (n, *event) at temperature T (1 = the model's distribution; Glow shows T ≈ 0.7), without a graph. */
    public Tensor sample(int n, double temperature, Generator g) {
        try (var ng = Autograd.noGrad()) {
            return inverse(base.sample(backend, dtype, n, event.numel(), temperature, g)).value();
        }
    }

    /** inverse(forward(x)): x (B, *event) back through the latent, without a graph. */
    public Tensor reconstruct(Tensor x) {
        try (var ng = Autograd.noGrad()) {
            return inverse(forward(x).value()).value();
        }
    }

    /**
     * Linear interpolation in the latent between the first examples of a and b (each (B, *event)):
     * z_k = z_a + k/(steps − 1)·(z_b − z_a) for k = 0 .. steps − 1, decoded to (steps, *event); the ends
     * reconstruct a and b. No graph.
     */
    public Tensor interpolate(Tensor a, Tensor b, int steps) {
        if (steps < 2) throw new IllegalArgumentException("interpolation needs at least 2 steps, found " + steps);
        try (var ng = Autograd.noGrad()) {
            Tensor za = forward(a.narrowBatch(0, 1)).value(), zb = forward(b.narrowBatch(0, 1)).value();
            double[] t = new double[steps];
            for (int k = 0; k < steps; k++) t[k] = (double) k / (steps - 1);
            Tensor ts = Ops.cast(Tensor.of(za.backend(), t, Shape.of(steps, 1)), za.dtype());
            return inverse(Ops.add(za, Ops.mul(ts, Ops.sub(zb, za)))).value();
        }
    }

    @Override
    protected String describe() {
        return family + " " + event + ", " + base.name().toLowerCase() + " base, " + dtype;
    }
}
