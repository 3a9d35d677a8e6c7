package org.dgm4j.data;

import static org.junit.jupiter.api.Assertions.*;

import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class Synthetic2DTest {
    @Test
    void unequalRingReproducesItsWeightsWithinSamplingError() {
        Synthetic2D.Mixture ring = Synthetic2D.ring8Unequal();
        int n = 200_000;
        double[] freq = ring.sample(n, 7).componentFrequencies(8);
        double[] p = ring.probabilities();
        assertEquals(1.0 / 36, p[0], 1e-12);
        for (int k = 0; k < 8; k++) {
            double sigma = Math.sqrt(p[k] * (1 - p[k]) / n);
            assertEquals(p[k], freq[k], 5 * sigma, "component " + k); // 5 sigma: a fixed seed, never flaky
        }
    }

    @Test
    void pointsLieAroundTheirComponentMeanWithTheGivenSpread() {
        double[][] means = {{-3, 1}, {4, -2}};
        double[][] stds = {{0.5, 0.1}, {1.0, 2.0}};
        Synthetic2D.Sample s = new Synthetic2D.Mixture(new double[] {1, 3}, means, stds).sample(100_000, 1);
        double[][] sum = new double[2][2];
        double[][] sq = new double[2][2];
        int[] count = new int[2];
        for (int i = 0; i < s.size(); i++) {
            int k = s.components()[i];
            count[k]++;
            for (int a = 0; a < 2; a++) {
                double v = s.points()[2 * i + a] - means[k][a];
                sum[k][a] += v;
                sq[k][a] += v * v;
            }
        }
        for (int k = 0; k < 2; k++) {
            for (int a = 0; a < 2; a++) {
                assertEquals(0, sum[k][a] / count[k], 5 * stds[k][a] / Math.sqrt(count[k]));
                assertEquals(stds[k][a], Math.sqrt(sq[k][a] / count[k]), 0.02 * stds[k][a]);
            }
        }
        assertEquals(0.75, count[1] / 100_000.0, 0.01);
    }

    @Test
    void sameSeedSamePointsOtherSeedOtherPoints() {
        assertArrayEquals(Synthetic2D.twoMoons(100, 0.1, 3).points(), Synthetic2D.twoMoons(100, 0.1, 3).points());
        assertFalse(java.util.Arrays.equals(Synthetic2D.twoMoons(100, 0.1, 3).points(), Synthetic2D.twoMoons(100, 0.1, 4).points()));
        assertArrayEquals(Synthetic2D.ring8().sample(50, 9).components(), Synthetic2D.ring8().sample(50, 9).components());
    }

    @Test
    void noiselessMoonsAndRingsLieOnTheirCurves() {
        Synthetic2D.Sample m = Synthetic2D.twoMoons(1000, 0, 5);
        for (int i = 0; i < m.size(); i++) {
            double x = m.points()[2 * i], y = m.points()[2 * i + 1];
            double cx = m.components()[i] == 0 ? 0 : 1, cy = m.components()[i] == 0 ? 0 : 0.5;
            assertEquals(1, Math.hypot(x - cx, y - cy), 1e-5);
            assertTrue(m.components()[i] == 0 ? y >= -1e-6 : y <= 0.5 + 1e-6);
        }
        double[] radii = {1, 2.5};
        Synthetic2D.Sample r = Synthetic2D.rings(1000, radii, 0, 5);
        for (int i = 0; i < r.size(); i++) {
            assertEquals(radii[r.components()[i]], Math.hypot(r.points()[2 * i], r.points()[2 * i + 1]), 1e-5);
        }
    }

    @Test
    void checkerboardFillsTheEightDarkSquaresEvenly() {
        Synthetic2D.Sample s = Synthetic2D.checkerboard(80_000, 11);
        for (int i = 0; i < s.size(); i++) {
            double x = s.points()[2 * i], y = s.points()[2 * i + 1];
            assertTrue(x >= -4 && x < 4 && y >= -4 && y < 4);
            long col = (long) Math.floor(x / 2), row = (long) Math.floor(y / 2);
            assertEquals(0, Math.floorMod(col + row, 2), "dark squares have even row+col");
        }
        for (double f : s.componentFrequencies(8)) assertEquals(1.0 / 8, f, 0.006);
    }

    @Test
    void sampleBecomesAnNBy2Tensor() {
        Synthetic2D.Sample s = Synthetic2D.ring8().sample(10, 2);
        try (Tensor t = s.toTensor()) {
            assertArrayEquals(new long[] {10, 2}, t.dims());
            assertArrayEquals(s.points(), t.toFloatArray());
        }
    }
}
