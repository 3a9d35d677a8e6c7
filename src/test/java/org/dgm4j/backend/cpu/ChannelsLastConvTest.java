package org.dgm4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.stream.Stream;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.backend.Conv2dParams;
import org.dgm4j.backend.Kernels;
import org.dgm4j.backend.Shapes;
import org.dgm4j.backend.UnaryOp;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Channels-last convolutions on the CPU backend against the NCHW ones: permute to NHWC, convolve
 * channels-last, permute back must equal the NCHW convolution, for the forward pass and both
 * backward passes. Geometries cover every CPU path: 1x1 stride 1 unpadded (one matmul over the
 * pixels), "same" 3x3 with a narrow input or output side (which the NCHW path runs as im2col +
 * matmul), wide 3x3, stride 2, dilation, asymmetric kernels and padding, odd sizes.
 *
 * <p>Tolerances. float64 runs the Java loops, which visit the terms of each sum in the same order in
 * both layouts: bit-equal (0). float32 runs different oneDNN algorithms per layout (matmul against
 * convolution, other blockings): |nhwc − nchw| ≤ 1e-5 · Σ|terms| + 1e-7 (as OneDnnTest: about 80
 * float32 ulps of the terms' magnitude, far below an indexing error).
 */
class ChannelsLastConvTest {
    private static final double REL = 1e-5, ABS = 1e-7;
    private static final Backend CPU = Backends.cpu();
    private static final int[] TO_NHWC = {0, 2, 3, 1}, TO_NCHW = {0, 3, 1, 2};

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        Object[][] geos = {
                // x (N, C, H, W), w (K, C, R, S), params, bias
                {Shape.of(3, 5, 7, 9), Shape.of(6, 5, 1, 1), Conv2dParams.of(1, 0, 1), true}, // one matmul over the pixels
                {Shape.of(2, 7, 5, 3), Shape.of(9, 7, 1, 1), Conv2dParams.of(1, 0, 1), false},
                {Shape.of(2, 2, 7, 6), Shape.of(17, 2, 3, 3), Conv2dParams.of(1, 1, 1), true}, // narrow input, "same"
                {Shape.of(2, 17, 6, 7), Shape.of(4, 17, 3, 3), Conv2dParams.of(1, 1, 1), true}, // narrow output, "same"
                {Shape.of(2, 11, 5, 5), Shape.of(13, 11, 3, 3), Conv2dParams.of(1, 1, 1), true}, // wide both sides
                {Shape.of(1, 3, 9, 8), Shape.of(5, 3, 3, 2), new Conv2dParams(2, 1, 1, 0, 1, 2), true}, // asymmetric
                {Shape.of(2, 3, 10, 9), Shape.of(4, 3, 3, 3), Conv2dParams.of(2, 1, 2), false}, // stride + dilation
                {Shape.of(1, 4, 8, 7), Shape.of(3, 4, 1, 1), Conv2dParams.of(2, 0, 1), true}, // 1x1 strided: not the matmul path
        };
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            for (Object[] g : geos) b.add(Arguments.of(dt, g[0], g[1], g[2], g[3]));
        }
        return b.build();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void channelsLastEqualsPermutedNchw(DType dt, Shape xs, Shape ws, Conv2dParams p, boolean hasBias) {
        Kernels k = CPU.kernels();
        Conv2dParams cl = p.channelsLast(true);
        Random r = new Random(xs.numel() * 31 + ws.numel());
        try (Scope s = Scope.open()) {
            Shape ys = Shapes.conv2d(xs, ws, p);
            Tensor x = random(r, dt, xs), w = random(r, dt, ws), bias = hasBias ? random(r, dt, Shape.of(ws.dim(0))) : null;
            Tensor gy = random(r, dt, ys);
            Tensor xl = nhwc(x), gyl = nhwc(gy);
            assertArrayEquals(permuted(ys, TO_NHWC).dims(), Shapes.conv2d(xl.shape(), ws, cl).dims());

            // forward
            Tensor y = nan(dt, ys), yl = nan(dt, gyl.shape());
            k.conv2d(x, w, bias, p, false, y);
            k.conv2d(xl, w, bias, cl, false, yl);
            Tensor mag = Tensor.empty(CPU, DType.F64, ys);
            k.conv2d(abs64(x), abs64(w), abs64(bias), p, false, mag);
            assertClose(dt, y, nchw(yl), mag, "y");

            // forward with the ReLU epilogue (oneDNN's post-op where it convolves itself): relu(y)
            Tensor expected = nan(dt, ys), yr = nan(dt, ys), yrl = nan(dt, gyl.shape());
            k.unary(UnaryOp.RELU, 0, y, expected);
            k.conv2d(x, w, bias, p, true, yr);
            k.conv2d(xl, w, bias, cl, true, yrl);
            assertClose(dt, expected, yr, mag, "relu y");
            assertClose(dt, expected, nchw(yrl), mag, "relu y, channels-last");

            // backward data
            Tensor gx = nan(dt, xs), gxl = nan(dt, xl.shape());
            k.conv2dBackwardData(gy, w, p, gx);
            k.conv2dBackwardData(gyl, w, cl, gxl);
            Tensor gxMag = Tensor.empty(CPU, DType.F64, xs);
            k.conv2dBackwardData(abs64(gy), abs64(w), p, gxMag);
            assertClose(dt, gx, nchw(gxl), gxMag, "gx");

            // backward weights and bias
            Tensor gw = nan(dt, ws), gwl = nan(dt, ws);
            Tensor gb = hasBias ? nan(dt, Shape.of(ws.dim(0))) : null, gbl = hasBias ? nan(dt, Shape.of(ws.dim(0))) : null;
            k.conv2dBackwardWeights(x, gy, p, gw, gb);
            k.conv2dBackwardWeights(xl, gyl, cl, gwl, gbl);
            Tensor gwMag = Tensor.empty(CPU, DType.F64, ws), gbMag = hasBias ? Tensor.empty(CPU, DType.F64, Shape.of(ws.dim(0))) : null;
            k.conv2dBackwardWeights(abs64(x), abs64(gy), p, gwMag, gbMag);
            assertClose(dt, gw, gwl, gwMag, "gw");
            if (hasBias) assertClose(dt, gb, gbl, gbMag, "gbias");
        }
    }

    @Test
    void repeatedChannelsLastCallReusesItsPlan() {
        try (Scope s = Scope.open()) {
            Random r = new Random(5);
            Conv2dParams cl = Conv2dParams.of(1, 0, 1).channelsLast(true);
            Tensor x = random(r, DType.F32, Shape.of(2, 3, 4, 6)), w = random(r, DType.F32, Shape.of(5, 6, 1, 1));
            Tensor y = Tensor.empty(CPU, DType.F32, Shape.of(2, 3, 4, 5));
            CPU.kernels().conv2d(x, w, null, cl, false, y);
            int plans = OneDnn.planCount();
            CPU.kernels().conv2d(x, w, null, cl, false, y);
            assertEquals(plans, OneDnn.planCount());
        }
    }

    @Test
    void shapeRulesNameTheLayout() {
        Conv2dParams cl = Conv2dParams.of(1, 1, 1).channelsLast(true);
        assertArrayEquals(new long[] {2, 7, 5, 4}, Shapes.conv2d(Shape.of(2, 7, 5, 3), Shape.of(4, 3, 3, 3), cl).dims());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Shapes.conv2d(Shape.of(2, 3, 7, 5), Shape.of(4, 3, 3, 3), cl)); // an NCHW tensor given as NHWC
        assertEquals(true, e.getMessage().contains("(N, H, W, C)"), e.getMessage());
    }

    // ---- helpers

    private static Tensor random(Random r, DType dt, Shape s) {
        double[] v = new double[(int) s.numel()];
        for (int i = 0; i < v.length; i++) v[i] = 2 * r.nextDouble() - 1;
        if (dt == DType.F64) return Tensor.of(CPU, v, s);
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return Tensor.of(CPU, f, s);
    }

    private static Tensor nan(DType dt, Shape s) {
        Tensor t = Tensor.empty(CPU, dt, s);
        CPU.kernels().fill(t, Double.NaN);
        return t;
    }

    private static Shape permuted(Shape s, int[] perm) {
        return Shapes.permute(s, perm);
    }

    private static Tensor nhwc(Tensor t) {
        Tensor out = Tensor.empty(CPU, t.dtype(), permuted(t.shape(), TO_NHWC));
        CPU.kernels().permute(t, TO_NHWC, out);
        return out;
    }

    private static Tensor nchw(Tensor t) {
        Tensor out = Tensor.empty(CPU, t.dtype(), permuted(t.shape(), TO_NCHW));
        CPU.kernels().permute(t, TO_NCHW, out);
        return out;
    }

    private static Tensor abs64(Tensor t) {
        if (t == null) return null;
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++) v[i] = Math.abs(v[i]);
        return Tensor.of(CPU, v, t.shape());
    }

    private static void assertClose(DType dt, Tensor expected, Tensor actual, Tensor magnitude, String what) {
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray(), m = magnitude.toDoubleArray();
        assertEquals(e.length, a.length, what + ": sizes differ");
        for (int i = 0; i < e.length; i++) {
            double allowed = dt == DType.F64 ? 0 : REL * m[i] + ABS;
            if (!(Math.abs(e[i] - a[i]) <= allowed)) {
                fail(String.format("%s %s: element %d of %d: nchw %s, channels-last %s, allowed %.3g", dt, what, i, e.length, e[i], a[i], allowed));
            }
        }
    }
}
