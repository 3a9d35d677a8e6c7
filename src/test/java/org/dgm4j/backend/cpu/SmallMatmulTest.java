package org.dgm4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.dgm4j.backend.Kernels;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SmallMatmul's Java loops (outer products, aᵀ·b with one or two columns) against oneDNN on the same
 * float32 inputs and against double loops: |java − ref| ≤ k · eps · Σ|a·b| (eps = 2^-23), the
 * bound of a recursive float sum of k products (k = 1: the one rounding of the product).
 */
class SmallMatmulTest {
    private final Kernels k = CpuBackend.get().kernels();

    @AfterEach
    void restore() {
        CpuBackend.setSmallMatmulInJava(true);
    }

    /** {m, n, k, transA, transB}: every shape here takes the Java path. */
    private static final int[][] CASES = {
            {1024, 256, 1, 0, 1}, {1024, 256, 1, 0, 0}, {7, 13, 1, 1, 0}, {5, 3, 1, 1, 1}, {1, 1, 1, 0, 0},
            {256, 1, 1024, 1, 0}, {256, 2, 1024, 1, 0}, {7, 1, 1023, 1, 0}, {65, 2, 3, 1, 0}};

    @Test
    void javaLoopsAgreeWithDoubleLoopsAndOneDnn() {
        Random rnd = new Random(5);
        for (int[] c : CASES) {
            int m = c[0], n = c[1], kk = c[2];
            boolean ta = c[3] == 1, tb = c[4] == 1;
            assertTrue(SmallMatmul.applies(ta, tb, m, n, kk), "shape meant for the Java path");
            try (Scope s = Scope.open()) {
                float[] av = new float[m * kk], bv = new float[kk * n];
                for (int i = 0; i < av.length; i++) av[i] = (float) rnd.nextGaussian();
                for (int i = 0; i < bv.length; i++) bv[i] = (float) rnd.nextGaussian();
                Tensor a = Tensor.of(av, ta ? new long[] {kk, m} : new long[] {m, kk}), b = Tensor.of(bv, tb ? new long[] {n, kk} : new long[] {kk, n});
                float[][] out = new float[2][];
                for (int v = 0; v < 2; v++) {
                    CpuBackend.setSmallMatmulInJava(v == 0);
                    Tensor o = Tensor.empty(CpuBackend.get(), a.dtype(), Shape.of(m, n));
                    k.matmul(a, ta, b, tb, o);
                    out[v] = o.toFloatArray();
                }
                CpuBackend.setSmallMatmulInJava(true);
                double eps = Math.ulp(1f);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double ref = 0, mag = 0;
                        for (int l = 0; l < kk; l++) {
                            double p = (double) av[ta ? l * m + i : i * kk + l] * bv[tb ? j * kk + l : l * n + j];
                            ref += p;
                            mag += Math.abs(p);
                        }
                        double bound = kk * eps * mag;
                        String at = java.util.Arrays.toString(c) + " element (" + i + ", " + j + ")";
                        float java = out[0][i * n + j], dnn = out[1][i * n + j];
                        assertTrue(Math.abs(java - ref) <= bound, at + ": java " + java + " vs " + ref + " ± " + bound);
                        assertTrue(Math.abs(java - dnn) <= 2 * bound, at + ": java " + java + " vs oneDNN " + dnn);
                    }
                }
            }
        }
    }

    @Test
    void otherShapesStayOnOneDnn() {
        assertTrue(!SmallMatmul.applies(false, false, 1024, 256, 2) && !SmallMatmul.applies(true, false, 2, 256, 1024)
                && !SmallMatmul.applies(false, false, 1024, 1, 256) && !SmallMatmul.applies(true, false, 256, 256, 1024));
    }
}
