package org.dgm4j.rbm;

import java.util.LinkedHashMap;
import java.util.List;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.optim.Optimizer;
import org.dgm4j.optim.SGD;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;

/**
 * Learning for a {@link BinaryRbm} by contrastive divergence CD-k (Hinton 2002) or persistent CD,
 * PCD-k (Tieleman 2008), with the project's {@link SGD} (momentum, weight decay).
 *
 * <p>The gradient of the mean negative log-likelihood over a batch v⁰ (B, V) is
 * ⟨∂F/∂θ⟩_data − ⟨∂F/∂θ⟩_model; the model expectation is replaced by M negative samples v^k:
 * <pre>
 *   ∂W = −( v⁰ᵀ p(h|v⁰) / B − v^kᵀ p(h|v^k) / M )     (V, H)
 *   ∂b = −( mean_B v⁰ − mean_M v^k )                   (V)
 *   ∂c = −( mean_B p(h|v⁰) − mean_M p(h|v^k) )         (H)
 * </pre>
 * CD-k: v^k is k Gibbs sweeps from the data (M = B), the first hidden state h⁰ ~ p(h|v⁰). PCD-k:
 * M persistent chains (state owned here, M fixed at construction) advance k sweeps per update and
 * are never reset to the data. The gradient is computed explicitly (no graph) and written into each
 * parameter's {@code grad}; {@link #step} then applies two SGD optimizers: one for W with the weight
 * decay (an L2 penalty on W only, as in Hinton's practical guide), one for the biases without it.
 * The explicit gradient equals the autograd gradient of the surrogate
 * mean F(v⁰) − mean F(v^k) with v^k held fixed ({@code ContrastiveDivergenceTest} checks it).
 *
 * <p>Randomness: each update draws from the given {@link Generator}: B·H uniforms for h⁰, then per
 * sweep M·V + M·H (the last sweep's hidden units are not sampled).
 */
public final class ContrastiveDivergence implements AutoCloseable {
    /**
     * @param k           Gibbs sweeps per update (≥ 1)
     * @param persistent  PCD when true, CD when false
     * @param chains      number of persistent chains M (PCD; ignored by CD, where M = B)
     * @param lr          learning rate (per-example mean gradient)
     * @param momentum    SGD momentum (0 = none)
     * @param weightDecay L2 coefficient on W only (0 = none)
     */
    public record Options(int k, boolean persistent, int chains, double lr, double momentum, double weightDecay) {
        public Options {
            if (k < 1) throw new IllegalArgumentException("k must be >= 1, found " + k);
            if (persistent && chains < 1) throw new IllegalArgumentException("PCD needs >= 1 chains, found " + chains);
            if (!(lr >= 0) || !(momentum >= 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("lr, momentum and weight decay must be >= 0, found " + lr + ", " + momentum + ", " + weightDecay);
            }
        }

        /** CD-k with plain SGD. */
        public static Options cd(int k, double lr) {
            return new Options(k, false, 0, lr, 0, 0);
        }

        /** PCD-k over {@code chains} persistent chains with plain SGD. */
        public static Options pcd(int k, int chains, double lr) {
            return new Options(k, true, chains, lr, 0, 0);
        }

        public Options withMomentum(double m) {
            return new Options(k, persistent, chains, lr, m, weightDecay);
        }

        public Options withWeightDecay(double wd) {
            return new Options(k, persistent, chains, lr, momentum, wd);
        }

        public Options withLr(double newLr) {
            return new Options(k, persistent, chains, newLr, momentum, weightDecay);
        }
    }

    /**
     * Monitors of one update, one-element tensors in the caller's scope (reading them syncs a GPU):
     * {@code reconstruction} = mean over the batch of Σ_i (v⁰_i − p(v_i|h⁰))² with h⁰ ~ p(h|v⁰);
     * {@code freeEnergyGap} = mean F(v⁰) − mean F(v^k), the surrogate whose gradient is the update
     * (near 0 or negative when the negative samples look like the data); {@code freeEnergy} = mean F(v⁰).
     */
    public record Step(Tensor reconstruction, Tensor freeEnergyGap, Tensor freeEnergy) {
        public LinkedHashMap<String, Tensor> terms() {
            LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
            m.put("recon", reconstruction);
            m.put("fe_gap", freeEnergyGap);
            m.put("free_energy", freeEnergy);
            return m;
        }
    }

    private final BinaryRbm rbm;
    private final Options options;
    private final SGD weightOpt, biasOpt;
    private final boolean ownsChains;
    private Tensor chains; // (M, V) for PCD, else null

    /**
     * Binds the learner to {@code rbm}. For PCD the M chains start from Bernoulli(σ(b)) drawn from
     * {@code g} now (so initialize the visible bias, e.g. from the data mean, first).
     */
    public ContrastiveDivergence(BinaryRbm rbm, Options options, Generator g) {
        this(rbm, options, options.persistent() ? newChains(rbm, options.chains(), g) : null, true);
    }

    /**
     * Binds the learner to {@code rbm} with persistent chains (M, V) the caller owns and keeps (e.g. a
     * buffer that checkpoints save, filled by {@link #restartChains}); null for CD.
     */
    public ContrastiveDivergence(BinaryRbm rbm, Options options, Tensor chains) {
        this(rbm, options, chains, false);
    }

