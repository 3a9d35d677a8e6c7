package org.dgm4j.flow;

import static org.dgm4j.flow.FlowTesting.assertClose;
import static org.dgm4j.flow.FlowTesting.normal;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.dgm4j.autograd.Gradcheck;
import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Backends;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The pieces against hand computation: host LU, the LU parameterization, squeeze's layout, masks, base densities. */
class FlowPartsTest {
    @Test
    void luWithPartialPivotingKnownAnswers() {
        HostLinalg.Lu f = HostLinalg.lu(new double[] {0, 2, 3, 4}, 2); // needs a row swap: det = −6
        assertEquals(Math.log(6), f.logAbsDet(), 1e-15);
        assertEquals(-1, f.detSign());
        assertArrayEquals(new double[] {-4 / 6.0, 2 / 6.0, 3 / 6.0, 0}, deviceInverse(new double[] {0, 2, 3, 4}, 2), 1e-15);

        double[] a = {2, -1, 0, -1, 2, -1, 0, -1, 2}; // det 4
        assertEquals(Math.log(4), HostLinalg.lu(a, 3).logAbsDet(), 1e-14);
        double[] perm = {0, 1, 0, 0, 0, 1, 1, 0, 0}; // a cyclic permutation: det +1
        assertEquals(0, HostLinalg.lu(perm, 3).logAbsDet(), 0);
        assertEquals(1, HostLinalg.lu(perm, 3).detSign());

        HostLinalg.Lu singular = HostLinalg.lu(new double[] {1, 2, 2, 4}, 2);
        assertEquals(0, singular.detSign());
        assertEquals(Double.NEGATIVE_INFINITY, singular.logAbsDet());
        for (double v : deviceInverse(new double[] {1, 2, 2, 4}, 2)) assertTrue(Double.isNaN(v), "singular: all NaN");

        Random r = new Random(3); // det(AB) = det A · det B and A·A⁻¹ = I on random 6×6 matrices
        int n = 6;
        double[] x = new double[n * n], y = new double[n * n], xy = new double[n * n];
        for (int i = 0; i < n * n; i++) {
            x[i] = r.nextGaussian();
            y[i] = r.nextGaussian();
        }
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) for (int k = 0; k < n; k++) xy[i * n + j] += x[i * n + k] * y[k * n + j];
        HostLinalg.Lu fx = HostLinalg.lu(x, n), fy = HostLinalg.lu(y, n), fxy = HostLinalg.lu(xy, n);
        assertEquals(fx.logAbsDet() + fy.logAbsDet(), fxy.logAbsDet(), 1e-12);
        assertEquals(fx.detSign() * fy.detSign(), fxy.detSign());
        double[] inv = deviceInverse(x, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += x[i * n + k] * inv[k * n + j];
                assertEquals(i == j ? 1 : 0, s, 1e-12);
            }
        }
    }

    /** w⁻¹ (n×n row-major) by the op-table kernel InvConv1x1 uses (Ops.matrixInverse), float64 on the CPU. */
    private static double[] deviceInverse(double[] w, int n) {
        try (Scope s = Scope.open()) {
            return InvConv1x1.inverseOf(Tensor.of(Backends.cpu(), w, Shape.of(n, n))).toDoubleArray();
        }
    }

    /** ∂ log|det W|/∂W = W⁻ᵀ and the gradient of W⁻¹ (InvConv1x1's ops), through autograd's own Gradcheck. */
    @Test
    void logAbsDetAndInverseAreDifferentiable() {
        double[] w = {1.5, -0.3, 0.2, 0.4, -1.1, 0.7, 0.1, 0.5, 2.0}; // det < 0: log|det| differentiable all the same
        assertTrue(Gradcheck.check(Backends.cpu(), in -> InvConv1x1.logAbsDet(in[0]), new double[][] {w}, new long[][] {{3, 3}}).passed());
        Gradcheck.Result inv = Gradcheck.check(Backends.cpu(), in -> InvConv1x1.inverseOf(in[0]), new double[][] {w}, new long[][] {{3, 3}});
        assertTrue(inv.passed(), inv.toString());
    }

    @Test
    void luParameterizedWeightStartsAsARotationAndMasksItsTriangles() {
        try (Scope s = Scope.open(); InvConv1x1Lu conv = new InvConv1x1Lu(5, DType.F64, new Generator(2))) {
            double[] w = conv.weight().toDoubleArray();
            for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) {
                double dot = 0;
                for (int k = 0; k < 5; k++) dot += w[i * 5 + k] * w[j * 5 + k];
                assertEquals(i == j ? 1 : 0, dot, 1e-12, "W·Wᵀ = I");
            }
            assertArrayEquals(new double[] {0, 0}, conv.forward(normal(DType.F64, 1, 1, 2, 5, 2, 2)).logdet().toDoubleArray(), 1e-12);
            Ops.sum(Ops.square(conv.weight()), false).backward();
            double[] gl = conv.namedParameters().get("lower").grad().toDoubleArray(), gu = conv.namedParameters().get("upper").grad().toDoubleArray();
            for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) {
                if (j >= i) assertEquals(0, gl[i * 5 + j], 0, "lower's diagonal and upper part are not used");
                if (j <= i) assertEquals(0, gu[i * 5 + j], 0, "upper's diagonal and lower part are not used");
            }
            // the dense form of the same W gives the same map and logdet
            try (InvConv1x1 dense = new InvConv1x1(5, DType.F64, new Generator(9))) {
                dense.weight().load(conv.weight());
                Tensor x = normal(DType.F64, 3, 1, 2, 5, 3, 3);
                FlowTesting.perturb(conv, 0.3, 4);
                dense.weight().load(conv.weight());
                assertClose(dense.forward(x).value().toDoubleArray(), conv.forward(x).value().toDoubleArray(), 1e-12, "same map");
                assertClose(dense.forward(x).logdet().toDoubleArray(), conv.forward(x).logdet().toDoubleArray(), 1e-11, "Σ log|s| = log|det W|");
            }
        }
    }

    @Test
    void squeezeMovesEachTwoByTwoBlockIntoFourChannels() {
        try (Scope s = Scope.open()) {
            int b = 2, c = 3, h = 4, w = 6;
            double[] v = new double[b * c * h * w];
            for (int i = 0; i < v.length; i++) v[i] = i;
            double[] z = Squeeze.squeeze(Tensor.of(v, b, c, h, w)).toDoubleArray();
            for (int n = 0; n < b; n++) for (int ch = 0; ch < c; ch++) for (int i = 0; i < h / 2; i++) for (int j = 0; j < w / 2; j++)
                for (int di = 0; di < 2; di++) for (int dj = 0; dj < 2; dj++) {
                    double expected = v[((n * c + ch) * h + 2 * i + di) * w + 2 * j + dj];
                    assertEquals(expected, z[((n * 4 * c + 4 * ch + 2 * di + dj) * (h / 2) + i) * (w / 2) + j], 0);
                }
            assertEquals(Shape.of(12, 2, 3), new Squeeze().outputShape(Shape.of(3, 4, 6)));
            assertThrows(IllegalArgumentException.class, () -> Squeeze.squeeze(Tensor.zeros(DType.F32, 1, 1, 3, 4)));
        }
    }

    @Test
    void channelCouplingKeepsItsConditioningHalfBitForBit() {
        try (Scope s = Scope.open(); AffineCoupling a = new AffineCoupling(5, Mask.CHANNEL, true, CouplingNet.mlp(4, 1, DType.F32, new Generator(1)))) {
            FlowTesting.perturb(a, 0.5, 2);
            Tensor x = normal(DType.F32, 3, 1, 4, 5);
            float[] in = x.toFloatArray(), out = a.forward(x).value().toFloatArray();
            // flipped, odd C: the last ⌈5/2⌉ = 3 features condition, the first 2 are transformed
            for (int n = 0; n < 4; n++) for (int d = 2; d < 5; d++) assertEquals(in[n * 5 + d], out[n * 5 + d], 0);
            boolean changed = false;
            for (int n = 0; n < 4; n++) for (int d = 0; d < 2; d++) changed |= in[n * 5 + d] != out[n * 5 + d];
            assertTrue(changed);
        }
    }

    @Test
    void baseDensitiesMatchTheirFormulas() {
        try (Scope s = Scope.open()) {
            double[] z = {0.3, -1.2, 2.0, 0.0, 0.7, -0.1};
            Tensor t = Tensor.of(z, 2, 3);
            double[] g = Base.GAUSSIAN.logProb(t).toDoubleArray(), l = Base.LOGISTIC.logProb(t).toDoubleArray();
            for (int n = 0; n < 2; n++) {
                double eg = 0, el = 0;
                for (int d = 0; d < 3; d++) {
                    double v = z[n * 3 + d];
                    eg += -0.5 * v * v - 0.5 * Math.log(2 * Math.PI);
                    el += -Math.log1p(Math.exp(v)) - Math.log1p(Math.exp(-v));
                }
                assertEquals(eg, g[n], 1e-14);
                assertEquals(el, l[n], 1e-14);
            }
            assertEquals(DType.F64, Base.GAUSSIAN.logProb(Tensor.of(new float[] {1, 2}, 1, 2)).dtype(), "float64 whatever z's dtype");
            Tensor cold = Base.LOGISTIC.sample(Backends.cpu(), DType.F32, 3, 4, 0, new Generator(1));
            assertArrayEquals(new float[12], cold.toFloatArray(), 0, "temperature 0 is the mode");
        }
    }

    @Test
    void bitsPerDimFormula() {
        double ln2 = Math.log(2);
        // a density of 1 on [0, 1)^D with 8-bit data: 8 bits per pixel exactly
        assertEquals(8, BitsPerDim.of(0, 784, 784, 8), 1e-15);
        // −log p = 1000 nats over 1024 modelled dims of which 784 are data, 8 bits
        assertEquals((1000 + 1024 * 8 * ln2) / (784 * ln2), BitsPerDim.of(-1000, 1024, 784, 8), 1e-12);
        assertEquals(1000 + 1024 * 8 * ln2, BitsPerDim.nats(-1000, 1024, 8), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> BitsPerDim.of(0, 700, 784, 8), "padding never removes dimensions");
    }
}
