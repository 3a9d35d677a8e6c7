package org.dgm4j.rbm;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Free energy, conditionals and the exact partition function against plain-Java formulas and brute force. */
class BinaryRbmTest {
    /** F(v) = −vᵀb − Σ_j softplus(c_j + (vW)_j), and also −log Σ_h e^{−E(v,h)} by enumerating h. */
    @Test
    void freeEnergyMatchesItsFormulaAndTheSumOverHidden() {
        int v = 7, h = 5;
        SplittableRandom r = new SplittableRandom(1);
        double[] w = RbmFixtures.normals(r, v * h, 1.0), b = RbmFixtures.normals(r, v, 0.5), c = RbmFixtures.normals(r, h, 0.5);
        double[] x = new double[4 * v];
        for (int i = 0; i < x.length; i++) x[i] = r.nextInt(2);
        x[0] = 0.3; // the formula holds for real-valued v in [0, 1] too
        try (BinaryRbm rbm = new BinaryRbm(v, h, DType.F64, 0, new Generator(0)); Scope s = Scope.open()) {
            RbmFixtures.set(rbm, w, b, c);
            double[] f = rbm.freeEnergy(Tensor.of(x, 4, v)).toDoubleArray();
            for (int n = 0; n < 4; n++) {
                double formula = 0;
                for (int i = 0; i < v; i++) formula -= x[n * v + i] * b[i];
                for (int j = 0; j < h; j++) {
                    double a = c[j];
                    for (int i = 0; i < v; i++) a += x[n * v + i] * w[i * h + j];
                    formula -= Math.log1p(Math.exp(a));
                }
                double sumOverH = 0; // Σ_h exp(vᵀb + hᵀc + vᵀWh)
                for (int hi = 0; hi < 1 << h; hi++) {
                    double e = 0;
                    for (int i = 0; i < v; i++) e += x[n * v + i] * b[i];
                    for (int j = 0; j < h; j++) {
                        if ((hi >>> j & 1) == 0) continue;
                        e += c[j];
                        for (int i = 0; i < v; i++) e += x[n * v + i] * w[i * h + j];
                    }
                    sumOverH += Math.exp(e);
                }
                // 1e-12: float64, a handful of terms of size ~5
                assertEquals(formula, f[n], 1e-12, "row " + n);
                assertEquals(-Math.log(sumOverH), f[n], 1e-12, "row " + n + " against the sum over h");
            }
            double[] ph = rbm.hiddenProbs(Tensor.of(x, 4, v)).toDoubleArray();
            double a00 = c[0];
            for (int i = 0; i < v; i++) a00 += x[i] * w[i * h];
            assertEquals(1 / (1 + Math.exp(-a00)), ph[0], 1e-14);
        }
    }

    /** Exact log Z (enumerating the smaller layer, both branches) equals brute force over both layers. */
    @Test
    void exactLogZMatchesBruteForceOverBothLayers() {
        int[][] sizes = {{6, 4}, {3, 7}, {5, 5}, {1, 1}};
        for (int[] vh : sizes) {
            int v = vh[0], h = vh[1];
            SplittableRandom r = new SplittableRandom(v * 31L + h);
            double[] w = RbmFixtures.normals(r, v * h, 1.5), b = RbmFixtures.normals(r, v, 1.0), c = RbmFixtures.normals(r, h, 1.0);
            try (BinaryRbm rbm = new BinaryRbm(v, h, DType.F64, 0, new Generator(0))) {
                RbmFixtures.set(rbm, w, b, c);
                double brute = RbmFixtures.bruteForceLogZ(w, b, c, v, h);
                // 1e-10: float64 sums of at most 2^10 terms, differently ordered
                assertEquals(brute, ExactPartition.logZ(rbm), 1e-10, "V=" + v + " H=" + h);
                double total = 0;
                for (double lp : ExactPartition.visibleLogProbabilities(rbm)) total += Math.exp(lp);
                assertEquals(1, total, 1e-12, "p(v) sums to 1 for V=" + v + " H=" + h);
            }
        }
    }

    /** The chunked path (2^15 configurations, two chunks) agrees with enumerating the other layer. */
    @Test
    void exactLogZIsTheSameFromEitherLayer() {
        try (BinaryRbm a = RbmFixtures.random(15, 16, 0.3, 0.5, 3); BinaryRbm t = new BinaryRbm(16, 15, DType.F64, 0, new Generator(0)); Scope s = Scope.open()) {
            // the transposed machine: W' = Wᵀ, b' = c, c' = b has the same Z; enumerates 2^15 visible states there
            RbmFixtures.set(t, a.weight().transpose(0, 1).toDoubleArray(), a.hiddenBias().toDoubleArray(), a.visibleBias().toDoubleArray());
            assertEquals(ExactPartition.logZ(a), ExactPartition.logZ(t), 1e-9);
        }
        try (BinaryRbm big = new BinaryRbm(30, 21, DType.F64, 0, new Generator(0))) {
            assertThrows(IllegalArgumentException.class, () -> ExactPartition.logZ(big));
        }
    }

    @Test
    void samplingGivesBinaryStatesAndMeansOfTheRightShapes() {
        try (BinaryRbm rbm = new BinaryRbm(9, 4, new Generator(5)); Scope s = Scope.open()) {
            Tensor v = rbm.gibbs(new Generator(1).bernoulli(Tensor.full(rbm.backend(), DType.F32, Shape.of(3, 9), 0.5)), new Generator(2));
            assertEquals(Shape.of(3, 9), v.shape());
            for (float x : v.toFloatArray()) assertTrue(x == 0 || x == 1);
            Tensor m = rbm.sample(6, 10, new Generator(3));
            assertEquals(Shape.of(6, 9), m.shape());
            for (float x : m.toFloatArray()) assertTrue(x >= 0 && x <= 1);
            assertFalse(m.requiresGrad());
            assertArrayEquals(m.toFloatArray(), rbm.sample(6, 10, new Generator(3)).toFloatArray(), "same seed, same samples");
            assertThrows(IllegalArgumentException.class, () -> rbm.freeEnergy(Tensor.zeros(DType.F32, 2, 8)));
            assertThrows(IllegalArgumentException.class, () -> rbm.freeEnergy(Tensor.zeros(DType.F64, 2, 9)));
            assertEquals(java.util.List.of("weight", "visible_bias", "hidden_bias"), java.util.List.copyOf(rbm.stateDict().keySet()));
        }
    }
}
