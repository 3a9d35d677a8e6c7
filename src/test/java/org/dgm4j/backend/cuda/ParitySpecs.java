package org.dgm4j.backend.cuda;

import java.util.LinkedHashMap;
import java.util.Map;
import org.dgm4j.backend.BinaryOp;
import org.dgm4j.backend.ReduceOp;
import org.dgm4j.backend.UnaryOp;
import org.dgm4j.tensor.DType;

/**
 * The tolerance of every op the CUDA parity suite checks, with its reason (OpTable names). An op
 * without an entry here has no parity spec, and the coverage test reports it. Tolerances are in
 * units in the last place of the tensor's dtype, relative to the CPU result; 0 means bit-identical.
 */
final class ParitySpecs {
    record Tolerance(int ulps, String reason) {}

    static final Tolerance EXACT = new Tolerance(0,
            "same arithmetic in double, rounded once to the dtype: +, -, *, / and sqrt are correctly rounded on both sides");
    private static final Tolerance LIBM = new Tolerance(4,
            "exp, log, log1p, tanh, pow come from CUDA's (or the host's) libm vs Java's Math: each within 1-2 ulp; "
                    + "float tensors use float versions of them on the device");
    private static final Tolerance BACKWARD_LIBM = new Tolerance(4,
            "derivative multiplies a libm result (sigmoid, pow) or may be contracted into an FMA by nvcc (1 - y*y)");

    /**
     * Matmul and the convolutions are sums of L products (L = the reduction length: k, C·R·S, K·R·S
     * or N·P·Q). Here {@code ulps} is not in ulps of the result but c in the bound
     * |cuda − cpu| ≤ c · L · eps · Σ_l |a_l · b_l|  (+ |bias|), eps = the dtype's machine epsilon,
     * the magnitude sum computed by the CPU on |inputs| in float64 (CudaParityTest.assertWithinSumBound).
     * Why: both sides sum the same exact products in different orders (the GPU a 64x64-tiled
     * recursive sum with FMAs; oneDNN blocked and vectorised for float32; Java loops in double for
     * float64), and recursive summation of L terms errs by at most γ_L·Σ|a·b| ≈ L·eps/2·Σ|a·b| on each
     * side; c = 2 leaves room for the bias add and for the product roundings FMA skips. Rigorous, so
     * never flaky, and still far below the O(Σ|a·b| / L) a wrong or missing tap would cost.
     */
    static final Tolerance GEMM_BOUND = new Tolerance(2,
            "sum of L products in another order (tiled + FMA vs oneDNN / Java loops): |diff| <= c·L·eps·Σ|a·b|, c = 2");

    static final Map<String, Tolerance> SPECS = build();

    private ParitySpecs() {}

