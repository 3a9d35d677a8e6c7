package org.dgm4j.eval;

import static org.junit.jupiter.api.Assertions.*;

import org.dgm4j.data.Synthetic2D;
import org.junit.jupiter.api.Test;

/** Mode statistics on samples whose answers are known, and the KL estimates against closed forms. */
class ModeStatisticsTest {
    private static final Synthetic2D.Mixture RING = Synthetic2D.ring8(); // radius 2, stddev 0.02

    /** 30 points on mode 0, 10 at 2 stddevs from mode 1 (in), 5 at 4 stddevs from mode 2 (out), 5 at the origin (out). */
    @Test
    void placedPointsByHand() {
        float[] p = new float[100];
        int i = 0;
        for (int k = 0; k < 30; k++) { p[i++] = 2f; p[i++] = 0f; }
        double[] m1 = RING.means()[1], m2 = RING.means()[2];
        for (int k = 0; k < 10; k++) { p[i++] = (float) (m1[0] + 0.04); p[i++] = (float) m1[1]; }
        for (int k = 0; k < 5; k++) { p[i++] = (float) m2[0]; p[i++] = (float) (m2[1] + 0.08); }
        for (int k = 0; k < 5; k++) { p[i++] = 0f; p[i++] = 0f; }
        ModeStatistics.Report r = ModeStatistics.of(RING, p);
        assertEquals(0.6, r.fractions()[0], 1e-12);
        assertEquals(0.2, r.fractions()[1], 1e-12);
        for (int k = 2; k < 8; k++) assertEquals(0, r.fractions()[k], 0, "mode " + k);
        assertEquals(0.2, r.offMode(), 1e-12);
        assertEquals(2, r.captured());
        assertEquals(0.125, r.weights()[3], 1e-15);
        assertTrue(r.table().contains("captured 2 of 8 modes"), r.table());
        // a radius of 5 stddevs takes the points at 4 in: mode 2 holds 0.1
        assertEquals(0.1, ModeStatistics.of(RING, p, 5, 0.25).fractions()[2], 1e-12);
    }

    /**
     * Samples of the data itself: every mode captured, each fraction within 4 standard errors of
     * 0.98889·weight (a 2-D Gaussian holds 1 − e^(−9/2) of its mass within 3 stddevs), off-mode ≈ 0.0111.
     * The minor mode of ring8MinorMode (1/71 of the mass) included.
     */
    @Test
    void theDataItselfCapturesEveryModeIncludingTheMinorOne() {
        Synthetic2D.Mixture m = Synthetic2D.ring8MinorMode();
        assertEquals(0.1, m.probabilities()[0] / m.probabilities()[1], 1e-12, "minor mode has 1/10 the weight");
        int n = 20_000;
        ModeStatistics.Report r = ModeStatistics.of(m, m.sample(n, 11).points());
        double inside = 1 - Math.exp(-4.5);
        for (int k = 0; k < 8; k++) {
            double p = inside * m.probabilities()[k];
            assertEquals(p, r.fractions()[k], 4 * Math.sqrt(p * (1 - p) / n), "mode " + k);
        }
        assertEquals(1 - inside, r.offMode(), 4 * Math.sqrt(0.011 / n));
        assertEquals(8, r.captured());
    }

    /** A model that drops the minor mode and gives it a twentieth of its weight: dropped under the quarter-of-weight rule. */
    @Test
    void droppingTheMinorModeIsCounted() {
        Synthetic2D.Mixture model = Synthetic2D.ring(8, 2.0, 0.02, new double[] {0.05, 10, 10, 10, 10, 10, 10, 10});
        ModeStatistics.Report r = ModeStatistics.of(Synthetic2D.ring8MinorMode(), model.sample(20_000, 12).points());
        assertEquals(7, r.captured());
        assertTrue(r.table().contains("dropped"), r.table());
    }

    /** KL between two Gaussians by Monte Carlo with exact densities: sum_d [ln(s_q/s_p) + (s_p² + (m_p − m_q)²)/(2 s_q²) − 1/2]. */
    @Test
    void exactDensityKlOfTwoGaussians() {
        Synthetic2D.Mixture p = gaussian(0, 1), q = gaussian(0.5, 1.5);
        double pq = 2 * Math.log(1.5) + (1 + 0.25) / (2 * 2.25) + 1 / (2 * 2.25) - 1; // 0.31093
        double qp = 2 * Math.log(1 / 1.5) + (2.25 + 0.25) / 2 + 2.25 / 2 - 1;       // 0.56407
        DensityKl.Estimate e = DensityKl.exact(DensityKl.mixture(p), p.sample(40_000, 1).points(), DensityKl.mixture(q), q.sample(40_000, 2).points());
        // Monte Carlo standard errors about 0.004 and 0.008: tolerance 0.03
        assertEquals(pq, e.dataToModel(), 0.03);
        assertEquals(qp, e.modelToData(), 0.03);
        assertEquals("exact", e.method());
        // the mixture density itself, at one point
        double x = 0.3, y = -0.7;
        double byHand = -Math.log(2 * Math.PI * 2.25) - ((x - 0.5) * (x - 0.5) + y * y) / (2 * 2.25);
        assertEquals(byHand, DensityKl.mixture(q).at(x, y), 1e-12);
    }

