package org.dgm4j.rbm;

import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.nn.Module;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * A restricted Boltzmann machine with binary visible units v ∈ {0,1}^V and binary hidden units
 * h ∈ {0,1}^H (Smolensky 1986; Hinton 2002): energy E(v, h) = −vᵀb − hᵀc − vᵀWh, p(v, h) =
 * e^{−E}/Z. Parameters (registered in this order): {@code weight} W (V, H), {@code visible_bias}
 * b (V), {@code hidden_bias} c (H).
 *
 * <p>The conditionals factorize: p(h_j = 1 | v) = σ(c_j + (vW)_j), p(v_i = 1 | h) = σ(b_i +
 * (hWᵀ)_i), and summing out h gives the free energy F(v) = −vᵀb − Σ_j softplus(c_j + (vW)_j) with
 * p(v) = e^{−F(v)}/Z. Everything here is tensor ops on the parameters' backend (CPU or CUDA);
 * randomness comes from a {@link Generator} (Bernoulli draws), so a seed reproduces a run on every
 * backend. Methods record no autograd graph except {@link #freeEnergy}, which is differentiable
 * when grad mode is on (it serves the CD surrogate loss).
 *
 * <p>Training: {@link ContrastiveDivergence}; log Z: {@link ExactPartition} (tiny models) and
 * {@link AnnealedImportanceSampling}; stacking: {@link DeepBeliefNet}.
 */
public final class BinaryRbm extends Module {
    private final int visible, hidden;
    private final DType dtype;
    private final Tensor weight, visibleBias, hiddenBias;

    /**
     * V visible and H hidden units on the current backend: W ~ N(0, initStd²) from {@code init}
     * (Hinton's practical guide uses 0.01), biases zero.
     */
    public BinaryRbm(int visible, int hidden, DType dtype, double initStd, Generator init) {
        if (visible < 1 || hidden < 1) throw new IllegalArgumentException("BinaryRbm needs V >= 1 and H >= 1, found V " + visible + ", H " + hidden);
        if (!(initStd >= 0)) throw new IllegalArgumentException("initStd must be >= 0, found " + initStd);
        this.visible = visible;
        this.hidden = hidden;
        this.dtype = dtype;
        Backend be = Backends.current();
        Tensor w = Scope.unscoped(() -> {
            try (var ng = Autograd.noGrad(); Tensor n = init.normal(be, dtype, Shape.of(visible, hidden))) {
                return n.mul(initStd);
            }
        });
        weight = parameter("weight", w).tensor();
        visibleBias = parameter("visible_bias", Tensor.zeros(be, dtype, Shape.of(visible))).tensor();
        hiddenBias = parameter("hidden_bias", Tensor.zeros(be, dtype, Shape.of(hidden))).tensor();
    }

    /** float32, W ~ N(0, 0.01²). */
    public BinaryRbm(int visible, int hidden, Generator init) {
        this(visible, hidden, DType.F32, 0.01, init);
    }

    public int visible() {
        return visible;
    }

    public int hidden() {
        return hidden;
    }

    public DType dtype() {
        return dtype;
    }

    public Backend backend() {
        return weight.backend();
    }

    /** W (V, H): the module's own tensor, do not close it. */
    public Tensor weight() {
        return weight;
    }

    /** b (V). */
    public Tensor visibleBias() {
        return visibleBias;
    }

    /** c (H). */
    public Tensor hiddenBias() {
        return hiddenBias;
    }

    // ---- conditionals and sampling (no graph) ----------------------------------------------------

    /** c + vW: v (B, V) → (B, H), the hidden units' total input. */
    public Tensor hiddenInput(Tensor v) {
        checkVisible(v);
        try (var ng = Autograd.noGrad()) {
            return Ops.matmul(v, weight).add(hiddenBias);
        }
    }

    /** p(h = 1 | v) = σ(c + vW): v (B, V) → (B, H). */
    public Tensor hiddenProbs(Tensor v) {
        try (var ng = Autograd.noGrad()) {
            return hiddenInput(v).sigmoid();
        }
    }

    /** p(v = 1 | h) = σ(b + hWᵀ): h (B, H) → (B, V). */
    public Tensor visibleProbs(Tensor h) {
        if (h.rank() != 2 || h.dim(1) != hidden) throw new IllegalArgumentException("expected hidden states (B, " + hidden + "), found " + h.shape());
        try (var ng = Autograd.noGrad()) {
            return Ops.matmul(h, false, weight, true).add(visibleBias).sigmoid();
        }
    }

    /** One block-Gibbs sweep v → h ~ p(h|v) → v' ~ p(v|h): v (B, V) → binary (B, V). Draws B·(H + V) uniforms. */
    public Tensor gibbs(Tensor v, Generator g) {
        try (var ng = Autograd.noGrad()) {
            return g.bernoulli(visibleProbs(g.bernoulli(hiddenProbs(v))));
        }
    }

    /**
     * n visible samples: chains start from Bernoulli(σ(b)) (the model with W = 0), run {@code steps}
     * Gibbs sweeps, and the last sweep's p(v | h) is returned as (n, V) means in [0, 1].
     */
    public Tensor sample(int n, int steps, Generator g) {
        if (n < 1 || steps < 1) throw new IllegalArgumentException("sample: n and steps must be >= 1, found " + n + ", " + steps);
        try (var ng = Autograd.noGrad(); Scope s = Scope.open()) {
            Tensor v = g.bernoulli(visibleBias.sigmoid().reshape(1, visible).expand(n, visible));
            for (int i = 0; i < steps - 1; i++) {
                try (Scope step = Scope.open()) {
                    Tensor next = step.keep(gibbs(v, g));
                    v.close(); // keeps memory flat over long chains
                    v = next;
                }
            }
            return s.keep(visibleProbs(g.bernoulli(hiddenProbs(v))));
        }
    }

    // ---- energies --------------------------------------------------------------------------------

    /**
     * F(v) = −vᵀb − Σ_j softplus(c_j + (vW)_j): v (B, V) → (B). Differentiable with respect to the
     * parameters (and v) when grad mode is on.
     */
    public Tensor freeEnergy(Tensor v) {
        checkVisible(v);
        Tensor vb = Ops.matmul(v, visibleBias.reshape(visible, 1)).reshape(v.dim(0));
        return vb.add(Ops.matmul(v, weight).add(hiddenBias).softplus().sum(1)).neg();
    }

    /** log p(v) = −F(v) − log Z for a given log Z (exact or estimated): v (B, V) → (B), no graph. */
    public Tensor logLikelihood(Tensor v, double logZ) {
        try (var ng = Autograd.noGrad()) {
            return freeEnergy(v).neg().sub(logZ);
        }
    }

    /**
     * Reconstruction error, the usual training monitor (not a likelihood): Σ_i (v_i − p(v_i = 1 | h))²
     * with h ~ p(h | v), averaged over the batch; v (B, V) → one-element tensor. Draws B·H uniforms.
     */
    public Tensor reconstructionError(Tensor v, Generator g) {
        try (var ng = Autograd.noGrad()) {
            return v.sub(visibleProbs(g.bernoulli(hiddenProbs(v)))).square().sum().div(v.dim(0));
        }
    }

    /**
     * Sets b_i = log(p_i / (1 − p_i)) with p the per-pixel data mean clipped to [ε, 1 − ε], the
     * initialization of Hinton's practical guide (section 8); mean: (V).
     */
    public void initVisibleBiasFromMean(Tensor mean, double eps) {
        if (mean.rank() != 1 || mean.dim(0) != visible) throw new IllegalArgumentException("expected a mean of (" + visible + "), found " + mean.shape());
        try (var ng = Autograd.noGrad(); Scope s = Scope.open()) {
            Tensor logit = logit(mean, eps);
            backend().kernels().copy(logit.toDType(dtype), visibleBias);
        }
    }

    /** log(p/(1 − p)) with p clipped to [ε, 1 − ε]: p (V) → (V), no graph. */
    static Tensor logit(Tensor p, double eps) {
        if (!(eps > 0 && eps < 0.5)) throw new IllegalArgumentException("eps must be in (0, 0.5), found " + eps);
        Tensor q = Ops.minimum(Ops.maximum(p, Ops.scalarLike(p, eps)), Ops.scalarLike(p, 1 - eps));
        return q.log().sub(q.neg().add(1).log());
    }

    void checkVisible(Tensor v) {
        if (v.rank() != 2 || v.dim(1) != visible) throw new IllegalArgumentException("expected visible states (B, " + visible + "), found " + v.shape());
        if (v.backend() != backend()) throw new IllegalArgumentException("data on " + v.backend().name() + ", RBM on " + backend().name());
        if (v.dtype() != dtype) throw new IllegalArgumentException("data is " + v.dtype() + ", RBM is " + dtype);
    }

    @Override
    protected String describe() {
        return "visible " + visible + ", hidden " + hidden + ", " + dtype;
    }
}
