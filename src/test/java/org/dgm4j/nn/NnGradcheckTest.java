package org.dgm4j.nn;

import static org.junit.jupiter.api.Assertions.*;

import org.dgm4j.autograd.Gradcheck;
import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Backends;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Autograd through the composed layers and losses against float64 central differences. */
class NnGradcheckTest {
    private static double[] normal(long seed, int n, double scale) {
        try (Tensor t = new Generator(seed).normal(Backends.cpu(), DType.F64, org.dgm4j.tensor.Shape.of(n))) {
            double[] v = t.toDoubleArray();
            for (int i = 0; i < n; i++) v[i] *= scale;
            return v;
        }
    }

    private static void assertPasses(Gradcheck.Result r) {
        assertTrue(r.passed(), r.toString());
    }

    @Test
    void batchNorm2dTrainingForward() {
        try (BatchNorm2d bn = new BatchNorm2d(3, 0.1, 1e-5, false, DType.F64)) {
            // γ and β enter as inputs so their gradients are checked too
            assertPasses(Gradcheck.check(Backends.cpu(), in -> bn.forward(in[0])
                            .mul(Ops.reshape(in[1], org.dgm4j.tensor.Shape.of(1, 3, 1, 1)))
                            .add(Ops.reshape(in[2], org.dgm4j.tensor.Shape.of(1, 3, 1, 1))),
                    new double[][] {normal(1, 2 * 3 * 2 * 3, 2), normal(2, 3, 1), normal(3, 3, 1)},
                    new long[][] {{2, 3, 2, 3}, {3}, {3}}));
        }
    }

    @Test
    void batchNorm2dAffineParametersGetGradients() {
        try (BatchNorm2d bn = new BatchNorm2d(2, 0.1, 1e-5, true, DType.F64)) {
            assertPasses(Gradcheck.check(Backends.cpu(), in -> bn.forward(in[0]),
                    new double[][] {normal(4, 2 * 2 * 3 * 2, 1)}, new long[][] {{2, 2, 3, 2}}));
            try (var s = org.dgm4j.tensor.Scope.open()) {
                bn.forward(new Generator(5).normal(DType.F64, 4, 2, 2, 2)).square().sum().backward();
            }
            assertNotNull(bn.weight().grad());
            assertNotNull(bn.bias().grad());
            bn.zeroGrad();
            assertNull(bn.weight().grad());
        }
    }

    @Test
    void crossEntropyWithLabelsAndWithSoftTargets() {
        int[] labels = {2, 0, 3};
        assertPasses(Gradcheck.check(Backends.cpu(), in -> Losses.crossEntropy(in[0], labels),
                new double[][] {normal(6, 12, 3)}, new long[][] {{3, 4}}));
        assertPasses(Gradcheck.check(Backends.cpu(), in -> Losses.crossEntropy(in[0], in[1].softplus()),
                new double[][] {normal(7, 12, 3), normal(8, 12, 1)}, new long[][] {{3, 4}, {3, 4}}));
    }

    @Test
    void binaryCrossEntropyWithLogitsAndMse() {
        for (Reduction red : Reduction.values()) {
            assertPasses(Gradcheck.check(Backends.cpu(), in -> Losses.binaryCrossEntropyWithLogits(in[0], in[1].sigmoid(), red),
                    new double[][] {normal(9, 6, 4), normal(10, 6, 1)}, new long[][] {{2, 3}, {2, 3}}));
            assertPasses(Gradcheck.check(Backends.cpu(), in -> Losses.mse(in[0], in[1], red),
                    new double[][] {normal(11, 6, 1), normal(12, 6, 1)}, new long[][] {{2, 3}, {2, 3}}));
        }
    }

    @Test
    void lossValuesMatchTheirDefinitions() {
        try (var s = org.dgm4j.tensor.Scope.open()) {
            Tensor logits = Tensor.of(new double[] {1, 2, 3, -1, 0, 40}, 2, 3);
            double lse0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)), lse1 = 40 + Math.log1p(Math.exp(-40) + Math.exp(-41));
            double expected = ((lse0 - 3) + (lse1 - (-1))) / 2;
            assertEquals(expected, Losses.crossEntropy(logits, new int[] {2, 0}).item(), 1e-12);
            // stable at large |l|: softplus(l) − x·l with l = ±100 is finite
            Tensor l = Tensor.of(new double[] {100, -100, 0.5}, 3), x = Tensor.of(new double[] {0, 1, 0.25}, 3);
            double[] bce = Losses.binaryCrossEntropyWithLogits(l, x, Reduction.NONE).toDoubleArray();
            assertEquals(100, bce[0], 1e-12);
            assertEquals(100, bce[1], 1e-12);
            double p = 1 / (1 + Math.exp(-0.5));
            assertEquals(-(0.25 * Math.log(p) + 0.75 * Math.log(1 - p)), bce[2], 1e-12);
            assertEquals((0.0 + 4 + 1) / 3, Losses.mse(Tensor.of(new double[] {1, 2, 3}, 3), Tensor.of(new double[] {1, 4, 2}, 3), Reduction.MEAN).item(), 1e-15);
        }
    }
}
