package org.dgm4j.backend;

/**
 * The counter-based generator every backend uses: Philox 4x32-10 (Salmon et al., SC'11, the
 * Random123 reference). Element i of a draw with (seed, offset) reads counter block offset + i
 * (counter words (lo32, hi32, 0, 0), key (seed lo32, seed hi32)), so any element can be produced
 * independently and the CUDA kernels reproduce the CPU streams bit for bit:
 * <ul>
 *   <li>uniform float32: (w0 &gt;&gt;&gt; 8)·2^-24; float64: 53 bits (w0 · 2^21 + (w1 &gt;&gt;&gt; 11))·2^-53;</li>
 *   <li>normal: Box-Muller in double, u1 = 1 − U53(w0, w1) ∈ (0, 1], u2 = U53(w2, w3),
 *       z = √(−2 ln u1)·cos(2π u2), then rounded to the dtype;</li>
 *   <li>Bernoulli: the dtype's uniform &lt; p.</li>
 * </ul>
 * Normal draws go through log and cos, whose last-bit results may differ between Java's and
 * CUDA's libraries in double; after rounding to float32 that difference almost never shows.
 */
public final class Philox {
    private static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    private Philox() {}

    /** The full generator: four counter words and two key words in, four words out. */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                k0 += W0;
                k1 += W1;
            }
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** Block {@code counter} of key {@code seed}. */
    public static void block(long seed, long counter, int[] out) {
        block((int) counter, (int) (counter >>> 32), 0, 0, (int) seed, (int) (seed >>> 32), out);
    }

    public static float uniform24(int w0) {
        return (w0 >>> 8) * 0x1.0p-24f;
    }

    public static double uniform53(int w0, int w1) {
        return (((w0 & 0xFFFFFFFFL) << 21) | ((w1 & 0xFFFFFFFFL) >>> 11)) * 0x1.0p-53;
    }

    /** The standard normal of one block. */
    public static double normal(int[] w) {
        double u1 = 1.0 - uniform53(w[0], w[1]);
        double u2 = uniform53(w[2], w[3]);
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
