package org.dgm4j.helmholtz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Backends;
import org.dgm4j.distributions.Bernoulli;
import org.dgm4j.eval.ImportanceWeighted;
import org.dgm4j.nn.Linear;
import org.dgm4j.nn.Module;
import org.dgm4j.nn.Parameter;
import org.dgm4j.nn.Sequential;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * The Helmholtz machine (Dayan, Hinton, Neal and Zemel 1995): a generative sigmoid belief network p
 * and a recognition network q over the same binary layers h_0 = x (D units), h_1, ..., h_L.
 *
 * <pre>
 * p(h_L)             = Π Bernoulli(σ(b))                      parameter prior (units L)
 * p(h_l | h_{l+1})   = Π Bernoulli(σ(W_l h_{l+1} + c_l))      generative.l = Linear(units l+1 → units l)
 * q(h_{l+1} | h_l)   = Π Bernoulli(σ(R_l h_l + r_l))          recognition.l = Linear(units l → units l+1)
 * </pre>
 *
 * log p(x, h) = log p(h_L) + Σ_l log p(h_l | h_{l+1}) and log q(h|x) = Σ_l log q(h_{l+1} | h_l), in
 * nats per example. Sampled states are constants (Bernoulli draws carry no gradient), so log p is
 * differentiable in p's parameters and log q in q's. Training algorithms: {@link HelmholtzTrainable}.
 * An optional {@link NvilBaseline} (entry {@code nvil}) belongs to the model so checkpoints keep it.
 */
public final class HelmholtzMachine extends Module implements ImportanceWeighted {
    private final long[] imageShape;
    private final long[] units;
    private final Parameter prior;
    private final Sequential generative, recognition;
    private final NvilBaseline nvil;
    private final DType dtype;

    /**
     * {@code exampleShape}: one example, e.g. (1, 28, 28) or (D); {@code hidden}: the units of h_1..h_L
     * from the visible layer up; {@code nvilHidden} > 0 adds NVIL's baseline with that many hidden units.
     */
    public HelmholtzMachine(long[] exampleShape, long[] hidden, long nvilHidden, double nvilAlpha, DType dtype, Generator init) {
        if (hidden.length < 1) throw new IllegalArgumentException("a Helmholtz machine needs at least one hidden layer");
        long d = 1;
        for (long s : exampleShape) d *= s;
        units = new long[hidden.length + 1];
        units[0] = d;
        for (int i = 0; i < hidden.length; i++) {
            if (hidden[i] < 1) throw new IllegalArgumentException("hidden layer sizes must be >= 1, found " + Arrays.toString(hidden));
            units[i + 1] = hidden[i];
        }
        this.imageShape = exampleShape.clone();
        this.dtype = dtype;
        prior = parameter("prior", Tensor.zeros(Backends.current(), dtype, Shape.of(units[hidden.length])));
        generative = module("generative", new Sequential());
        recognition = module("recognition", new Sequential());
        for (int l = 0; l < hidden.length; l++) generative.add(new Linear(units[l + 1], units[l], true, dtype, init));
        for (int l = 0; l < hidden.length; l++) recognition.add(new Linear(units[l], units[l + 1], true, dtype, init));
        nvil = nvilHidden > 0 ? module("nvil", new NvilBaseline(d, nvilHidden, nvilAlpha, dtype, init)) : null;
    }

    /** Rebuilds the (untrained) model that {@link #metadata()} describes; load its state dict next. */
    public static HelmholtzMachine fromMetadata(Map<String, String> m, Generator init) {
        long[] image = Arrays.stream(m.get("image").split("x")).mapToLong(Long::parseLong).toArray();
        return new HelmholtzMachine(image, parseLayers(m.get("layers")), Long.parseLong(m.getOrDefault("nvil_hidden", "0")),
                Double.parseDouble(m.getOrDefault("nvil_alpha", "0.8")), DType.F32, init);
    }

