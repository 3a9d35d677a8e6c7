package org.dgm4j.flow;

import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * Which part of x (B, C, ...) a coupling layer keeps (and conditions on) and which part it transforms.
 *
 * <ul>
 *   <li>{@link #CHANNEL}: x is split along axis 1 into the first ⌊C/2⌋ and the last ⌈C/2⌉ channels
 *       (features for (B, D) data); the first half conditions and the second is transformed, or the
 *       other way round when the coupling's {@code flip} is set. The net sees only the conditioning
 *       half and outputs values for the transformed half only.</li>
 *   <li>{@link #CHECKERBOARD}: positions with (i + j) even condition (odd when flipped), for images
 *       (B, C, H, W) over the spatial grid and all channels alike; for (B, D) data the same parity
 *       rule over the feature index (NICE's odd/even partition). The net sees b⊙x with the binary
 *       mask b of the conditioning positions and outputs values for every position, of which only
 *       the (1 − b) ones are used (RealNVP's masked convolution form).</li>
 * </ul>
 */
public enum Mask {
    CHANNEL, CHECKERBOARD;

    /** Size of the conditioning part of C channels for {@link #CHANNEL}: ⌊C/2⌋, or ⌈C/2⌉ when flipped. */
    static long conditioning(long channels, boolean flip) {
        return flip ? channels - channels / 2 : channels / 2;
    }

    /**
     * The conditioning positions b for {@link #CHECKERBOARD} as a tensor of x's dtype on its backend:
     * (1, 1, H, W) for x (B, C, H, W), (1, D) for x (B, D); 1 where (i + j + flip) is even.
     */
    static Tensor checkerboard(Tensor x, boolean flip) {
        int parity = flip ? 1 : 0;
        if (x.rank() == 2) {
            int d = Math.toIntExact(x.dim(1));
            double[] m = new double[d];
            for (int i = 0; i < d; i++) m[i] = (i + parity) % 2 == 0 ? 1 : 0;
            return like(x, m, Shape.of(1, d));
        }
        if (x.rank() != 4) throw new IllegalArgumentException("checkerboard mask: x must be (B, D) or (B, C, H, W), found " + x.shape());
        int h = Math.toIntExact(x.dim(2)), w = Math.toIntExact(x.dim(3));
        double[] m = new double[h * w];
        for (int i = 0; i < h; i++) for (int j = 0; j < w; j++) m[i * w + j] = (i + j + parity) % 2 == 0 ? 1 : 0;
        return like(x, m, Shape.of(1, 1, h, w));
    }

    private static Tensor like(Tensor x, double[] v, Shape s) {
        if (x.dtype() == DType.F64) return Tensor.of(x.backend(), v, s);
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return Tensor.of(x.backend(), f, s);
    }
}
