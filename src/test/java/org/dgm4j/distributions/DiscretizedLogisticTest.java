package org.dgm4j.distributions;

import static org.junit.jupiter.api.Assertions.*;

import org.dgm4j.autograd.Gradcheck;
import org.dgm4j.backend.Backends;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The 8-bit discretized logistic: a probability distribution over the 256 values, exact against the CDF, stable in the tails. */
class DiscretizedLogisticTest {
    private static final int BINS = 256;
    private static final double[] MEANS = {-1.6, -1, -0.3, 0, 0.52, 1, 2.5};
    private static final double[] LOG_SCALES = {-9, -7, -5, -3, -1, 0, 2, 6};

    /** log P(k) for k = 0..255 under (μ, log s), computed with the library in the given dtype. */
    private static double[] logProbs(double mean, double logScale, DType dtype) {
        double[] x = new double[BINS];
        for (int k = 0; k < BINS; k++) x[k] = DiscretizedLogistic.center(k, BINS);
        try (Scope s = Scope.open()) {
            Tensor xt = Tensor.of(x, BINS).toDType(dtype);
            Tensor m = Tensor.full(Backends.cpu(), dtype, Shape.of(BINS), mean), ls = Tensor.full(Backends.cpu(), dtype, Shape.of(BINS), logScale);
            return DiscretizedLogistic.logProb(xt, m, ls, BINS).toDoubleArray();
        }
    }

    /**
     * The 256 probabilities sum to 1 for locations inside and outside [−1, 1] and scales from far below a
     * bin's width to far above the range. Tolerance: float64 1e-12 (the bins' masses are computed
     * independently, so the sum is exact up to rounding of 256 terms); float32 2e-6 (float32 rounding of
     * the inputs and the elementwise ops, about 10 ulps per value, accumulated over few dominant bins).
     */
    @Test
    void probabilitiesOfThe256ValuesSumToOne() {
        for (double m : MEANS) {
            for (double ls : LOG_SCALES) {
                for (DType t : new DType[] {DType.F64, DType.F32}) {
                    double sum = 0;
                    for (double lp : logProbs(m, ls, t)) {
                        assertTrue(Double.isFinite(lp) && lp <= 1e-6, "log P " + lp + " at mean " + m + " log s " + ls + " " + t);
                        sum += Math.exp(lp);
                    }
                    assertEquals(1.0, sum, t == DType.F64 ? 1e-12 : 2e-6, "mean " + m + " log scale " + ls + " " + t);
                }
            }
        }
    }

    /** Against F(x + h) − F(x − h) (edges to ±∞) evaluated in double where it does not cancel (moderate parameters). Tolerance 1e-9 relative. */
    @Test
    void matchesTheCdfDifference() {
        double h = 1.0 / 255;
        for (double m : new double[] {-0.4, 0.1, 0.9}) {
            for (double ls : new double[] {-4, -2, 0}) {
                double s = Math.exp(ls);
                double[] lp = logProbs(m, ls, DType.F64);
                for (int k = 0; k < BINS; k++) {
                    double x = DiscretizedLogistic.center(k, BINS);
                    double up = k == BINS - 1 ? 1 : sigmoid((x + h - m) / s), lo = k == 0 ? 0 : sigmoid((x - h - m) / s);
                    double p = up - lo;
                    if (p < 1e-6) continue; // where the reference itself loses digits
                    assertEquals(Math.log(p), lp[k], 1e-9 * Math.max(1, Math.abs(Math.log(p))), "k " + k + " mean " + m + " log s " + ls);
                }
            }
        }
    }

    /**
     * Far tails stay finite and exact where F(x + h) − F(x − h) underflows or cancels: with s = e^−5 and
     * μ = 0.9, pixel 0 lies 280 scales away; log P must follow the logistic's asymptote
     * −(μ − x − h)/s (its log-CDF), to 1e-9 relative in float64.
     */
    @Test
    void tailsAreComputedWithoutCancellation() {
        double m = 0.9, ls = -5, s = Math.exp(ls), h = 1.0 / 255;
        double[] lp = logProbs(m, ls, DType.F64);
        double expected = -(m - (-1 + h)) / s; // log σ(a) ≈ a for a ≪ 0, error e^a
        assertEquals(expected, lp[0], 1e-9 * Math.abs(expected));
        // an interior pixel far in the upper tail: log σ(a) + log σ(−b) + log(1 − e^−d), dominated by log σ(a) ≈ a
        double x = DiscretizedLogistic.center(10, BINS), a = (x + h - m) / s, b = (x - h - m) / s;
        double exact = a + Math.log1p(-Math.exp(b - a)); // log(e^a − e^b), exact for a, b ≪ 0
        assertEquals(exact, lp[10], 1e-9 * Math.abs(exact));
        for (double v : logProbs(m, ls, DType.F32)) assertTrue(Double.isFinite(v), "float32 stays finite: " + v);
    }

    /** Gradients in μ and log s (x fixed data, on the grid, both edge bins included) against central differences. */
    @Test
    void gradientInMeanAndLogScale() {
        int[] k = {0, 1, 77, 128, 254, 255};
        double[] x = new double[k.length];
        for (int i = 0; i < k.length; i++) x[i] = DiscretizedLogistic.center(k[i], BINS);
        double[] mean = {-0.9, -1.2, 0.3, 0.0, 0.95, 0.4}, logScale = {-3, -1, -2.5, 0.5, -4, -2};
        Gradcheck.Result r = Gradcheck.check(Backends.cpu(), in -> DiscretizedLogistic.logProb(Tensor.of(x, k.length), in[0], in[1], BINS),
                new double[][] {mean, logScale}, new long[][] {{k.length}, {k.length}});
        assertTrue(r.passed(), r.toString());
    }

    private static double sigmoid(double v) {
        return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
    }
}
