package org.dgm4j.eval;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.optim.Adam;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.vae.Likelihood;
import org.dgm4j.vae.Vae;
import org.junit.jupiter.api.Test;

/** The streaming log-mean-exp, and the IWAE bound of a briefly trained VAE: above the ELBO, rising with k. */
class ImportanceSamplingTest {
    /** Chunked and unchunked agree with the direct formula to 1e-12 even for log-weights around −10⁴ (where exp underflows). */
    @Test
    void logMeanExpStreamsExactly() {
        SplittableRandom r = new SplittableRandom(3);
        int k = 1000, b = 3;
        double[] lw = new double[k * b];
        for (int i = 0; i < lw.length; i++) lw[i] = -1e4 * (1 + i % b) + 30 * r.nextGaussian();
        double[] direct = new double[b], mean = new double[b];
        for (int e = 0; e < b; e++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < k; i++) m = Math.max(m, lw[i * b + e]);
            double s = 0;
            for (int i = 0; i < k; i++) {
                s += Math.exp(lw[i * b + e] - m);
                mean[e] += lw[i * b + e] / k;
            }
            direct[e] = m + Math.log(s / k);
        }
        for (int chunk : new int[] {1, 7, 1000}) {
            LogMeanExp acc = new LogMeanExp(b);
            for (int at = 0; at < k; at += chunk) {
                int m = Math.min(chunk, k - at);
                double[] part = new double[m * b];
                System.arraycopy(lw, at * b, part, 0, m * b);
                acc.add(part, m);
            }
            assertEquals(k, acc.count());
            for (int e = 0; e < b; e++) {
                assertEquals(direct[e], acc.logMeanExp()[e], 1e-12 * Math.abs(direct[e]), "chunk " + chunk + " example " + e);
                assertEquals(mean[e], acc.mean()[e], 1e-9, "chunk " + chunk + " example " + e);
                assertTrue(acc.logMeanExp()[e] >= acc.mean()[e], "Jensen: log-mean-exp >= mean");
            }
        }
    }

    /** Binary 4×4 images: 4 prototypes with 10 % of the pixels flipped. */
    private static float[] data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] proto = {{1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0}, {1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0},
                {1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1}, {0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0}};
        float[] x = new float[n * 16];
        for (int i = 0; i < n; i++) {
            int[] p = proto[r.nextInt(4)];
            for (int j = 0; j < 16; j++) x[i * 16 + j] = (r.nextDouble() < 0.1 ? 1 - p[j] : p[j]);
        }
        return x;
    }

    /**
     * A VAE trained for 200 steps on the synthetic images, then on 32 held-out images and 1200 draws
     * from q per image: the k-sample bound L_k, averaged over the 1200/k disjoint groups of draws,
     * rises with k (1, 10, 100, 1200); L_1 (the draws' mean log-weight) matches the closed-form-KL ELBO
     * within 4 standard errors; the streamed estimate in chunks equals the groups' k = 1200 value.
     */
    @Test
    void iwaeBoundIsAboveTheElboAndGrowsWithK() {
        float[] train = data(2048, 1), test = data(32, 2);
        try (Vae vae = new Vae(1, 4, 4, 32, 4, Vae.Architecture.MLP, Likelihood.bernoulli(), DType.F32, new Generator(1));
             Adam adam = new Adam(vae.parameters(), 1e-2)) {
            Generator g = new Generator(7);
            for (int step = 0; step < 200; step++) {
                try (Scope s = Scope.open()) {
                    int at = (step * 64) % 2048;
                    float[] batch = java.util.Arrays.copyOfRange(train, at * 16, (at + 64) * 16);
                    Tensor loss = vae.elbo(Tensor.of(batch, 64, 1, 4, 4), g).loss();
                    adam.zeroGrad();
                    loss.backward();
                    adam.step();
                }
            }
            try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
                int b = 32, total = 1200;
                Tensor x = Tensor.of(test, b, 1, 4, 4);
                double[] lw = vae.logWeights(x, total, new Generator(11)).toDoubleArray(); // (total, b)
                int[] ks = {1, 10, 100, total};
                double[] bound = new double[ks.length];
                for (int i = 0; i < ks.length; i++) {
                    int groups = total / ks[i];
                    for (int grp = 0; grp < groups; grp++) {
                        LogMeanExp acc = new LogMeanExp(b);
                        acc.add(java.util.Arrays.copyOfRange(lw, grp * ks[i] * b, (grp + 1) * ks[i] * b), ks[i]);
                        bound[i] += mean(acc.logMeanExp()) / groups;
                    }
                }
                for (int i = 1; i < ks.length; i++) assertTrue(bound[i] > bound[i - 1], "L_" + ks[i] + " = " + bound[i] + " <= L_" + ks[i - 1] + " = " + bound[i - 1]);
                assertTrue(bound[3] - bound[0] > 0.05, "the bound tightens visibly: " + java.util.Arrays.toString(bound));

                // the same draws through the chunked estimator
                ImportanceSampling.Estimate streamed = ImportanceSampling.estimate(vae, x, total, 250, new Generator(11));
                assertEquals(bound[3], mean(streamed.logLikelihood()), 1e-3, "chunks of 250 draw the same noise as one block of 1200");

                // L_1 is the ELBO: the closed-form-KL estimate averaged over 100 noise draws; standard error of the
                // batch-mean log-weight over the 1200 draws
                double closed = 0;
                for (int rep = 0; rep < 100; rep++) closed -= vae.elbo(x, g).loss().item() / 100;
                double[] perDraw = new double[total];
                for (int i = 0; i < total; i++) for (int e = 0; e < b; e++) perDraw[i] += lw[i * b + e] / b;
                double se = ImportanceSampling.meanAndStandardError(perDraw)[1];
                assertEquals(closed, bound[0], 4 * se, "Monte Carlo ELBO vs closed-form KL (standard error " + se + ")");
            }
        }
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double d : v) s += d;
        return s / v.length;
    }
}
