package org.dgm4j.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Philox against Random123's known-answer vectors, and the statistics of the derived draws. */
class PhiloxTest {
    @Test
    void matchesRandom123KnownAnswers() {
        int[] out = new int[4];
        Philox.block(0, 0, 0, 0, 0, 0, out);
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}, out);
        Philox.block(-1, -1, -1, -1, -1, -1, out);
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}, out);
        Philox.block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out);
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}, out);
    }

    @Test
    void drawsAreReproducibleIndependentOfSplittingAndHaveTheRightMoments() {
        try (Scope s = Scope.open()) {
            Generator g = new Generator(42);
            Tensor whole = g.normal(DType.F64, 100_000);
            Generator h = new Generator(42);
            Tensor first = h.normal(DType.F64, 40_000), second = h.normal(DType.F64, 60_000);
            assertArrayEquals(whole.narrowBatch(40_000, 100_000).toDoubleArray(), second.toDoubleArray());
            assertArrayEquals(whole.narrowBatch(0, 40_000).toDoubleArray(), first.toDoubleArray());
            double mean = whole.mean().item(), var = whole.square().mean().item() - mean * mean;
            assertEquals(0, mean, 0.01);   // 4.5 standard errors of the mean at n = 1e5
            assertEquals(1, var, 0.02);
            Tensor u = new Generator(1).uniform(DType.F32, 100_000);
            assertEquals(0.5, u.mean().item(), 0.005);
            assertEquals(0, u.min().item(), 1e-3);
            Tensor b = new Generator(5).bernoulli(Tensor.full(u.backend(), DType.F32, u.shape(), 0.3));
            assertEquals(0.3, b.mean().item(), 0.006);
            assertNotEquals(new Generator(1).uniform(DType.F32, 4).toFloatArray()[0], new Generator(2).uniform(DType.F32, 4).toFloatArray()[0]);
        }
    }
}
