package org.dgm4j.data;

import java.util.SplittableRandom;

/**
 * Turning 8-bit pixels into model inputs. Pixels are unsigned bytes ({@code b & 0xFF} in 0..255).
 * Every random operation takes its noise explicitly (an array of U[0, 1) values, or a seeded
 * generator that produces one with {@link #uniformNoise}), so a batch can be reproduced exactly.
 *
 * <ul>
 *   <li>n-bit reduction: x_n = floor(x / 2^(8−n)) in 0..2^n − 1 (Glow's 5-bit CelebA-HQ).</li>
 *   <li>Uniform dequantization: y = (x_n + u) / 2^n − offset, u ~ U[0, 1) per pixel, so y lies in
 *       [−offset, 1 − offset). offset 0 is the RealNVP/flow convention (y in [0, 1)); offset 0.5 is
 *       Glow's x = (pixel + u)/256 − 0.5 (n = 8). A density p on y gives the discrete log-likelihood
 *       bound log P(x) ≥ E_u log p(y) − D·n·ln 2 for D pixels, hence
 *       bits/dim = (−log p(y) + D·n·ln 2) / (D·ln 2).</li>
 *   <li>Dynamic binarization: b = 1 if x/255 > u else 0, u ~ U[0, 1) drawn afresh each time the image
 *       is served (so P(b = 1) = x/255), the usual binarized-MNIST protocol for Bernoulli models.</li>
 * </ul>
 */
public final class Dequantize {
    private Dequantize() {}

    /** x_n = floor(x / 2^(8−bits)) for one pixel 0..255, bits in 1..8. */
    public static int reduceBits(int pixel, int bits) {
        checkBits(bits);
        if (pixel < 0 || pixel > 255) throw new IllegalArgumentException("pixel must be 0..255, found " + pixel);
        return pixel >> (8 - bits);
    }

    /** {@link #reduceBits(int, int)} for each pixel; results stay unsigned bytes in 0..2^bits − 1. */
    public static byte[] reduceBits(byte[] pixels, int bits) {
        checkBits(bits);
        byte[] out = new byte[pixels.length];
        for (int i = 0; i < out.length; i++) out[i] = (byte) ((pixels[i] & 0xFF) >> (8 - bits));
        return out;
    }

    /** Uniform dequantization y = (x_n + u) / 2^bits − offset; {@code noise} holds u, one per pixel, in [0, 1). */
    public static float[] uniform(byte[] pixels, int bits, double offset, float[] noise) {
        checkBits(bits);
        if (noise.length != pixels.length) throw new IllegalArgumentException(pixels.length + " pixels but " + noise.length + " noise values");
        float[] out = new float[pixels.length];
        double bins = 1 << bits;
        // Rounding (x_n + u) / 2^n to float can land exactly on the bin's open upper end (100.99999994 → 101):
        // keep every value strictly inside its bin, so floor((y + offset)·2^n) = x_n always recovers the pixel.
        float[] below = new float[1 << bits];
        for (int k = 0; k < below.length; k++) below[k] = Math.nextDown((float) ((k + 1) / bins - offset));
        for (int i = 0; i < out.length; i++) {
            float u = noise[i];
            if (!(u >= 0f && u < 1f)) throw new IllegalArgumentException("noise " + i + " is " + u + ", expected a value in [0, 1)");
            int xn = (pixels[i] & 0xFF) >> (8 - bits);
            out[i] = Math.min((float) ((xn + u) / bins - offset), below[xn]);
        }
        return out;
    }

    /** Uniform dequantization with noise drawn from {@code rng} (see {@link #uniformNoise}). */
    public static float[] uniform(byte[] pixels, int bits, double offset, SplittableRandom rng) {
        return uniform(pixels, bits, offset, uniformNoise(pixels.length, rng));
    }

    /** Glow's preprocessing: (x_n + u) / 2^bits − 0.5. */
    public static float[] glow(byte[] pixels, int bits, SplittableRandom rng) {
        return uniform(pixels, bits, 0.5, rng);
    }

    /** Dynamic binarization: 1 where x/255 > u, else 0; {@code noise} holds u in [0, 1). */
    public static float[] binarize(byte[] pixels, float[] noise) {
        if (noise.length != pixels.length) throw new IllegalArgumentException(pixels.length + " pixels but " + noise.length + " noise values");
        float[] out = new float[pixels.length];
        for (int i = 0; i < out.length; i++) out[i] = (pixels[i] & 0xFF) / 255f > noise[i] ? 1f : 0f;
        return out;
    }

    public static float[] binarize(byte[] pixels, SplittableRandom rng) {
        return binarize(pixels, uniformNoise(pixels.length, rng));
    }

    /**
     * n values in [0, 1) on the 2^−24 grid. Built from 24 random bits because (float) nextDouble() can
     * round up to exactly 1.0f, which would break the half-open interval the formulas rely on.
     */
    public static float[] uniformNoise(int n, SplittableRandom rng) {
        float[] u = new float[n];
        for (int i = 0; i < n; i++) u[i] = (rng.nextInt() >>> 8) * 0x1.0p-24f;
        return u;
    }

    private static void checkBits(int bits) {
        if (bits < 1 || bits > 8) throw new IllegalArgumentException("bits must be 1..8, found " + bits);
    }
}