    /** "200,200" → {200, 200}. */
    public static long[] parseLayers(String text) {
        try {
            long[] l = Arrays.stream(text.split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
            if (l.length == 0) throw new NumberFormatException();
            return l;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("layers must be comma-separated unit counts such as 200,200, found '" + text + "'");
        }
    }

    public Map<String, String> metadata() {
        LinkedHashMap<String, String> m = new LinkedHashMap<>();
        m.put("model", "helmholtz");
        m.put("image", Arrays.stream(imageShape).mapToObj(Long::toString).collect(Collectors.joining("x")));
        m.put("layers", Arrays.stream(units).skip(1).mapToObj(Long::toString).collect(Collectors.joining(",")));
        m.put("nvil_hidden", Long.toString(nvil == null ? 0 : nvil.hidden()));
        if (nvil != null) m.put("nvil_alpha", Double.toString(nvil.alpha()));
        return m;
    }

    /** Units per layer, visible first: (D, n_1, ..., n_L). */
    public long[] units() {
        return units.clone();
    }

    public int hiddenLayers() {
        return units.length - 1;
    }

    /** p's parameters: the prior and the generative layers. */
    public List<Tensor> generativeParameters() {
        List<Tensor> p = new ArrayList<>();
        p.add(prior.tensor());
        p.addAll(generative.parameters());
        return p;
    }

    /** q's parameters: the recognition layers (and the NVIL baseline when there is one). */
    public List<Tensor> recognitionParameters() {
        List<Tensor> p = new ArrayList<>(recognition.parameters());
        if (nvil != null) p.addAll(nvil.parameters());
        return p;
    }

    /** The NVIL baseline, or null. */
    public NvilBaseline nvil() {
        return nvil;
    }

    /** x (B, ...) → (B, D). */
    public Tensor flatten(Tensor x) {
        return x.reshape(x.dim(0), units[0]);
    }

    /** Draws h ~ q(h|x): states [x (B, D), h_1 (B, n_1), ..., h_L]; no graph. */
    public List<Tensor> recognize(Tensor x, Generator g) {
        try (var ng = Autograd.noGrad()) {
            List<Tensor> s = new ArrayList<>();
            s.add(flatten(x));
            for (int l = 0; l < hiddenLayers(); l++) s.add(g.bernoulli(layer(recognition, l).forward(s.get(l)).sigmoid()));
            return s;
        }
    }

    /** Draws (x, h) ~ p ("dreams"): states [x, h_1, ..., h_L] of n examples; no graph. */
    public List<Tensor> dream(int n, Generator g) {
        try (var ng = Autograd.noGrad()) {
            Tensor[] s = new Tensor[units.length];
            int top = hiddenLayers();
            s[top] = g.bernoulli(Ops.expand(prior.tensor().sigmoid().reshape(1, units[top]), Shape.of(n, units[top])));
            for (int l = top - 1; l >= 0; l--) s[l] = g.bernoulli(layer(generative, l).forward(s[l + 1]).sigmoid());
            return new ArrayList<>(List.of(s));
        }
    }

    /** log p(x, h) per example for states [x, h_1, ..., h_L] → (B); differentiable in p's parameters. */
    public Tensor logP(List<Tensor> s) {
        int top = hiddenLayers();
        Tensor lp = Bernoulli.logProbSum(prior.tensor(), s.get(top));
        for (int l = 0; l < top; l++) lp = lp.add(Bernoulli.logProbSum(layer(generative, l).forward(s.get(l + 1)), s.get(l)));
        return lp;
    }

    /** log q(h|x) per example for states [x, h_1, ..., h_L] → (B); differentiable in q's parameters. */
    public Tensor logQ(List<Tensor> s) {
        Tensor lq = null;
        for (int l = 0; l < hiddenLayers(); l++) {
            Tensor t = Bernoulli.logProbSum(layer(recognition, l).forward(s.get(l)), s.get(l + 1));
            lq = lq == null ? t : lq.add(t);
        }
        return lq;
    }

    /** log p(x, h_k) − log q(h_k|x) with h_k ~ q(h|x): x (B, ...) → (k, B). */
    @Override
    public Tensor logWeights(Tensor x, int k, Generator g) {
        long b = x.dim(0), d = units[0];
        Tensor xs = k == 1 ? flatten(x) : Ops.expand(flatten(x).reshape(1, b, d), Shape.of(k, b, d)).reshape(k * b, d);
        List<Tensor> s = recognize(xs, g);
        return logP(s).sub(logQ(s)).reshape(k, b);
    }

    /** n pictures from p: an ancestral draw of h_1, then the Bernoulli means σ(W_0 h_1 + c_0) as images; no graph. */
    public Tensor sample(int n, Generator g) {
        try (var ng = Autograd.noGrad()) {
            Tensor h1 = dream(n, g).get(1);
            long[] shape = new long[imageShape.length + 1];
            shape[0] = n;
            System.arraycopy(imageShape, 0, shape, 1, imageShape.length);
            return layer(generative, 0).forward(h1).sigmoid().reshape(shape);
        }
    }

    private static Linear layer(Sequential s, int l) {
        return (Linear) s.get(l);
    }

    @Override
    protected String describe() {
        return "units " + Arrays.toString(units) + (nvil != null ? ", NVIL baseline " + nvil.hidden() : "") + ", " + dtype;
    }
}