    private static Map<String, Tolerance> build() {
        Map<String, Tolerance> m = new LinkedHashMap<>();
        for (UnaryOp op : UnaryOp.values()) m.put("unary." + op, unary(op));
        m.put("unaryBackward", BACKWARD_LIBM); // per-op tolerances: see unaryBackward(op)
        for (BinaryOp op : BinaryOp.values()) m.put("binary." + op, op == BinaryOp.POW ? LIBM : EXACT);
        m.put("expand", new Tolerance(0, "a copy"));
        m.put("fill", new Tolerance(0, "the value rounded to the dtype"));
        m.put("copy", new Tolerance(0, "float64 -> float32 rounds to nearest on both sides"));
        m.put("uniform", new Tolerance(0, "integer Philox arithmetic, then an exact scaling"));
        m.put("bernoulli", new Tolerance(0, "compares the exact uniform with p"));
        m.put("normal", new Tolerance(4,
                "Box-Muller in double goes through log and cos (last-bit libm differences); float32 almost always "
                        + "rounds them away, float64 keeps them"));
        // matmul and convolution (phase 2b): a sum bound, see GEMM_BOUND
        // Channels-last convolutions (Conv2dParams.channelsLast) share the bound: on CUDA they are exact permutes around
        // the NCHW kernels, on the CPU oneDNN's nhwc convolutions or one matmul, i.e. the same products summed in another order.
        for (String op : new String[] {"matmul", "conv2d", "conv2dBackwardData", "conv2dBackwardWeights"}) m.put(op, GEMM_BOUND);
        m.put("linear", GEMM_BOUND); // composed on CUDA: gemm, the bias add, relu; L = K
        m.put("linearBackward", Reduce.SUM_F32); // per-dtype tolerances: see linearBackward(dtype)
        // reductions, data movement, optimizer updates (phase 2a): see Reduce and reduce(op, dtype)
        for (ReduceOp op : ReduceOp.values()) m.put("reduce." + op, reduce(op, DType.F64));
        for (String op : new String[] {"permute", "concat", "slice"}) m.put(op, new Tolerance(0, "a copy"));
        m.put("sliceAdd", new Tolerance(0, "one addition in double rounded once, as the CPU; one writer per element"));
        Tolerance update = new Tolerance(0, "same expressions in the CPU's order in double, products and sums through "
                + "__dmul_rn / __dadd_rn so nvcc cannot fuse them into FMAs, Math.pow evaluated in Java for both");
        m.put("sgdUpdate", update);
        m.put("adamUpdate", update);
        // normalizing flows (coupling.cu, actnorm.cu, invconv.cu, squeeze.cu): see Flow
        for (String op : new String[] {"affineCoupling", "affineCouplingInverse", "affineCouplingBackward"}) m.put(op, Flow.COUPLING);
        m.put("actnorm", Flow.ACTNORM);
        m.put("actnormInverse", Flow.ACTNORM);
        m.put("actnormBackward", Flow.ACTNORM_BACKWARD);
        m.put("actnormStats", Flow.STATS);
        m.put("logAbsDet", Flow.LOG_ABS_DET);
        m.put("matrixInverse", Flow.LU_EXACT);
        m.put("squeeze2d", new Tolerance(0, "a copy"));
        m.put("unsqueeze2d", new Tolerance(0, "a copy"));
        return m;
    }

    // ---- normalizing flows

    /**
     * The flow ops compute in double and round once to the dtype. Outputs that mix signed terms are
     * compared against a magnitude M: the same op run by the CPU in float64 on |inputs| for every
     * input that enters linearly (x, y, shift, bias, dy, dlogdet; negated where the op subtracts it),
     * while s, 1 − s, 1/s and exp(±logScale) are positive. M bounds the sum of |terms|, so a
     * cancellation can neither hide a difference nor fake one. Elementwise outputs:
     * |cuda − cpu| ≤ ulps · eps · M, eps = the output dtype's machine epsilon (2^-52 or 2^-23). A sum
     * of T terms in another order (a tree over threads and blocks vs the CPU's sequence) adds each
     * side's recursive-summation error, T·eps/2·M: |cuda − cpu| ≤ (ulps + 2T) · eps · M.
     * (CudaFlowParityTest.assertWithinMagnitude.)
     */
    static final class Flow {
        private Flow() {}

