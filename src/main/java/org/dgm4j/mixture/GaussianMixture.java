package org.dgm4j.mixture;

import java.util.ArrayList;
import java.util.List;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.backend.BinaryOp;
import org.dgm4j.nn.Module;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * A mixture of K Gaussians in D dimensions, p(x) = Σ_k π_k N(x; μ_k, Σ_k), fitted by EM
 * (Dempster, Laird and Rubin 1977) to data x (N, D).
 *
 * <p><b>State</b> (buffers, so {@link #stateDict()} saves them): {@code weights} π (K),
 * {@code means} μ (K, D) and {@code covariances}: Σ (K, D, D) for {@link Covariance#FULL}, the
 * diagonals (K, D) for {@link Covariance#DIAGONAL}. All float64 on the backend current at
 * construction; data of any dtype is cast to float64 once per call, so the E-step, the
 * log-likelihood and its log-sum-exp run in double (the monotonicity check needs it).
 *
 * <p><b>Where the work runs.</b> Everything proportional to N runs as tensor ops on the backend
 * (CPU or CUDA): differences (K, N, D) by broadcasting, batched matmul with the precision factors,
 * log-sum-exp over components, responsibility-weighted sums. Only the small parts run on the host in
 * float64: per component, the Cholesky factor of the D×D covariance, its triangular inverse and log
 * determinant (O(K·D³) per iteration, see {@link HostCholesky}), and the sequential choices of
 * k-means++ (one host copy of N distances per centre). Memory is O(K·N·D) per iteration.
 *
 * <p><b>Fitting.</b> {@link #fit} initializes with k-means++ (Arthur and Vassilvitskii 2007, one
 * candidate per centre, drawn from the given {@link Generator}), then {@link #kmeansIterations}
 * Lloyd steps, then one M-step from the hard assignments (ties split equally); {@link #restarts}
 * repeats this and EM from new seeds and keeps the best run. EM iteration t
 * records the mean per-sample log-likelihood L_t of the current parameters (E-step), stops when
 * |L_t − L_{t−1}| &lt; {@link #tolerance} or after {@link #maxIterations} M-steps. By EM's
 * guarantee the recorded sequence never decreases (up to rounding and the floor below); {@link
 * FitResult#maxDecrease()} lets callers assert it.
 *
 * <p><b>Covariance floor.</b> After every M-step {@code reg} (default 1e-6, scikit-learn's
 * reg_covar, in squared data units) is added to the diagonal of every covariance, so duplicate points,
 * a constant dimension or a component that owns a single point give a positive definite Σ and finite
 * densities. The floored M-step is the exact maximizer only up to O(reg); for data whose variances
 * are far above reg this is far below the rounding of the log-likelihood. Components that lose all
 * their points keep a weight of about 1e-15/N (the 10·ε added to each N_k, as scikit-learn does)
 * instead of producing 0/0.
 */
public final class GaussianMixture extends Module {
    /** Full covariance matrices, or diagonal ones (axis-aligned components). */
    public enum Covariance { FULL, DIAGONAL }

    /**
     * @param logLikelihoods mean per-sample log-likelihood (nats) before each M-step and after the
     *                       last: iterations + 1 values
     * @param iterations     M-steps taken
     * @param converged      whether the tolerance was met before maxIterations
     */
    public record FitResult(double[] logLikelihoods, int iterations, boolean converged) {
        /** The final mean per-sample log-likelihood. */
        public double finalLogLikelihood() {
            return logLikelihoods[logLikelihoods.length - 1];
        }

        /** The largest relative drop max_t (L_{t−1} − L_t)/|L_{t−1}| over the run; ≤ 0 when monotone. */
        public double maxRelativeDecrease() {
            double worst = Double.NEGATIVE_INFINITY;
            for (int t = 1; t < logLikelihoods.length; t++) {
                worst = Math.max(worst, (logLikelihoods[t - 1] - logLikelihoods[t]) / Math.max(Math.abs(logLikelihoods[t - 1]), Double.MIN_NORMAL));
            }
            return logLikelihoods.length < 2 ? 0 : worst;
        }

        /** The largest drop max_t (L_{t−1} − L_t) in nats per sample; ≤ 0 when monotone. */
        public double maxDecrease() {
            double worst = Double.NEGATIVE_INFINITY;
            for (int t = 1; t < logLikelihoods.length; t++) worst = Math.max(worst, logLikelihoods[t - 1] - logLikelihoods[t]);
            return logLikelihoods.length < 2 ? 0 : worst;
        }
    }

    /** Samples x (n, D) float64 and the component each was drawn from. x belongs to the caller's scope. */
    public record Sample(Tensor x, int[] components) {}

    private static final double LOG_2PI = Math.log(2 * Math.PI);
    /** Added to each N_k so an empty component gives 0/tiny, not 0/0 (scikit-learn's 10·eps). */
    private static final double NK_EPS = 10 * Math.ulp(1.0);

    private final int k, d;
    private final Covariance covariance;
    private final Tensor weights, means, covariances;
    private int maxIterations = 100;
    private int kmeansIterations = 10;
    private int restarts = 1;
    private double tolerance = 1e-3;
    private double reg = 1e-6;

    /**
     * K components in D dimensions on the current backend, before fitting: equal weights, zero means,
     * identity covariances.
     */
    public GaussianMixture(int k, int d, Covariance covariance) {
        if (k < 1 || d < 1) throw new IllegalArgumentException("GaussianMixture needs K >= 1 and D >= 1, found K " + k + ", D " + d);
        this.k = k;
        this.d = d;
        this.covariance = java.util.Objects.requireNonNull(covariance, "covariance");
        Backend be = Backends.current();
        weights = buffer("weights", Tensor.full(be, DType.F64, Shape.of(k), 1.0 / k));
        means = buffer("means", Tensor.zeros(be, DType.F64, Shape.of(k, d)));
        double[] init = new double[covariance == Covariance.FULL ? k * d * d : k * d];
        for (int c = 0; c < k; c++) for (int i = 0; i < d; i++) init[covariance == Covariance.FULL ? (c * d + i) * d + i : c * d + i] = 1;
        covariances = buffer("covariances", Tensor.of(be, init, covariance == Covariance.FULL ? Shape.of(k, d, d) : Shape.of(k, d)));
    }

    // ---- options (fluent) -----------------------------------------------------------------------

    /** Most M-steps in {@link #fit} (default 100). */
    public GaussianMixture maxIterations(int n) {
        if (n < 0) throw new IllegalArgumentException("maxIterations must be >= 0, found " + n);
        maxIterations = n;
        return this;
    }

    /** Stop when the mean per-sample log-likelihood changes by less than this (nats; default 1e-3). */
    public GaussianMixture tolerance(double tol) {
        if (!(tol >= 0)) throw new IllegalArgumentException("tolerance must be >= 0, found " + tol);
        tolerance = tol;
        return this;
    }

    /** The covariance floor added to every diagonal after each M-step (default 1e-6; see the class comment). */
    public GaussianMixture reg(double r) {
        if (!(r >= 0) || Double.isInfinite(r)) throw new IllegalArgumentException("reg must be finite and >= 0, found " + r);
        reg = r;
        return this;
    }

    /**
     * Independent initializations (k-means++ from successive draws of the generator) each followed by
     * EM; the parameters of the run with the highest final log-likelihood are kept (default 1, as
     * scikit-learn's n_init). EM finds a local optimum, and overlapping or unequal components make
     * single runs miss modes (LatentVariableBench gmm shows it on the 8-Gaussian ring).
     */
    public GaussianMixture restarts(int n) {
        if (n < 1) throw new IllegalArgumentException("restarts must be >= 1, found " + n);
        restarts = n;
        return this;
    }

    /** Lloyd steps after k-means++ seeding, before EM (default 10; 0 = the seeds alone). */
    public GaussianMixture kmeansIterations(int n) {
        if (n < 0) throw new IllegalArgumentException("kmeansIterations must be >= 0, found " + n);
        kmeansIterations = n;
        return this;
    }

    public int components() {
        return k;
    }

    public int dimensions() {
        return d;
    }

    public Covariance covarianceType() {
        return covariance;
    }

    /** π (K), this module's own buffer: read it, do not close it. */
    public Tensor weights() {
        return weights;
    }

    /** μ (K, D), this module's own buffer. */
    public Tensor means() {
        return means;
    }

    /** Σ (K, D, D) when FULL, diagonals (K, D) when DIAGONAL; this module's own buffer. */
    public Tensor covariances() {
        return covariances;
    }

    // ---- fitting --------------------------------------------------------------------------------

    /**
     * Fits to x (N, D), N ≥ K, on this mixture's backend: k-means++ from {@code g}, Lloyd steps,
     * then EM until convergence or {@link #maxIterations}; with {@link #restarts} &gt; 1 the best of
     * that many runs. Overwrites the buffers in place and returns the kept run's trace.
     */
    public FitResult fit(Tensor x, Generator g) {
        checkData(x);
        if (x.dim(0) < k) throw new IllegalArgumentException("fit: " + x.dim(0) + " points for " + k + " components");
        FitResult best = null;
        double[][] bestState = null;
        for (int r = 0; r < restarts; r++) {
            FitResult run = fitOnce(x, g);
            if (best == null || run.finalLogLikelihood() > best.finalLogLikelihood()) {
                best = run;
                bestState = restarts == 1 ? null : new double[][] {weights.toDoubleArray(), means.toDoubleArray(), covariances.toDoubleArray()};
            }
        }
        if (bestState != null) {
            try (Scope s = Scope.open()) {
                Backend be = weights.backend();
                be.kernels().copy(Tensor.of(be, bestState[0], weights.shape()), weights);
                be.kernels().copy(Tensor.of(be, bestState[1], means.shape()), means);
                be.kernels().copy(Tensor.of(be, bestState[2], covariances.shape()), covariances);
            }
        }
        return best;
    }

    /** One initialization and EM run (see {@link #fit}). */
    private FitResult fitOnce(Tensor x, Generator g) {
        List<Double> lls = new ArrayList<>();
        boolean converged = false;
        int steps = 0;
        try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
            Tensor x64 = x.toDType(DType.F64);
            initialize(x64, g);
            while (true) {
                try (Scope step = Scope.open()) {
                    Tensor joint = logJoint(x64); // (K, N)
                    Tensor lse = Ops.logsumexp(joint, true, 0); // (1, N)
                    double ll = lse.mean().item();
                    if (!Double.isFinite(ll)) throw new IllegalStateException("EM iteration " + steps + ": log-likelihood is " + ll);
                    lls.add(ll);
                    if (lls.size() > 1 && Math.abs(ll - lls.get(lls.size() - 2)) < tolerance) {
                        converged = true;
                        break;
                    }
                    if (steps == maxIterations) break;
                    mStep(x64, joint.sub(lse).exp());
                    steps++;
                }
            }
        }
        double[] out = new double[lls.size()];
        for (int i = 0; i < out.length; i++) out[i] = lls.get(i);
        return new FitResult(out, steps, converged);
    }

    private void checkData(Tensor x) {
        if (x.rank() != 2 || x.dim(1) != d) throw new IllegalArgumentException("expected data (N, " + d + "), found " + x.shape());
        if (x.backend() != weights.backend()) {
            throw new IllegalArgumentException("data on " + x.backend().name() + ", mixture on " + weights.backend().name());
        }
    }

    /** k-means++ seeds, Lloyd steps, then an M-step from the hard assignments. x: (N, D) float64. */
    private void initialize(Tensor x, Generator g) {
        Tensor mu = Tensor.of(x.backend(), kmeansPlusPlus(x, g), Shape.of(k, d));
        for (int i = 0; i < kmeansIterations; i++) {
            try (Scope step = Scope.open()) {
                Tensor r = hardAssignments(x, mu);
                Tensor nk = r.sum(1); // (K)
                Tensor has = Ops.binary(BinaryOp.GT, nk, Ops.scalarLike(nk, 0)).reshape(k, 1);
                Tensor centroid = Ops.matmul(r, x).div(Ops.maximum(nk, Ops.scalarLike(nk, 1)).reshape(k, 1));
                mu = step.keep(centroid.mul(has).add(mu.mul(has.neg().add(1)))); // an empty cluster keeps its centre
            }
        }
        mStep(x, hardAssignments(x, mu));
    }

    /** (K, N) one-hot columns of the nearest centre of each point (ties share equally); mu (K, D). */
    private Tensor hardAssignments(Tensor x, Tensor mu) {
        Tensor dist = differences(x, mu).square().sum(2); // (K, N)
        Tensor hit = Ops.binary(BinaryOp.EQ, dist, Ops.min(dist, true, 0));
        return hit.div(Ops.sum(hit, true, 0));
    }

    /** x (N, D) − mu (K, D) → (K, N, D) by broadcasting. */
    private Tensor differences(Tensor x, Tensor mu) {
        return x.reshape(1, x.dim(0), d).sub(mu.reshape(k, 1, d));
    }

    /**
     * The seeding of k-means++: the first centre uniformly among the points, each next one with
     * probability proportional to its squared distance to the nearest centre so far (uniformly again
     * when every point coincides with a centre). Draws K uniforms from g.
     */
    private double[] kmeansPlusPlus(Tensor x, Generator g) {
        int n = Math.toIntExact(x.dim(0));
        double[] u = g.uniform(x.backend(), DType.F64, Shape.of(k)).toDoubleArray();
        double[] centres = new double[k * d];
        int pick = Math.min(n - 1, (int) (u[0] * n));
        Tensor nearest = null;
        for (int c = 0; ; c++) {
            Tensor row = x.narrowBatch(pick, pick + 1); // (1, D)
            System.arraycopy(row.toDoubleArray(), 0, centres, c * d, d);
            if (c == k - 1) return centres;
            Tensor d2 = x.sub(row).square().sum(1); // (N)
            nearest = nearest == null ? d2 : Ops.minimum(nearest, d2);
            double[] w = nearest.toDoubleArray();
            double total = 0;
            for (double v : w) total += v;
            if (total > 0) {
                double target = u[c + 1] * total, acc = 0;
                pick = n - 1;
                for (int i = 0; i < n; i++) {
                    acc += w[i];
                    if (acc > target && w[i] > 0) {
                        pick = i;
                        break;
                    }
                }
            } else {
                pick = Math.min(n - 1, (int) (u[c + 1] * n));
            }
        }
    }

    /**
     * M-step from responsibilities r (K, N) (columns sum to 1) on x (N, D): N_k = Σ_n r_kn + 10ε,
     * π_k = N_k / Σ N, μ_k = Σ_n r_kn x_n / N_k, Σ_k = Σ_n r_kn (x_n − μ_k)(x_n − μ_k)ᵀ / N_k + reg·I
     * (its diagonal when DIAGONAL). Written into the buffers in place.
     */
    private void mStep(Tensor x, Tensor r) {
        long n = x.dim(0);
        Tensor nk = r.sum(1).add(NK_EPS); // (K)
        Tensor mu = Ops.matmul(r, x).div(nk.reshape(k, 1)); // (K, D)
        Tensor diff = differences(x, mu); // (K, N, D)
        Tensor weighted = diff.mul(r.reshape(k, n, 1));
        Tensor cov;
        if (covariance == Covariance.FULL) {
            double[] eye = new double[d * d];
            for (int i = 0; i < d; i++) eye[i * d + i] = reg;
            cov = Ops.matmul(weighted, true, diff, false).div(nk.reshape(k, 1, 1)).add(Tensor.of(x.backend(), eye, Shape.of(d, d)));
        } else {
            cov = weighted.mul(diff).sum(1).div(nk.reshape(k, 1)).add(reg); // (K, D)
        }
        Tensor pi = nk.div(nk.sum());
        Backend be = weights.backend();
        be.kernels().copy(pi, weights);
        be.kernels().copy(mu, means);
        be.kernels().copy(cov, covariances);
    }

    // ---- densities ------------------------------------------------------------------------------

    /**
     * Host-side factors of the current parameters: {@code whiten} maps a difference row to N(0, I)
     * coordinates, (K, D, D) = (L_k⁻¹)ᵀ with Σ_k = L_k L_kᵀ for FULL, (K, D) = 1/σ_k for DIAGONAL;
     * {@code logNorm} (K, 1) = log π_k − ½(D log 2π + log det Σ_k); {@code scale} (D, K·D) holds L_kᵀ
     * side by side (diag(σ_k) for DIAGONAL), for sampling.
     */
    private record Factors(Tensor whiten, Tensor logNorm, Tensor scale) {}

    private Factors factors() {
        Backend be = weights.backend();
        double[] pi = weights.toDoubleArray(), cov = covariances.toDoubleArray();
        double[] logNorm = new double[k];
        double[] scale = new double[d * k * d];
        double[] whiten;
        if (covariance == Covariance.FULL) {
            whiten = new double[k * d * d];
            for (int c = 0; c < k; c++) {
                double[] sc = new double[d * d];
                System.arraycopy(cov, c * d * d, sc, 0, d * d);
                double[] l = HostCholesky.factor(sc, d, "covariance of component " + c);
                double[] inv = HostCholesky.lowerInverse(l, d);
                for (int i = 0; i < d; i++) {
                    for (int j = 0; j < d; j++) {
                        whiten[c * d * d + i * d + j] = inv[j * d + i]; // (L⁻¹)ᵀ
                        scale[i * k * d + c * d + j] = l[j * d + i]; // Lᵀ
                    }
                }
                logNorm[c] = Math.log(pi[c]) - 0.5 * (d * LOG_2PI + HostCholesky.logDet(l, d));
            }
        } else {
            whiten = new double[k * d];
            for (int c = 0; c < k; c++) {
                double logDet = 0;
                for (int i = 0; i < d; i++) {
                    double v = cov[c * d + i];
                    if (!(v > 0)) throw new IllegalStateException("variance " + i + " of component " + c + " is " + v + "; raise the covariance floor reg");
                    whiten[c * d + i] = 1 / Math.sqrt(v);
                    scale[i * k * d + c * d + i] = Math.sqrt(v);
                    logDet += Math.log(v);
                }
                logNorm[c] = Math.log(pi[c]) - 0.5 * (d * LOG_2PI + logDet);
            }
        }
        return new Factors(Tensor.of(be, whiten, covariance == Covariance.FULL ? Shape.of(k, d, d) : Shape.of(k, d)),
                Tensor.of(be, logNorm, Shape.of(k, 1)), Tensor.of(be, scale, Shape.of(d, (long) k * d)));
    }

    /** log π_k + log N(x_n; μ_k, Σ_k): x (N, D) float64 → (K, N). */
    private Tensor logJoint(Tensor x) {
        Factors f = factors();
        Tensor diff = differences(x, means); // (K, N, D)
        Tensor white = covariance == Covariance.FULL ? Ops.matmul(diff, f.whiten()) : diff.mul(f.whiten().reshape(k, 1, d));
        return white.square().sum(2).mul(-0.5).add(f.logNorm());
    }

    /** log p(x_n) in nats per point: x (N, D) → (N) float64 in the current scope. */
    public Tensor score(Tensor x) {
        checkData(x);
        try (var ng = Autograd.noGrad()) {
            return Ops.logsumexp(logJoint(x.toDType(DType.F64)), false, 0);
        }
    }

    /** The mean of {@link #score} over the points, in double. */
    public double meanLogLikelihood(Tensor x) {
        try (Scope s = Scope.open()) {
            return score(x).mean().item();
        }
    }

    /** Posterior component probabilities p(k | x_n): x (N, D) → (N, K) float64, rows sum to 1. */
    public Tensor responsibilities(Tensor x) {
        checkData(x);
        try (var ng = Autograd.noGrad()) {
            Tensor joint = logJoint(x.toDType(DType.F64));
            return joint.sub(Ops.logsumexp(joint, true, 0)).exp().transpose(0, 1);
        }
    }

    /** The most probable component of each point (lowest index on ties): x (N, D) → N labels. */
    public int[] predict(Tensor x) {
        double[] r;
        try (Scope s = Scope.open()) {
            r = responsibilities(x).toDoubleArray();
        }
        int n = r.length / k;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < k; c++) if (r[i * k + c] > r[i * k + best]) best = c;
            out[i] = best;
        }
        return out;
    }

    /**
     * n points from the mixture: component c_i by inverse CDF of π from n uniforms of g, then
     * x_i = μ_c + L_c z_i with z_i ~ N(0, I) from g (n·D normals). Returns (n, D) float64.
     */
    public Sample sample(int n, Generator g) {
        if (n < 1) throw new IllegalArgumentException("sample: n must be >= 1, found " + n);
        Backend be = weights.backend();
        double[] pi = weights.toDoubleArray();
        try (var ng = Autograd.noGrad(); Scope s = Scope.open()) {
            double[] u = g.uniform(be, DType.F64, Shape.of(n)).toDoubleArray();
            int[] comp = new int[n];
            double[] oneHot = new double[n * k];
            for (int i = 0; i < n; i++) {
                double acc = 0;
                int c = k - 1;
                for (int j = 0; j < k; j++) {
                    acc += pi[j];
                    if (u[i] < acc) {
                        c = j;
                        break;
                    }
                }
                comp[i] = c;
                oneHot[i * k + c] = 1;
            }
            Tensor z = g.normal(be, DType.F64, Shape.of(n, d));
            Tensor hot = Tensor.of(be, oneHot, Shape.of(n, k));
            Tensor spread = Ops.matmul(z, factors().scale()).reshape(n, k, d).mul(hot.reshape(n, k, 1)).sum(1);
            return new Sample(s.keep(spread.add(Ops.matmul(hot, means))), comp);
        }
    }

    @Override
    protected String describe() {
        return k + " components, " + d + " dimensions, " + covariance.name().toLowerCase() + " covariance";
    }
}
