package org.dgm4j.eval;

import static org.junit.jupiter.api.Assertions.*;

import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.tensor.DType;
import org.junit.jupiter.api.Test;

/** k-NN manifold precision and recall on configurations whose answer is known. */
class PrecisionRecallTest {
    /**
     * 1-D, k = 1. Real {0, 1, 2, 3, 4}: every radius 1. Fake {0.5, 2.2, 10, 11}: radii 1.7, 1.7, 1, 1.
     * Precision: 0.5 and 2.2 lie in real balls, 10 and 11 do not → 2/4. Recall: 0..3 lie within 1.7 of
     * 0.5 or 2.2; 4 is 1.8 from 2.2 and 6 from 10 → 4/5. No distance is within 0.3 of a radius, far
     * beyond float32 rounding.
     */
    @Test
    void smallConfigurationByHand() {
        try (Scope s = Scope.open()) {
            Tensor real = Tensor.of(new float[] {0, 1, 2, 3, 4}, 5, 1), fake = Tensor.of(new float[] {0.5f, 2.2f, 10, 11}, 4, 1);
            assertArrayEquals(new double[] {1, 1, 1, 1, 1}, PrecisionRecall.kthNeighbourSquaredDistances(real, 1), 1e-5);
            PrecisionRecall.Result r = PrecisionRecall.of(real, fake, 1);
            assertEquals(0.5, r.precision(), 0);
            assertEquals(0.8, r.recall(), 0);
            // k = 2: real radii become 1 (ends: 2), fake radii 9.5, 7.8, 7.8, 8.8: everything is covered
            assertEquals(1.0, PrecisionRecall.of(real, fake, 2).recall(), 0);
        }
    }

    @Test
    void identicalSetsArePerfectAndDistantSetsAreDisjoint() {
        try (Scope s = Scope.open()) {
            Tensor a = new Generator(1).normal(DType.F32, 600, 8);
            PrecisionRecall.Result same = PrecisionRecall.of(a, a, 3);
            assertEquals(1.0, same.precision(), 0);
            assertEquals(1.0, same.recall(), 0);
            PrecisionRecall.Result far = PrecisionRecall.of(a, a.add(100), 3);
            assertEquals(0.0, far.precision(), 0);
            assertEquals(0.0, far.recall(), 0);
        }
    }

    /** A "mode-collapsed" sample (half of the real distribution) keeps its precision and loses recall. */
    @Test
    void collapseShowsAsLowRecall() {
        try (Scope s = Scope.open()) {
            Tensor real = new Generator(2).normal(DType.F32, 1200, 2);
            float[] f = new Generator(3).normal(DType.F32, 1200, 2).toFloatArray();
            for (int i = 0; i < f.length; i += 2) f[i] = Math.abs(f[i]); // only the half plane x > 0
            PrecisionRecall.Result r = PrecisionRecall.of(real, Tensor.of(f, 1200, 2), 3);
            assertTrue(r.precision() > 0.9, "precision " + r.precision());
            assertTrue(r.recall() < 0.65, "recall " + r.recall());
        }
    }
}