        static final Tolerance COUPLING = new Tolerance(16,
                "exp(-|h|) and log1p within 1 ulp on each side (CUDA's double libm vs Java's Math), so s, 1 - s, 1/s and "
                        + "log s within about 4 ulp, plus up to 4 roundings (some fused into FMAs by nvcc) of the products: "
                        + "16 eps of the magnitude; logdet, a sum of n log-sigmoids of one sign (M = |logdet|), adds 2n eps");
        static final Tolerance ACTNORM = new Tolerance(4,
                "one exp per element (1 ulp each side) and one or two roundings: 4 eps of the magnitude; logdet is the same "
                        + "sequential sum over channels on both sides: exact");
        static final Tolerance ACTNORM_BACKWARD = new Tolerance(4,
                "dx: one exp and one product (4 eps of M); dbias, dlogScale: sums of T = B·S + B terms in another order "
                        + "(chunks, block trees, then partials in order vs one sequence): (4 + 2T) eps of M");
        static final Tolerance STATS = new Tolerance(4,
                "shifted two-pass sums over the N = B·S values of a channel in another order: mean within (4 + 2N) eps of "
                        + "|mean| + mean|x - K|; std within (4 + 2N) eps of std (the mean's own error enters var only to "
                        + "second order, since Σ(x - mean) = 0), plus eps of the mean's magnitude");
        static final Tolerance LOG_ABS_DET = new Tolerance(8,
                "the LU is bit-identical (same operations in the same order, no FMA) and |det| = m·2^E is exact (frexp); "
                        + "only log(m), m in [0.71, 1.41), comes from libm (1 ulp each side), and |log|det|| >= |log m| "
                        + "whenever E != 0: a few ulp of the result");
        static final Tolerance LU_EXACT = new Tolerance(0,
                "LU and both substitutions: the same operations in the same order in double on both sides, products and "
                        + "differences through __dmul_rn / __dsub_rn (no FMA), correctly rounded division");
    }

    // ---- reductions (phase 2a)

    /** A holder class, so these exist before SPECS = build() reads them (static order). */
    static final class Reduce {
        private Reduce() {}

        /**
         * float32 sums: both sides sum in double and round once; for the positive inputs the suite gives
         * the sums, the two double sums differ relatively by at most 2(n-1)·2^-53 (below 2^-39 for
         * n < 2^13), so the float32 results can differ only where they straddle a rounding boundary.
         */
        static final Tolerance SUM_F32 = new Tolerance(1,
                "double sums in another order (GPU tree vs CPU sequential) differ by ~1e-12 relatively; rounding to "
                        + "float32 then differs by at most 1 ulp");
        /**
         * float64 sums of n positive terms: any summation order errs by at most (n-1)·u·S (u = 2^-53), and
         * ulp(S) > u·S, so CPU and GPU differ by less than 2(n-1) ulps; the suite's largest reduced count
         * is 4099, hence 8200 (a relative 1.8e-12; one missing or doubled term moves the sum by > 1/8200).
         * MEAN adds one division, LOGSUMEXP (inputs in [1, 5], result >= 1) adds 1-ulp exp / log
         * differences: well inside the same figure.
         */
        static final Tolerance SUM_F64 = new Tolerance(8200,
                "float64 sums of <= 4099 positive terms in another order: |diff| < 2(n-1) ulp (relative < 1.8e-12)");
        static final Tolerance EXTREMUM = new Tolerance(0,
                "max / min are exact, and Java's Math.max / min (NaN wins, +0 > -0) are associative: any tree order agrees");
    }

    static Tolerance reduce(ReduceOp op, DType dt) {
        if (op == ReduceOp.MAX || op == ReduceOp.MIN) return Reduce.EXTREMUM;
        return dt == DType.F32 ? Reduce.SUM_F32 : Reduce.SUM_F64;
    }

    /**
     * linearBackward: the masked gradient g is a selection (exact); the bias gradient is a column sum of
     * g in double, in another order on the device (the suite feeds positive gy, so the sum bounds of
     * {@link Reduce} hold).
     */
    static Tolerance linearBackward(DType dt, boolean biasGradient) {
        return biasGradient ? reduce(ReduceOp.SUM, dt) : EXACT;
    }

    static Tolerance unary(UnaryOp op) {
        return switch (op) {
            case EXP, LOG, SIGMOID, TANH, SOFTPLUS, POW_SCALAR -> LIBM;
            default -> EXACT;
        };
    }

    static Tolerance unaryBackward(UnaryOp op) {
        return switch (op) {
            case TANH, SOFTPLUS, POW_SCALAR -> BACKWARD_LIBM;
            default -> EXACT;
        };
    }
}
