package org.dgm4j.nn;

import static org.junit.jupiter.api.Assertions.*;

import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Layer outputs against naive loops in float64; tolerance 1e-10 (only summation order differs). */
class LayersTest {
    private static final double TOL = 1e-10;

    @Test
    void linearMatchesLoopsAndFoldsLeadingAxes() {
        try (Scope s = Scope.open(); Linear lin = new Linear(5, 3, true, DType.F64, new Generator(1))) {
            Generator g = new Generator(2);
            Tensor x = g.normal(DType.F64, 2, 4, 5);
            double[] y = lin.forward(x).toDoubleArray();
            double[] xv = x.toDoubleArray(), w = lin.weight().tensor().toDoubleArray(), b = lin.bias().tensor().toDoubleArray();
            assertArrayEquals(new long[] {2, 4, 3}, lin.forward(x).dims());
            for (int r = 0; r < 8; r++) {
                for (int o = 0; o < 3; o++) {
                    double e = b[o];
                    for (int i = 0; i < 5; i++) e += xv[r * 5 + i] * w[o * 5 + i];
                    assertEquals(e, y[r * 3 + o], TOL);
                }
            }
            double bound = 1 / Math.sqrt(5); // PyTorch's default init
            for (double v : w) assertTrue(Math.abs(v) <= bound);
        }
    }

    @Test
    void conv2dMatchesLoops() {
        int n = 2, c = 3, h = 6, wd = 5, k = 4, r = 3, st = 2, pad = 1;
        try (Scope s = Scope.open(); Conv2d conv = new Conv2d(c, k, r, st, pad, 1, true, DType.F64, new Generator(3))) {
            Tensor x = new Generator(4).normal(DType.F64, n, c, h, wd);
            Tensor yt = conv.forward(x);
            int p = (h + 2 * pad - r) / st + 1, q = (wd + 2 * pad - r) / st + 1;
            assertArrayEquals(new long[] {n, k, p, q}, yt.dims());
            double[] y = yt.toDoubleArray(), xv = x.toDoubleArray();
            double[] w = conv.weight().tensor().toDoubleArray(), b = conv.bias().tensor().toDoubleArray();
            for (int in = 0; in < n; in++) for (int ik = 0; ik < k; ik++) for (int ip = 0; ip < p; ip++) for (int iq = 0; iq < q; iq++) {
                double e = b[ik];
                for (int ic = 0; ic < c; ic++) for (int ir = 0; ir < r; ir++) for (int is = 0; is < r; is++) {
                    int hh = ip * st - pad + ir, ww = iq * st - pad + is;
                    if (hh < 0 || hh >= h || ww < 0 || ww >= wd) continue;
                    e += xv[((in * c + ic) * h + hh) * wd + ww] * w[((ik * c + ic) * r + ir) * r + is];
                }
                assertEquals(e, y[((in * k + ik) * p + ip) * q + iq], TOL);
            }
        }
    }

    @Test
    void conv2dChannelsLastIsThePermutedNchwLayer() {
        try (Scope s = Scope.open();
             Conv2d nchw = new Conv2d(3, 4, 3, 2, 1, 1, true, DType.F64, new Generator(3));
             Conv2d nhwc = new Conv2d(3, 4, 3, 2, 1, 1, true, true, DType.F64, new Generator(3))) {
            assertEquals(nchw.stateDict().keySet(), nhwc.stateDict().keySet());
            assertArrayEquals(nchw.weight().tensor().toDoubleArray(), nhwc.weight().tensor().toDoubleArray(), 0); // same draws, same (K, C, R, S)
            Tensor x = new Generator(4).normal(DType.F64, 2, 3, 6, 5);
            Tensor y = nchw.forward(x), yl = nhwc.forward(x.permute(0, 2, 3, 1));
            assertArrayEquals(new long[] {2, 3, 3, 4}, yl.dims());
            assertArrayEquals(y.toDoubleArray(), yl.permute(0, 3, 1, 2).toDoubleArray(), 0); // float64 loops: same order of terms
            assertThrows(IllegalArgumentException.class, () -> nhwc.forward(x)); // NCHW input to a channels-last layer
        }
    }