    /**
     * The same KLs with the model's density from a KDE of 2,000 samples: smoothing adds h² to the
     * model's variance and finite n adds noise, so the tolerance is 0.1 nats.
     */
    @Test
    void kdeKlOfTwoGaussians() {
        Synthetic2D.Mixture p = gaussian(0, 1), q = gaussian(0.5, 1.5);
        DensityKl.Estimate e = DensityKl.kde(DensityKl.mixture(p), p.sample(2_000, 1).points(), q.sample(2_000, 2).points());
        assertEquals(0.31093, e.dataToModel(), 0.1);
        assertEquals(0.56407, e.modelToData(), 0.1);
        assertTrue(e.method().startsWith("kde h="), e.method());
    }

    /**
     * On the ring: samples of the data itself give KLs near 0 both ways, a model on half the modes
     * (twice their weight) gives KL(model‖data) ≈ ln 2 and a KL(data‖model) far larger (the dropped
     * modes' points are many kernel widths from every model sample).
     */
    @Test
    void kdeKlSeesDroppedModes() {
        Synthetic2D.Mixture half = Synthetic2D.ring(8, 2.0, 0.02, new double[] {1, 0, 1, 0, 1, 0, 1, 0});
        float[] data = RING.sample(2_000, 1).points();
        DensityKl.Estimate good = DensityKl.kde(DensityKl.mixture(RING), data, RING.sample(2_000, 2).points());
        assertEquals(0, good.dataToModel(), 0.15, good.toString());
        assertEquals(0, good.modelToData(), 0.15, good.toString());
        DensityKl.Estimate bad = DensityKl.kde(DensityKl.mixture(RING), data, half.sample(2_000, 3).points());
        assertEquals(Math.log(2), bad.modelToData(), 0.15, bad.toString());
        assertTrue(bad.dataToModel() > 10, bad.toString());
    }

    /**
     * A density that evaluates in batches (as a flow or the EM mixture does through atAll) gives the
     * same estimate as the per-point default, to rounding; exact estimates carry no bandwidth, KDE ones
     * the h they used.
     */
    @Test
    void batchedDensitiesGiveTheSameExactEstimate() {
        Synthetic2D.Mixture p = gaussian(0, 1), q = gaussian(0.5, 1.5);
        DensityKl.LogDensity2D perPoint = DensityKl.mixture(q);
        int[] calls = {0};
        DensityKl.LogDensity2D batched = new DensityKl.LogDensity2D() {
            @Override
            public double at(double x, double y) {
                throw new AssertionError("the batched density is only asked through atAll");
            }

            @Override
            public double[] atAll(float[] points) {
                calls[0]++;
                double[] v = new double[points.length / 2];
                for (int i = 0; i < v.length; i++) v[i] = perPoint.at(points[2 * i], points[2 * i + 1]);
                return v;
            }
        };
        float[] a = p.sample(5_000, 1).points(), b = q.sample(5_000, 2).points();
        DensityKl.Estimate one = DensityKl.exact(DensityKl.mixture(p), a, perPoint, b), many = DensityKl.exact(DensityKl.mixture(p), a, batched, b);
        assertEquals(one.dataToModel(), many.dataToModel(), 1e-12);
        assertEquals(one.modelToData(), many.modelToData(), 1e-12);
        assertEquals(2, calls[0], "one call per direction");
        assertTrue(Double.isNaN(one.bandwidth()));
        DensityKl.Estimate kde = DensityKl.kde(DensityKl.mixture(p), a, b);
        assertTrue(kde.bandwidth() > 0 && kde.method().contains(String.format(java.util.Locale.ROOT, "%.4g", kde.bandwidth())), kde.toString());
    }

    private static Synthetic2D.Mixture gaussian(double mx, double sd) {
        return new Synthetic2D.Mixture(new double[] {1}, new double[][] {{mx, 0}}, new double[][] {{sd, sd}});
    }
}