    private ContrastiveDivergence(BinaryRbm rbm, Options options, Tensor chains, boolean ownsChains) {
        if (options.persistent() != (chains != null)) throw new IllegalArgumentException("PCD needs persistent chains and CD none");
        if (chains != null && (chains.rank() != 2 || chains.dim(0) != options.chains() || chains.dim(1) != rbm.visible())) {
            throw new IllegalArgumentException("expected persistent chains (" + options.chains() + ", " + rbm.visible() + "), found " + chains.shape());
        }
        this.rbm = rbm;
        this.options = options;
        this.chains = chains;
        this.ownsChains = ownsChains;
        weightOpt = new SGD(List.of(rbm.weight()), options.lr()).momentum(options.momentum()).weightDecay(options.weightDecay());
        biasOpt = new SGD(List.of(rbm.visibleBias(), rbm.hiddenBias()), options.lr()).momentum(options.momentum());
    }

    /** M chains (M, V) drawn from Bernoulli(σ(b)), the model with W = 0; outside any scope. */
    private static Tensor newChains(BinaryRbm rbm, int m, Generator g) {
        return Scope.unscoped(() -> {
            try (var ng = Autograd.noGrad(); Scope s = Scope.open()) {
                return s.keep(g.bernoulli(rbm.visibleBias().sigmoid().reshape(1, rbm.visible()).expand(m, rbm.visible())));
            }
        });
    }

    /** PCD: redraws the chains from Bernoulli(σ(b)) (after the visible bias was initialized); no-op for CD. */
    public void restartChains(Generator g) {
        if (chains == null) return;
        try (Tensor fresh = newChains(rbm, options.chains(), g)) {
            rbm.backend().kernels().copy(fresh, chains);
        }
    }

    /** The two optimizers, in a fixed order: "weights" (W, with the weight decay) and "biases". */
    public LinkedHashMap<String, Optimizer> optimizers() {
        LinkedHashMap<String, Optimizer> m = new LinkedHashMap<>();
        m.put("weights", weightOpt);
        m.put("biases", biasOpt);
        return m;
    }

    public Options options() {
        return options;
    }

    /** The persistent chains (M, V), this learner's own tensor; null for CD. */
    public Tensor chains() {
        return chains;
    }

    /** Sets the learning rate of both optimizers (for schedules). */
    public void setLr(double lr) {
        weightOpt.setLr(lr);
        biasOpt.setLr(lr);
    }

    /** Sets the momentum of both optimizers (Hinton's guide raises it from 0.5 to 0.9 after a few epochs). */
    public void setMomentum(double m) {
        weightOpt.momentum(m);
        biasOpt.momentum(m);
    }

    /** One update on batch v⁰ (B, V) with values in [0, 1]: {@link #gradient}, then the SGD steps. */
    public Step step(Tensor v0, Generator g) {
        Step s = gradient(v0, g);
        weightOpt.step();
        biasOpt.step();
        return s;
    }

    /**
     * Writes the CD-k / PCD-k gradient (class comment) of batch v⁰ (B, V) into the parameters'
     * {@code grad} (replacing what was there) and advances the persistent chains; returns the monitors.
     */
    public Step gradient(Tensor v0, Generator g) {
        rbm.checkVisible(v0);
        long b = v0.dim(0);
        try (var ng = Autograd.noGrad(); Scope s = Scope.open()) {
            Tensor a0 = rbm.hiddenInput(v0);
            Tensor ph0 = a0.sigmoid(); // (B, H)
            Tensor pv1 = rbm.visibleProbs(g.bernoulli(ph0)); // (B, V)
            Tensor recon = v0.sub(pv1).square().sum().div(b);

            // CD: the first sweep's p(v|h⁰) is already computed; PCD: the chains' first sweep
            Tensor pv = chains == null ? pv1 : rbm.visibleProbs(g.bernoulli(rbm.hiddenProbs(chains)));
            Tensor v = g.bernoulli(pv);
            Tensor ak = rbm.hiddenInput(v);
            for (int i = 1; i < options.k(); i++) {
                v = g.bernoulli(rbm.visibleProbs(g.bernoulli(ak.sigmoid())));
                ak = rbm.hiddenInput(v);
            }
            Tensor phk = ak.sigmoid(); // (M, H)
            long m = v.dim(0);

            Tensor gw = Ops.matmul(v, true, phk, false).div(m).sub(Ops.matmul(v0, true, ph0, false).div(b));
            Tensor gb = v.mean(0).sub(v0.mean(0));
            Tensor gc = phk.mean(0).sub(ph0.mean(0));
            setGrad(rbm.weight(), gw);
            setGrad(rbm.visibleBias(), gb);
            setGrad(rbm.hiddenBias(), gc);

            Tensor f0 = freeEnergyMean(v0, a0), gap = f0.sub(freeEnergyMean(v, ak));
            if (chains != null) rbm.backend().kernels().copy(v, chains);
            return new Step(s.keep(recon), s.keep(gap), s.keep(f0));
        }
    }

    /** mean F(v) from v (B, V) and its hidden input a = c + vW (B, H); a one-element tensor. */
    private Tensor freeEnergyMean(Tensor v, Tensor a) {
        Tensor vb = Ops.matmul(v, rbm.visibleBias().reshape(rbm.visible(), 1));
        return vb.sum().add(a.softplus().sum()).neg().div(v.dim(0));
    }

    /** Hands g (a fresh copy, outside any scope) to p as its gradient. */
    private static void setGrad(Tensor p, Tensor g) {
        Tensor owned = Scope.unscoped(() -> Ops.copyOf(g));
        p.setGrad(owned);
    }

    /** Frees the optimizers' state and the persistent chains it made itself (not the RBM, not a caller's chains). */
    @Override
    public void close() {
        weightOpt.close();
        biasOpt.close();
        if (ownsChains && chains != null) chains.close();
        chains = null;
    }
}
