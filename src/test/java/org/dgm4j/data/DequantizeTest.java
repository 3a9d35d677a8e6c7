package org.dgm4j.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DequantizeTest {
    private static byte[] allPixels() {
        byte[] b = new byte[256];
        for (int i = 0; i < 256; i++) b[i] = (byte) i;
        return b;
    }

    @Test
    void bitReductionFloorsIntoTwoToTheNLevels() {
        assertEquals(31, Dequantize.reduceBits(255, 5));
        assertEquals(1, Dequantize.reduceBits(8, 5));
        assertEquals(0, Dequantize.reduceBits(7, 5));
        assertEquals(200, Dequantize.reduceBits(200, 8));
        byte[] r = Dequantize.reduceBits(allPixels(), 3);
        for (int i = 0; i < 256; i++) assertEquals(i / 32, r[i] & 0xFF);
        assertThrows(IllegalArgumentException.class, () -> Dequantize.reduceBits(1, 0));
    }

    @Test
    void uniformDequantizationStaysInItsBinAndHalfOpenInterval() {
        float[] u = new float[256];
        java.util.Arrays.fill(u, Math.nextDown(1f)); // worst case for rounding up to the bin's end
        for (int bits : new int[] {1, 5, 8}) {
            float[] y = Dequantize.uniform(allPixels(), bits, 0, u);
            for (int i = 0; i < 256; i++) {
                int xn = i >> (8 - bits);
                assertTrue(y[i] < 1f, "y below 1");
                assertEquals(xn, (int) Math.floor(y[i] * (1 << bits)), "bits " + bits + " pixel " + i);
            }
        }
        float[] zero = new float[256];
        assertEquals(0f, Dequantize.uniform(allPixels(), 8, 0, zero)[0]);
        assertEquals(128f / 256, Dequantize.uniform(allPixels(), 8, 0, zero)[128]);
    }

    @Test
    void glowVariantSubtractsTheOffsetAndIsReproducible() {
        byte[] px = allPixels();
        float[] a = Dequantize.glow(px, 8, new SplittableRandom(5));
        float[] b = Dequantize.uniform(px, 8, 0.5, Dequantize.uniformNoise(256, new SplittableRandom(5)));
        assertArrayEquals(a, b);
        for (float v : a) assertTrue(v >= -0.5f && v < 0.5f);
        float[] noise = Dequantize.uniformNoise(256, new SplittableRandom(5));
        assertEquals((100 + noise[100]) / 256.0 - 0.5, a[100], 1e-7);
    }

    @Test
    void dynamicBinarizationHasProbabilityPixelOver255() {
        int n = 100_000;
        byte[] px = new byte[n];
        java.util.Arrays.fill(px, (byte) 64);
        float[] b = Dequantize.binarize(px, new SplittableRandom(3));
        double ones = 0;
        for (float v : b) {
            assertTrue(v == 0f || v == 1f);
            ones += v;
        }
        double p = 64 / 255.0;
        assertEquals(p, ones / n, 5 * Math.sqrt(p * (1 - p) / n));
        assertArrayEquals(new float[] {0, 1}, Dequantize.binarize(new byte[] {0, (byte) 255}, new float[] {0f, Math.nextDown(1f)}));
    }
}