    @Test
    void aConvolutionFusesItsReluWithTheSameValuesAndGradients() {
        for (int variant = 0; variant < 8; variant++) { // 1x1 or 3x3, channels-last or NCHW, output sizes 72 and 384 (a multiple of 128)
            boolean pointwise = variant % 2 == 0, last = variant % 4 < 2;
            long h = variant < 4 ? 4 : 8, w = variant < 4 ? 3 : 8;
            try (Scope s = Scope.open();
                 Conv2d c = new Conv2d(5, 3, pointwise ? 1 : 3, 1, pointwise ? 0 : 1, 1, true, last, DType.F64, new Generator(3))) {
                Tensor x = new Generator(4).normal(DType.F64, last ? new long[] {2, h, w, 5} : new long[] {2, 5, h, w}).requiresGrad(true);
                Tensor fused = c.forwardRelu(x), plain = org.dgm4j.autograd.Ops.relu(c.forward(x));
                assertArrayEquals(plain.toDoubleArray(), fused.toDoubleArray(), TOL);
                Tensor[] gFused = grads(fused, x, c), gPlain = grads(plain, x, c);
                for (int i = 0; i < 3; i++) assertArrayEquals(gPlain[i].toDoubleArray(), gFused[i].toDoubleArray(), TOL, "gradient " + i);
            }
        }
    }

    /** d(Σ y·(1 + index))/d(x, weight, bias), each gradient copied out before the next backward. */
    private static Tensor[] grads(Tensor y, Tensor x, Conv2d c) {
        c.zeroGrad();
        x.setGrad(null);
        double[] ramp = new double[(int) y.numel()];
        for (int i = 0; i < ramp.length; i++) ramp[i] = 1 + i;
        org.dgm4j.autograd.Autograd.backward(org.dgm4j.autograd.Ops.sum(org.dgm4j.autograd.Ops.mul(y, Tensor.of(ramp, y.dims())), false, 0, 1, 2, 3));
        return new Tensor[] {org.dgm4j.autograd.Ops.copyOf(x.grad()), org.dgm4j.autograd.Ops.copyOf(c.weight().tensor().grad()),
            org.dgm4j.autograd.Ops.copyOf(c.bias().tensor().grad())};
    }

    @Test
    void convTranspose2dMatchesScatterLoops() {
        // weight (in, out, k, k) as PyTorch; every input pixel scatters w-weighted values into the output
        int n = 2, cin = 3, cout = 2, h = 3, wd = 4, r = 3, st = 2, pad = 1, outPad = 1;
        try (Scope s = Scope.open(); ConvTranspose2d ct = new ConvTranspose2d(cin, cout, r, st, pad, outPad, 1, true, DType.F64, new Generator(5))) {
            assertArrayEquals(new long[] {cin, cout, r, r}, ct.weight().tensor().dims());
            Tensor x = new Generator(6).normal(DType.F64, n, cin, h, wd);
            Tensor yt = ct.forward(x);
            int ho = (h - 1) * st - 2 * pad + r + outPad, wo = (wd - 1) * st - 2 * pad + r + outPad;
            assertArrayEquals(new long[] {n, cout, ho, wo}, yt.dims());
            double[] xv = x.toDoubleArray(), w = ct.weight().tensor().toDoubleArray(), b = ct.bias().tensor().toDoubleArray();
            double[] e = new double[n * cout * ho * wo];
            for (int in = 0; in < n; in++) for (int oc = 0; oc < cout; oc++) for (int i = 0; i < ho * wo; i++) e[(in * cout + oc) * ho * wo + i] = b[oc];
            for (int in = 0; in < n; in++) for (int ic = 0; ic < cin; ic++) for (int i = 0; i < h; i++) for (int j = 0; j < wd; j++)
                for (int oc = 0; oc < cout; oc++) for (int ir = 0; ir < r; ir++) for (int is = 0; is < r; is++) {
                    int hh = i * st - pad + ir, ww = j * st - pad + is;
                    if (hh < 0 || hh >= ho || ww < 0 || ww >= wo) continue;
                    e[((in * cout + oc) * ho + hh) * wo + ww] += xv[((in * cin + ic) * h + i) * wd + j] * w[((ic * cout + oc) * r + ir) * r + is];
                }
            assertArrayEquals(e, yt.toDoubleArray(), TOL);
        }
    }

