package org.dgm4j.eval;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.dgm4j.data.Synthetic2D;
import org.dgm4j.train.DataSets;
import org.junit.jupiter.api.Test;

/**
 * The modes experiment's aggregation on runs whose answers are known: points placed by hand on the
 * modes of ring8-minor, so every fraction, count and observation is exact.
 */
class ModesSummaryTest {
    private static final Synthetic2D.Mixture RING = DataSets.mixture("ring8-minor");

    @Test
    void ring8MinorHasOneModeAtATenthOfTheOthers() {
        double[] w = RING.probabilities();
        assertEquals(1.0 / 71, w[0], 1e-15);
        for (int k = 1; k < 8; k++) assertEquals(10.0 / 71, w[k], 1e-15);
        assertEquals(0, ModesSummary.minorMode(w));
        assertEquals(-1, ModesSummary.minorMode(DataSets.mixture("ring8").probabilities()), "no unique minor mode");
        assertEquals(0.05, RING.stddevs()[3][1], 0);
        assertNull(DataSets.mixture("two-moons"));
    }

    /** n points: counts[k] exactly on mode k, then the rest at the origin (off every mode). */
    private static float[] placed(int n, int... counts) {
        float[] p = new float[2 * n];
        int i = 0;
        for (int k = 0; k < counts.length; k++) {
            for (int c = 0; c < counts[k]; c++, i++) {
                p[2 * i] = (float) RING.means()[k][0];
                p[2 * i + 1] = (float) RING.means()[k][1];
            }
        }
        return p; // the remaining points stay at (0, 0)
    }

    private static ModesSummary.Run run(String model, long seed, float[] p, double klDm, double klMd) {
        DensityKl.Estimate e = new DensityKl.Estimate(klDm, klMd, model.equals("flow") ? "exact" : "kde h=0.01 (rule)", model.equals("flow") ? Double.NaN : 0.01);
        return new ModesSummary.Run(model, seed, ModeStatistics.of(RING, p), e, new DensityKl.Estimate(klDm + 1, klMd + 1, "kde h=0.01 (rule)", 0.01), 1.5);
    }

    private static ModesSummary summary() {
        List<ModesSummary.Run> runs = new ArrayList<>();
        // 1,000 samples each. data: the true proportions (10 / 140 per major mode, 1% off).
        runs.add(run(ModesSummary.DATA, 0, placed(1000, 14, 140, 140, 140, 140, 140, 140, 136), 0, 0));
        // gan seed 0 drops the minor mode (2 samples = 0.002 < 0.25 × 1/71 = 0.00352); seed 1 keeps it (4) but drops mode 3 (30 < 35.2)
        runs.add(run("gan", 0, placed(1000, 2, 150, 150, 150, 150, 150, 148, 100), 0.5, 2.0));
        runs.add(run("gan", 1, placed(1000, 4, 160, 160, 30, 160, 160, 160, 166), 1.5, 4.0));
        // flow: every mode, 20% of the samples off-mode
        runs.add(run("flow", 0, placed(1000, 12, 112, 112, 112, 113, 113, 113, 113), 0.2, 3.0));
        runs.add(run("flow", 1, placed(1000, 10, 113, 113, 113, 113, 113, 113, 112), 0.4, 5.0));
        return new ModesSummary(runs);
    }

    @Test
    void countsAndMeansAreExact() {
        ModesSummary s = summary();
        assertEquals(0, s.minor());
        List<ModesSummary.Run> gan = s.of("gan");
        assertEquals(2, gan.size());
        assertTrue(ModesSummary.dropped(gan.get(0), 0));
        assertFalse(ModesSummary.dropped(gan.get(1), 0));
        assertEquals(0, s.majorDropped(gan.get(0)));
        assertEquals(1, s.majorDropped(gan.get(1)));
        assertEquals(7, gan.get(0).modes().captured());
        assertEquals(7, gan.get(1).modes().captured());
        assertEquals(1.0, ModesSummary.mean(gan, r -> r.kl().dataToModel()), 1e-15);
        assertEquals(Math.sqrt(0.5), ModesSummary.sd(gan, r -> r.kl().dataToModel()), 1e-15, "sample sd of 0.5 and 1.5");
        assertEquals(0.2, s.of("flow").get(0).modes().offMode(), 1e-12);
    }

    @Test
    void observationsStateTheCounts() {
        List<String> o = summary().observations();
        String gan = o.stream().filter(l -> l.startsWith("gan ")).findFirst().orElseThrow();
        assertTrue(gan.contains("captured all 8 modes in 0/2 seeds (mean 7.0)"), gan);
        assertTrue(gan.contains("dropped the minor mode in 1/2 seeds (mean fraction 0.0030 against the true weight 0.0141)"), gan);
        assertTrue(gan.contains("at least one major mode in 1/2 seeds (0.5 major modes dropped on average)"), gan);
        String flow = o.stream().filter(l -> l.startsWith("flow ")).findFirst().orElseThrow();
        assertTrue(flow.contains("captured all 8 modes in 2/2 seeds (mean 8.0)"), flow);
        assertTrue(flow.contains("20.0% of its samples fell off every mode (20.0× the data's own 1.0%)"), flow);
        assertTrue(o.contains("Mean KL(data‖model), lowest first: flow 0.300, gan 1.00."), o.toString());
        assertTrue(o.contains("Mean KL(model‖data), lowest first: gan 3.00, flow 4.00."), o.toString());
        assertTrue(o.stream().anyMatch(l -> l.startsWith("The KLs of gan use a KDE") && l.contains("for flow the KDE gives 1.30 / 5.00 where the exact density gives 0.300 / 4.00")), o.toString());
        assertFalse(o.stream().anyMatch(l -> l.startsWith("data ")), "the data row is the reference, not a model");
    }

    @Test
    void tablesAndCsv() {
        ModesSummary s = summary();
        String md = s.markdown();
        assertTrue(md.contains("| gan | 2 | 7.0 ± 0.0 of 8 | 1/2 | 0.0030 ± 0.0014 |"), md);
        assertTrue(md.contains("| 0 (minor) | 0.0141 | 0.0140 | 0.0030 ± 0.0014 | 0.0110 ± 0.0014 |"), md);
        assertTrue(md.contains("| off-mode | – | 0.0100 | 0.0000 ± 0.0000 | 0.2000 ± 0.0000 |"), md);
        assertTrue(md.contains("\nObserved:\n"), md);
        String[] lines = s.csv().split("\n");
        assertEquals(6, lines.length, "header + 5 runs");
        assertTrue(lines[0].startsWith("seed,model,captured,modes,off_mode,kl_data_model,kl_model_data,kl_method,") && lines[0].endsWith(",fraction_7,seconds"), lines[0]);
        assertTrue(lines[2].startsWith("0,gan,7,8,0.0,0.5,2.0,\"kde h=0.01 (rule)\",1.5,3.0,"), lines[2]);
        assertEquals(11 + 8 + 1, lines[2].split(",", -1).length, lines[2]);
    }
}
