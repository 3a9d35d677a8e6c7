package org.dgm4j.backend;

/**
 * Geometry of a 2-D cross-correlation (PyTorch's conv2d): x (N, C, H, W), w (K, C, R, S),
 * y (N, K, P, Q) with P = (H + 2·padH − dilH·(R − 1) − 1) / strideH + 1, likewise Q.
 */
public record Conv2dParams(int strideH, int strideW, int padH, int padW, int dilH, int dilW) {
    public Conv2dParams {
        if (strideH < 1 || strideW < 1) throw new IllegalArgumentException("stride must be >= 1, found " + strideH + "x" + strideW);
        if (padH < 0 || padW < 0) throw new IllegalArgumentException("padding must be >= 0, found " + padH + "x" + padW);
        if (dilH < 1 || dilW < 1) throw new IllegalArgumentException("dilation must be >= 1, found " + dilH + "x" + dilW);
    }

    public static Conv2dParams of(int stride, int padding, int dilation) {
        return new Conv2dParams(stride, stride, padding, padding, dilation, dilation);
    }

    public long outH(long h, long r) {
        return (h + 2L * padH - (long) dilH * (r - 1) - 1) / strideH + 1;
    }

    public long outW(long w, long s) {
        return (w + 2L * padW - (long) dilW * (s - 1) - 1) / strideW + 1;
    }
}