    @Test
    void batchNorm2dNormalizesPerChannelAndTracksRunningStats() {
        int n = 3, c = 2, hw = 4;
        try (Scope s = Scope.open(); BatchNorm2d bn = new BatchNorm2d(c, 0.1, 1e-5, true, DType.F64)) {
            Init.constant(bn.weight().tensor(), 2);
            Init.constant(bn.bias().tensor(), 0.5);
            Tensor x = new Generator(7).normal(DType.F64, n, c, 2, 2).mul(3).add(1);
            double[] xv = x.toDoubleArray(), y = bn.forward(x).toDoubleArray();
            double[] rm = bn.runningMean().toDoubleArray(), rv = bn.runningVar().toDoubleArray();
            for (int ch = 0; ch < c; ch++) {
                double mean = 0, var = 0;
                for (int i = 0; i < n; i++) for (int j = 0; j < hw; j++) mean += xv[(i * c + ch) * hw + j];
                mean /= n * hw;
                for (int i = 0; i < n; i++) for (int j = 0; j < hw; j++) var += Math.pow(xv[(i * c + ch) * hw + j] - mean, 2);
                var /= n * hw;
                for (int i = 0; i < n; i++) for (int j = 0; j < hw; j++) {
                    int at = (i * c + ch) * hw + j;
                    assertEquals((xv[at] - mean) / Math.sqrt(var + 1e-5) * 2 + 0.5, y[at], TOL);
                }
                assertEquals(0.1 * mean, rm[ch], TOL);
                assertEquals(0.9 + 0.1 * var * n * hw / (n * hw - 1), rv[ch], TOL); // unbiased, as PyTorch
            }
            bn.eval();
            double[] ye = bn.forward(x).toDoubleArray();
            for (int i = 0; i < n; i++) for (int ch = 0; ch < c; ch++) for (int j = 0; j < hw; j++) {
                int at = (i * c + ch) * hw + j;
                assertEquals((xv[at] - rm[ch]) / Math.sqrt(rv[ch] + 1e-5) * 2 + 0.5, ye[at], TOL);
            }
            assertArrayEquals(rm, bn.runningMean().toDoubleArray(), 0, "eval must not update running stats");
        }
    }

    @Test
    void batchNorm1dOnFeatures() {
        try (Scope s = Scope.open(); BatchNorm1d bn = new BatchNorm1d(3, 0.1, 1e-5, false, DType.F64)) {
            Tensor y = bn.forward(new Generator(8).normal(DType.F64, 16, 3).mul(5).add(2));
            double[] mean = y.mean(0).toDoubleArray(), sq = y.square().mean(0).toDoubleArray();
            for (int i = 0; i < 3; i++) {
                assertEquals(0, mean[i], 1e-12);
                assertEquals(1, sq[i], 1e-5); // var/(var + eps)
            }
        }
    }

    @Test
    void shapeLayersAndActivations() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {-2, -0.5, 0, 1.5, 3, -1}, 1, 6);
            assertArrayEquals(new double[] {0, 0, 0, 1.5, 3, 0}, new ReLU().forward(x).toDoubleArray(), 0);
            assertArrayEquals(new double[] {-0.4, -0.1, 0, 1.5, 3, -0.2}, new LeakyReLU(0.2).forward(x).toDoubleArray(), 1e-15);
            assertEquals(1 / (1 + Math.exp(2)), new Sigmoid().forward(x).toDoubleArray()[0], 1e-15);
            assertEquals(Math.tanh(1.5), new Tanh().forward(x).toDoubleArray()[3], 1e-15);
            assertEquals(Math.log1p(Math.exp(3)), new Softplus().forward(x).toDoubleArray()[4], 1e-14);
            Tensor img = new Reshape(1, 2, 3).forward(x);
            assertArrayEquals(new long[] {1, 1, 2, 3}, img.dims());
            assertArrayEquals(new long[] {1, 6}, new Flatten().forward(img).dims());
        }
    }
}
