package org.dgm4j.rbm;

import java.util.LinkedHashMap;
import java.util.SplittableRandom;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;

/** Shared helpers: RBMs with given random parameters, exact samples of tiny RBMs, brute-force sums. */
final class RbmFixtures {
    private RbmFixtures() {}

    /** A float64 RBM with W ~ N(0, wStd²), b, c ~ N(0, biasStd²) drawn from a seeded host RNG. */
    static BinaryRbm random(int v, int h, double wStd, double biasStd, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        BinaryRbm rbm = new BinaryRbm(v, h, DType.F64, 0, new Generator(0));
        set(rbm, normals(r, v * h, wStd), normals(r, v, biasStd), normals(r, h, biasStd));
        return rbm;
    }

    static double[] normals(SplittableRandom r, int n, double std) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = std * Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
        return out;
    }

    static void set(BinaryRbm rbm, double[] w, double[] b, double[] c) {
        try (Scope s = Scope.open()) {
            LinkedHashMap<String, Tensor> state = new LinkedHashMap<>();
            state.put("weight", Tensor.of(w, rbm.visible(), rbm.hidden()));
            state.put("visible_bias", Tensor.of(b, rbm.visible()));
            state.put("hidden_bias", Tensor.of(c, rbm.hidden()));
            rbm.loadStateDict(state);
        }
    }

    /** n exact samples (n·V binary values, row-major) of a tiny RBM, by inverse CDF over all 2^V states. */
    static double[] exactSamples(BinaryRbm rbm, int n, long seed) {
        double[] logp = ExactPartition.visibleLogProbabilities(rbm);
        double[] cdf = new double[logp.length];
        double acc = 0;
        for (int i = 0; i < logp.length; i++) cdf[i] = acc += Math.exp(logp[i]);
        SplittableRandom r = new SplittableRandom(seed);
        int v = rbm.visible();
        double[] out = new double[n * v];
        for (int s = 0; s < n; s++) {
            double u = r.nextDouble() * acc;
            int idx = 0;
            while (idx < cdf.length - 1 && cdf[idx] <= u) idx++;
            for (int j = 0; j < v; j++) out[s * v + j] = (idx >>> j) & 1;
        }
        return out;
    }

    /** log Σ_{v,h} exp(vᵀb + hᵀc + vᵀWh) by brute force over both layers, in plain Java. */
    static double bruteForceLogZ(double[] w, double[] b, double[] c, int v, int h) {
        double max = Double.NEGATIVE_INFINITY;
        double[] e = new double[1 << (v + h)];
        for (int vi = 0; vi < 1 << v; vi++) {
            for (int hi = 0; hi < 1 << h; hi++) {
                double s = 0;
                for (int i = 0; i < v; i++) if ((vi >>> i & 1) == 1) s += b[i];
                for (int j = 0; j < h; j++) if ((hi >>> j & 1) == 1) s += c[j];
                for (int i = 0; i < v; i++) for (int j = 0; j < h; j++) if ((vi >>> i & 1) == 1 && (hi >>> j & 1) == 1) s += w[i * h + j];
                e[vi << h | hi] = s;
                max = Math.max(max, s);
            }
        }
        double sum = 0;
        for (double x : e) sum += Math.exp(x - max);
        return max + Math.log(sum);
    }

    /** Mean exact NLL (nats) of data (n·V row-major) under a tiny RBM: mean F(v) + log Z. */
    static double exactNll(BinaryRbm rbm, double[] data) {
        double[] logp = ExactPartition.visibleLogProbabilities(rbm);
        int v = rbm.visible(), n = data.length / v;
        double nll = 0;
        for (int s = 0; s < n; s++) {
            int idx = 0;
            for (int j = 0; j < v; j++) if (data[s * v + j] != 0) idx |= 1 << j;
            nll -= logp[idx];
        }
        return nll / n;
    }
}
