package org.dgm4j.backend;

/**
 * Geometry of a 2-D cross-correlation (PyTorch's conv2d): x (N, C, H, W), w (K, C, R, S),
 * y (N, K, P, Q) with P = (H + 2·padH − dilH·(R − 1) − 1) / strideH + 1, likewise Q.
 *
 * <p>With {@code channelsLast} the activations are NHWC: x (N, H, W, C), y (N, P, Q, K) (and the
 * gradients gx, gy likewise); the weight stays (K, C, R, S) and the bias (K), so parameters and
 * checkpoints do not depend on the layout. The values are those of the NCHW convolution of the
 * permuted tensors.
 */
public record Conv2dParams(int strideH, int strideW, int padH, int padW, int dilH, int dilW, boolean channelsLast) {
    public Conv2dParams {
        if (strideH < 1 || strideW < 1) throw new IllegalArgumentException("stride must be >= 1, found " + strideH + "x" + strideW);
        if (padH < 0 || padW < 0) throw new IllegalArgumentException("padding must be >= 0, found " + padH + "x" + padW);
        if (dilH < 1 || dilW < 1) throw new IllegalArgumentException("dilation must be >= 1, found " + dilH + "x" + dilW);
    }

    /** NCHW. */
    public Conv2dParams(int strideH, int strideW, int padH, int padW, int dilH, int dilW) {
        this(strideH, strideW, padH, padW, dilH, dilW, false);
    }

    /** NCHW. */
    public static Conv2dParams of(int stride, int padding, int dilation) {
        return new Conv2dParams(stride, stride, padding, padding, dilation, dilation);
    }

    /** The same geometry with channels-last (NHWC) activations, or NCHW when {@code on} is false. */
    public Conv2dParams channelsLast(boolean on) {
        return new Conv2dParams(strideH, strideW, padH, padW, dilH, dilW, on);
    }

    public long outH(long h, long r) {
        return (h + 2L * padH - (long) dilH * (r - 1) - 1) / strideH + 1;
    }

    public long outW(long w, long s) {
        return (w + 2L * padW - (long) dilW * (s - 1) - 1) / strideW + 1;
    }

    /** Axis of the channels in x and y: 1 (NCHW) or 3 (NHWC). */
    public int channelAxis() {
        return channelsLast ? 3 : 1;
    }

    /** Axis of the height in x and y: 2 (NCHW) or 1 (NHWC); width is the next one. */
    public int heightAxis() {
        return channelsLast ? 1 : 2;
    }
}
