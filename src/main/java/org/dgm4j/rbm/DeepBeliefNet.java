package org.dgm4j.rbm;

import java.util.ArrayList;
import java.util.List;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;

/**
 * A deep belief net (Hinton, Osindero and Teh 2006) of binary layers sizes[0] (visible), sizes[1],
 * …, sizes[L]: L stacked {@link BinaryRbm}s, submodules {@code rbm0} (sizes[0], sizes[1]) …
 * {@code rbm<L−1>}. The top RBM is an undirected associative memory; the layers below it act as a
 * directed sigmoid belief net p(h_l | h_{l+1}) = σ(b_l + h_{l+1}W_lᵀ).
 *
 * <p><b>Training</b> ({@link #trainGreedy}) is greedy and layer-wise: rbm0 learns the data by CD /
 * PCD; then the data are mapped through p(h|v) (probabilities, as in Hinton's code) and rbm1
 * learns those; and so on. Each layer gets its own {@link ContrastiveDivergence} with the same options.
 *
 * <p><b>Sampling</b> ({@link #sample}) runs Gibbs in the top RBM, then passes the top RBM's visible
 * states down: binary samples through the intermediate layers, and the bottom layer's Bernoulli
 * means p(v | h_1) as the returned image (values in [0, 1]).
 */
public final class DeepBeliefNet extends org.dgm4j.nn.Module {
    private final List<BinaryRbm> layers = new ArrayList<>();
    private final int[] sizes;

    /** sizes (V, H_1, …, H_L), L ≥ 1; every RBM W ~ N(0, initStd²) from {@code init}, on the current backend. */
    public DeepBeliefNet(int[] sizes, DType dtype, double initStd, Generator init) {
        if (sizes.length < 2) throw new IllegalArgumentException("a DBN needs >= 2 layer sizes (visible and one hidden), found " + sizes.length);
        this.sizes = sizes.clone();
        for (int l = 0; l + 1 < sizes.length; l++) layers.add(module("rbm" + l, new BinaryRbm(sizes[l], sizes[l + 1], dtype, initStd, init)));
    }

    /** Number of RBMs L. */
    public int depth() {
        return layers.size();
    }

    /** The RBM between layers l and l + 1 (0 = the one on the data). */
    public BinaryRbm layer(int l) {
        return layers.get(l);
    }

    public int[] sizes() {
        return sizes.clone();
    }

    /**
     * Greedy layer-wise training on data (N, V) with values in [0, 1] (already binarized if the model
     * should see binary data): each RBM gets {@code epochs} passes of mini-batches of
     * {@code batchSize} rows (consecutive rows; the order of the batches is shuffled per epoch from g;
     * a last short batch is dropped), its visible bias first set from the mean of its input. Returns
     * each layer's mean reconstruction error per epoch: [layer][epoch].
     */
    public double[][] trainGreedy(Tensor data, int epochs, int batchSize, ContrastiveDivergence.Options options, Generator g) {
        if (data.rank() != 2 || data.dim(1) != sizes[0]) throw new IllegalArgumentException("expected data (N, " + sizes[0] + "), found " + data.shape());
        long n = data.dim(0);
        if (batchSize < 1 || n < batchSize) throw new IllegalArgumentException("batch size " + batchSize + " for " + n + " rows");
        int batches = (int) (n / batchSize);
        double[][] recon = new double[layers.size()][epochs];
        try (var ng = Autograd.noGrad(); Scope s = Scope.open()) {
            Tensor input = data;
            for (int l = 0; l < layers.size(); l++) {
                BinaryRbm rbm = layers.get(l);
                rbm.initVisibleBiasFromMean(input.mean(0), 1e-3);
                try (ContrastiveDivergence cd = new ContrastiveDivergence(rbm, options, g)) {
                    for (int e = 0; e < epochs; e++) {
                        double sum = 0;
                        for (int bi : permutation(data.backend(), batches, g)) {
                            try (Scope step = Scope.open()) {
                                Tensor batch = input.narrowBatch((long) bi * batchSize, (long) (bi + 1) * batchSize);
                                sum += cd.step(batch, g).reconstruction().item();
                            }
                        }
                        recon[l][e] = sum / batches;
                    }
                }
                if (l + 1 < layers.size()) input = rbm.hiddenProbs(input);
            }
        }
        return recon;
    }

    /** 0..n−1 shuffled by Fisher–Yates with n uniforms drawn from g. */
    private static int[] permutation(org.dgm4j.backend.Backend be, int n, Generator g) {
        double[] u;
        try (Scope s = Scope.open()) {
            u = g.uniform(be, DType.F64, org.dgm4j.tensor.Shape.of(n)).toDoubleArray();
        }
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = Math.min(i, (int) (u[i] * (i + 1)));
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /**
     * n samples (n, V) with values in [0, 1]: the top RBM's visible chain starts from
     * Bernoulli(σ(b_top)) and runs {@code gibbsSteps} sweeps; its binary visible states then go down
     * through p(h_l | h_{l+1}) (sampled), and the bottom layer returns the means p(v | h_1).
     */
    public Tensor sample(int n, int gibbsSteps, Generator g) {
        if (n < 1 || gibbsSteps < 1) throw new IllegalArgumentException("sample: n and gibbsSteps must be >= 1, found " + n + ", " + gibbsSteps);
        BinaryRbm top = layers.get(layers.size() - 1);
        if (layers.size() == 1) return top.sample(n, gibbsSteps, g);
        try (var ng = Autograd.noGrad(); Scope s = Scope.open()) {
            Tensor x = g.bernoulli(top.visibleBias().sigmoid().reshape(1, top.visible()).expand(n, top.visible()));
            for (int i = 0; i < gibbsSteps; i++) {
                try (Scope step = Scope.open()) {
                    Tensor next = step.keep(top.gibbs(x, g));
                    x.close();
                    x = next;
                }
            }
            for (int l = layers.size() - 2; l > 0; l--) x = g.bernoulli(layers.get(l).visibleProbs(x));
            return s.keep(layers.get(0).visibleProbs(x));
        }
    }

    @Override
    protected String describe() {
        return "layers " + java.util.Arrays.toString(sizes);
    }
}
