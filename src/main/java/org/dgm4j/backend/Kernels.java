package org.dgm4j.backend;

import org.dgm4j.tensor.Tensor;

/**
 * The op table: the one list of operations a backend implements. Every tensor is contiguous
 * row-major; outputs are allocated by the caller with the documented shape and dtype and may alias
 * an input only where stated. {@link CheckedKernels} validates shapes, dtypes, backends and
 * arguments before any implementation runs, so implementations may assume valid input.
 * Adding an op: its method here (math + shapes), the CPU implementation, the C declaration in
 * native/include, the CUDA implementation, and its entry in the test spec table.
 */
public interface Kernels {

    // ---- elementwise ----------------------------------------------------------------------------

    /** out = f(x; p). x, out: same shape and dtype; out may be x. */
    @Op(differentiable = true)
    void unary(UnaryOp op, double p, Tensor x, Tensor out);

    /** gx = gy · f'(x) where y = f(x; p) is given too (sigmoid, tanh, exp use it). All one shape. */
    @Op(backwardOf = "unary")
    void unaryBackward(UnaryOp op, double p, Tensor x, Tensor y, Tensor gy, Tensor gx);

    /** out = a ∘ b with NumPy broadcasting; out has the broadcast shape and may be a or b when equal. */
    @Op(differentiable = true)
    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out);

    /** out = x broadcast to out's shape (NumPy rules; x's rank ≤ out's rank). */
    @Op(differentiable = true)
    void expand(Tensor x, Tensor out);

    /** Every element of out set to value. */
    @Op
    void fill(Tensor out, double value);

    /** out = x element by element, converting dtype if they differ. Same element count. */
    @Op(differentiable = true)
    void copy(Tensor x, Tensor out);

    // ---- reductions -----------------------------------------------------------------------------

    /**
     * out = op over {@code axes} of x, keeping reduced axes with size 1: x (d0..dn) → out with
     * d_a = 1 for a in axes. axes are distinct and sorted. Accumulates in double.
     */
    @Op(differentiable = true)
    void reduce(ReduceOp op, Tensor x, int[] axes, Tensor out);

    // ---- linear algebra -------------------------------------------------------------------------

    /**
     * out = op(a) · op(b), op = transpose when the flag is set. 2-D: a (M, K) [or (K, M)], b (K, N)
     * [or (N, K)], out (M, N). 3-D batched: a leading batch axis B on a, b and out.
     */
    @Op(differentiable = true)
    void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor out);

    /**
     * The fused linear layer y = act(x·wᵀ + b): x (M, K), w (N, K), b (N) or null, y (M, N); act is
     * ReLU (x > 0 ? x : 0, so NaN → 0) when {@code relu}, else the identity. Same values as matmul,
     * then the bias add, then relu, each rounded to the dtype.
     */
    @Op(differentiable = true)
    void linear(Tensor x, Tensor w, Tensor b, boolean relu, Tensor y);

    /**
     * The elementwise part of {@link #linear}'s backward, one pass over gy (M, N) and y (M, N), y the
     * forward's output: the gradient at the pre-activation, g = gy·[y > 0] when {@code relu} (y > 0
     * exactly where x·wᵀ + b > 0), written to g (M, N), which is null without relu (g is then gy);
     * and the bias gradient gb (N) = Σ_m g[m, :] summed in double in row order, or null. gx = g·w and
     * gw = gᵀ·x are matmuls.
     */
    @Op(backwardOf = "linear")
    void linearBackward(Tensor y, Tensor gy, boolean relu, Tensor g, Tensor gb);

    /**
     * y = act(conv(x, w) + bias): x (N, C, H, W), w (K, C, R, S), bias (K) or null, y (N, K, P, Q); act
     * is ReLU when {@code relu} (as {@link #linear}'s: same values as the convolution, then relu), else
     * the identity. Its backward's mask is {@link #linearBackward}'s on y.
     */
    @Op(differentiable = true)
    void conv2d(Tensor x, Tensor w, Tensor bias, Conv2dParams p, boolean relu, Tensor y);

    /** gx = ∂(y·gy)/∂x: gy (N, K, P, Q), w (K, C, R, S), gx (N, C, H, W). Also transposed convolution. */
    @Op(backwardOf = "conv2d")
    void conv2dBackwardData(Tensor gy, Tensor w, Conv2dParams p, Tensor gx);

    /** gw (K, C, R, S) and gbias (K) or null from x (N, C, H, W) and gy (N, K, P, Q); both overwritten. */
    @Op(backwardOf = "conv2d")
    void conv2dBackwardWeights(Tensor x, Tensor gy, Conv2dParams p, Tensor gw, Tensor gbias);

    // ---- data movement --------------------------------------------------------------------------

    /** out = x with axes permuted: out.dim(i) = x.dim(perm[i]). */
    @Op(differentiable = true)
    void permute(Tensor x, int[] perm, Tensor out);

    /** out = xs joined along axis; all other dims equal. */
    @Op(differentiable = true)
    void concat(Tensor[] xs, int axis, Tensor out);

    /** out[.., i, ..] = x[.., start + i·step, ..] along axis, i < out.dim(axis); step ≥ 1. */
    @Op(differentiable = true)
    void slice(Tensor x, int axis, long start, long step, Tensor out);

    /** dst[.., start + i·step, ..] += src[.., i, ..] along axis (the adjoint of slice). */
    @Op(backwardOf = "slice")
    void sliceAdd(Tensor src, int axis, long start, long step, Tensor dst);

    // ---- normalizing flows (native/include/dgm4j/flow.h; reference: cpu/CpuFlow) -----------------
    // Every value is computed in double and rounded once to the dtype; logdet and dlogdet are always
    // float64 (B), per-sample sums accumulated in double, whatever the dtype of the other operands.

    /**
     * Affine coupling (Glow / RealNVP), forward: s = sigmoid(raw + 2), y = (x + shift)·s,
     * logdet[b] = Σ_n log s[b, n], with log s = −softplus(−(raw + 2)) (stable for any raw).
     * x, raw, shift, y: one shape (B, ...) of rank ≥ 2, read as (B, N); logdet: (B) float64.
     */
    @Op(differentiable = true)
    void affineCoupling(Tensor x, Tensor raw, Tensor shift, Tensor y, Tensor logdet);

    /**
     * Affine coupling, inverse: x = y·(1/s) − shift with 1/s = 1 + exp(−(raw + 2)),
     * logdet[b] = −Σ_n log s[b, n]. Shapes as {@link #affineCoupling}. Where raw + 2 < −709, 1/s
     * exceeds the double range and x is infinite (s itself is then below 1e-308).
     */
    @Op(differentiable = true)
    void affineCouplingInverse(Tensor y, Tensor raw, Tensor shift, Tensor x, Tensor logdet);

    /**
     * Backward of {@link #affineCoupling} from dy (B, ...) and dlogdet (B) float64:
     * dx = dy·s (which is also dshift), draw = (dy·(x + shift)·s + dlogdet[b])·(1 − s).
     * x, raw, shift, dy, dx, draw: one shape.
     */
    @Op(backwardOf = "affineCoupling")
    void affineCouplingBackward(Tensor x, Tensor raw, Tensor shift, Tensor dy, Tensor dlogdet, Tensor dx, Tensor draw);

    /**
     * Actnorm, forward: y = (x + bias[c])·exp(logScale[c]), logdet[b] = S·Σ_c logScale[c] (summed in
     * channel order). x, y: (B, C, ...) of rank ≥ 2, S = the product of the dims after C (H·W for
     * (B, C, H, W), 1 for (B, C)); logScale, bias: (C) in x's dtype; logdet: (B) float64.
     */
    @Op(differentiable = true)
    void actnorm(Tensor x, Tensor logScale, Tensor bias, Tensor y, Tensor logdet);

    /** Actnorm, inverse: x = y·exp(−logScale[c]) − bias[c], logdet[b] = −S·Σ_c logScale[c]. Shapes as {@link #actnorm}. */
    @Op(differentiable = true)
    void actnormInverse(Tensor y, Tensor logScale, Tensor bias, Tensor x, Tensor logdet);

    /**
     * Backward of {@link #actnorm} from dy (B, C, ...) and dlogdet (B) float64, e_c = exp(logScale[c]):
     * dx = dy·e_c; dbias[c] = e_c·Σ_{b,p} dy; dlogScale[c] = e_c·Σ_{b,p} dy·(x + bias[c]) + S·Σ_b dlogdet[b]
     * (p over the S positions). dx like x; dlogScale, dbias: (C). All overwritten.
     */
    @Op(backwardOf = "actnorm")
    void actnormBackward(Tensor x, Tensor logScale, Tensor bias, Tensor dy, Tensor dlogdet, Tensor dx, Tensor dlogScale,
                         Tensor dbias);

    /**
     * Per-channel statistics for actnorm's data-dependent initialization: over the B·S values of
     * channel c (x: (B, C, ...), B·S ≥ 1), mean[c] and the population standard deviation std[c]
     * (divided by B·S), both (C) in x's dtype. Shifted two-pass in double: K = x[0, c, 0],
     * mean = K + Σ(x − K)/(B·S), std = sqrt(Σ(x − mean)²/(B·S)). A constant channel gives exactly
     * mean = K and std = 0 (never NaN): the caller adds its epsilon before dividing by std.
     */
    @Op
    void actnormStats(Tensor x, Tensor mean, Tensor std);

    /**
     * logdet = log|det w| by LU with partial pivoting in double (the first largest |pivot| wins a tie).
     * w: (C, C), C ≥ 1, any dtype; logdet: () float64. A singular w (an exactly zero pivot) gives −inf;
     * a w with NaN or infinite entries gives NaN. Never throws for the values of w.
     */
    @Op(differentiable = true)
    void logAbsDet(Tensor w, Tensor logdet);

    /**
     * out = w⁻¹ by the same LU (then one forward and one back substitution per column, in double).
     * w, out: (C, C), C ≥ 1, one dtype. A singular w (an exactly zero pivot) gives out all NaN.
     */
    @Op(differentiable = true)
    void matrixInverse(Tensor w, Tensor out);

    /**
     * Glow's squeeze by 2: x (B, C, H, W), H and W even → out (B, 4C, H/2, W/2) with
     * out[b, 4c + 2i + j, h, w] = x[b, c, 2h + i, 2w + j], i.e. x.reshape(B, C, H/2, 2, W/2, 2)
     * .permute(0, 1, 3, 5, 2, 4).reshape(B, 4C, H/2, W/2).
     */
    @Op(differentiable = true)
    void squeeze2d(Tensor x, Tensor out);

    /** The exact inverse of {@link #squeeze2d}: x (B, 4C, H, W) → out (B, C, 2H, 2W). */
    @Op(differentiable = true)
    void unsqueeze2d(Tensor x, Tensor out);

    // ---- random numbers (Philox 4x32-10; see backend.Philox for the exact streams) ---------------

    /** out[i] ~ U[0, 1) from counter block (offset + i) of key seed. */
    @Op
    void uniform(long seed, long offset, Tensor out);

    /** out[i] ~ N(0, 1) by Box-Muller from counter block (offset + i) of key seed. */
    @Op
    void normal(long seed, long offset, Tensor out);

    /** out[i] = 1 if uniform(seed, offset)[i] &lt; p[i] else 0; p broadcasts to out (a scalar p works). */
    @Op
    void bernoulli(long seed, long offset, Tensor p, Tensor out);

    // ---- optimizer updates (in place, fused: one pass over the parameters) ----------------------

    /**
     * SGD: g' = g + wd·θ; buf = momentum·buf + (1 − dampening)·g' (buf = g' on the first step, when
     * {@code firstStep}); step = nesterov ? g' + momentum·buf : buf; θ -= lr·step. buf null when
     * momentum = 0. param, grad, buf: one shape.
     */
    @Op
    void sgdUpdate(Tensor param, Tensor grad, Tensor buf, double lr, double momentum, double dampening,
                   double weightDecay, boolean nesterov, boolean firstStep);

    /**
     * Adam / AdamW / Adamax (PyTorch's definitions): m = β1·m + (1 − β1)·g;
     * Adam: v = β2·v + (1 − β2)·g², θ -= lr/(1 − β1^t) · m / (√(v/(1 − β2^t)) + ε);
     * Adamax: v = max(β2·v, |g| + ε), θ -= lr/(1 − β1^t) · m / v. param, grad, m, v: one shape.
     */
    @Op
    void adamUpdate(Tensor param, Tensor grad, Tensor m, Tensor v, AdamStep s);
}
