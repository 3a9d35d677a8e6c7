package org.dgm4j.flow;

import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.nn.Init;
import org.dgm4j.nn.Parameter;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * The invertible 1x1 convolution with an LU-parameterized weight (Glow, section 3.2):
 *
 * <pre>
 * W = P·L·(U + diag(sign·exp(logS)))
 *   P (C, C)  a fixed permutation                     (buffer "permutation")
 *   L (C, C)  unit lower triangular: strict lower part of the parameter "lower", ones on the diagonal
 *   U (C, C)  strictly upper triangular: strict upper part of the parameter "upper"
 *   s (C)     sign fixed (buffer "sign", ±1), log|s| learned (parameter "logS")
 * logdet = H·W·Σ_c logS_c per example   (no determinant to compute: O(C) instead of O(C³))
 * </pre>
 *
 * Shapes as {@link InvConv1x1}: x (B, C, H, W) or (B, C). Initialized from a random rotation Q: its
 * LU factorization with partial pivoting (float64) gives P, L, U and s, so W = Q at the start. The
 * entries of "lower" and "upper" outside their triangles are masked out (buffers "lowerMask",
 * "upperMask") and get zero gradient. The inverse uses W⁻¹ by LU of the assembled W, as the dense form.
 */
public final class InvConv1x1Lu extends Bijector {
    private final long channels;
    private final Parameter lower, upper, logS;
    private final Tensor permutation, sign, lowerMask, upperMask, eye;

    public InvConv1x1Lu(long channels, DType dtype, Generator gen) {
        if (channels <= 0) throw new IllegalArgumentException("InvConv1x1Lu needs channels > 0, found " + channels);
        this.channels = channels;
        int n = Math.toIntExact(channels);
        double[] q;
        try (Tensor host = Tensor.empty(Backends.cpu(), DType.F64, Shape.of(n, n))) {
            q = Init.orthogonal(host, 1.0, gen).toDoubleArray();
        }
        HostLinalg.Lu f = HostLinalg.lu(q, n); // rows: (P_lu·Q) = L·U, so Q = P_luᵀ·L·U and P = P_luᵀ
        double[] p = new double[n * n], l = new double[n * n], u = new double[n * n], s = new double[n], sg = new double[n];
        double[] lm = new double[n * n], um = new double[n * n], id = new double[n * n];
        for (int i = 0; i < n; i++) {
            p[f.pivot()[i] * n + i] = 1; // P = P_luᵀ: column i has its one at row pivot[i]
            double d = f.lu()[i * n + i];
            sg[i] = Math.signum(d);
            s[i] = Math.log(Math.abs(d));
            id[i * n + i] = 1;
            for (int j = 0; j < n; j++) {
                if (j < i) {
                    l[i * n + j] = f.lu()[i * n + j];
                    lm[i * n + j] = 1;
                } else if (j > i) {
                    u[i * n + j] = f.lu()[i * n + j];
                    um[i * n + j] = 1;
                }
            }
        }
        Backend b = Backends.current();
        lower = parameter("lower", tensor(b, dtype, l, n, n));
        upper = parameter("upper", tensor(b, dtype, u, n, n));
        logS = parameter("logS", tensor(b, dtype, s, n));
        permutation = buffer("permutation", tensor(b, dtype, p, n, n));
        sign = buffer("sign", tensor(b, dtype, sg, n));
        lowerMask = buffer("lowerMask", tensor(b, dtype, lm, n, n));
        upperMask = buffer("upperMask", tensor(b, dtype, um, n, n));
        eye = buffer("eye", tensor(b, dtype, id, n, n));
    }

    private static Tensor tensor(Backend b, DType dtype, double[] v, long... dims) {
        Tensor d = Tensor.of(b, v, Shape.of(dims));
        if (dtype == DType.F64) return d;
        try (Scope s = Scope.open()) {
            return s.keep(Ops.cast(d, dtype));
        } finally {
            d.close();
        }
    }

    /** W = P·L·(U + diag(s)) (C, C), differentiable in lower, upper and logS. */
    public Tensor weight() {
        Tensor l = Ops.add(Ops.mul(lower.tensor(), lowerMask), eye);
        Tensor diag = Ops.mul(eye, Ops.mul(sign, Ops.exp(logS.tensor()))); // (C, C)·(C): column j scaled by s_j
        Tensor u = Ops.add(Ops.mul(upper.tensor(), upperMask), diag);
        return Ops.matmul(permutation, Ops.matmul(l, u));
    }

    @Override
    public Result forward(Tensor x) {
        checkChannels(x, channels, 2, 4);
        return new Result(InvConv1x1.mix(x, weight()), logdet(x, 1));
    }

    @Override
    public Result inverse(Tensor z) {
        checkChannels(z, channels, 2, 4);
        return new Result(InvConv1x1.mix(z, InvConv1x1.inverseOf(weight())), logdet(z, -1));
    }

    private Tensor logdet(Tensor x, double sgn) {
        return perExample(Ops.mulScalar(Ops.sum(Ops.cast(logS.tensor(), DType.F64), false), sgn * positionsPerChannel(x)), x.dim(0));
    }

    @Override
    protected String describe() {
        return channels + " channels, LU-parameterized";
    }
}
