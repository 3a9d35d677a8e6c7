package org.dgm4j.vae;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.dgm4j.config.Config;
import org.dgm4j.config.ConfigEntry;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.DataSets;
import org.dgm4j.train.RunSchema;
import org.dgm4j.train.Trainable;
import org.junit.jupiter.api.Test;

/** The VAE of real-valued points (x (B, D), Gaussian decoder): its draws, its saved form, and the family on a 2-D set. */
class VaePointsTest {
    /**
     * Draws x = μ + σ·ε from params with μ = 1, log σ² = ln 4 (σ = 2): 20,000 draws have mean 1 and
     * standard deviation 2 within 5 standard errors (0.07 and 0.05); nothing is clamped to [0, 1].
     */
    @Test
    void gaussianDrawsHaveTheDecodersMeanAndVariance() {
        int n = 20_000;
        float[] p = new float[2 * n];
        for (int i = 0; i < n; i++) {
            p[i] = 1f;
            p[n + i] = (float) Math.log(4);
        }
        try (Scope s = Scope.open()) {
            float[] x = Likelihood.gaussianLearned().sample(Tensor.of(p, 1, 2, n), new Generator(5)).toFloatArray();
            double m = 0, v = 0;
            for (float f : x) m += f / (double) n;
            for (float f : x) v += (f - m) * (f - m) / (n - 1);
            assertEquals(1, m, 5 * 2 / Math.sqrt(n));
            assertEquals(2, Math.sqrt(v), 5 * 2 / Math.sqrt(2.0 * n));
            float[] fixed = Likelihood.gaussian(0.5).sample(Tensor.of(new float[] {3f, -3f}, 2, 1, 1), new Generator(6)).toFloatArray();
            assertTrue(Math.abs(fixed[0] - 3) < 3 && Math.abs(fixed[1] + 3) < 3 && fixed[0] > 1, "unclamped: " + fixed[0] + ", " + fixed[1]);
        }
        assertThrows(UnsupportedOperationException.class, () -> Likelihood.bernoulli().sample(Tensor.of(new float[] {0f}, 1, 1, 1), new Generator(1)));
    }

    @Test
    void pointsVaeSamplesPointsAndRebuildsFromItsMetadata() {
        try (Vae vae = Vae.points(2, 16, 2, Likelihood.gaussianLearned(), DType.F32, new Generator(1)); Scope s = Scope.open()) {
            assertTrue(vae.onPoints());
            Tensor x = Tensor.of(new float[] {2f, 0f, 0f, 2f, -2f, 0f}, 3, 2);
            Vae.Elbo e = vae.elbo(x, new Generator(2));
            assertTrue(Double.isFinite(e.loss().item()) && e.kl().item() >= 0);
            Tensor samples = vae.sample(7, new Generator(3));
            assertArrayEquals(new long[] {7, 2}, samples.dims());
            Map<String, String> meta = vae.metadata();
            assertEquals("2", meta.get("points"));
            assertFalse(meta.containsKey("image"));
            try (Vae back = Vae.fromMetadata(meta, new Generator(1))) {
                assertTrue(back.onPoints());
                back.loadStateDict(vae.stateDict());
                assertEquals(e.loss().item(), back.elbo(x, new Generator(2)).loss().item(), 1e-6);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Vae.points(2, 16, 2, Likelihood.bernoulli(), DType.F32, new Generator(1)));
    }

    /** The family builds the points VAE for a 2-D set with model.likelihood=gaussian, trains a step, and refuses the image likelihoods there. */
    @Test
    void familyOnATwoDimensionalSet() {
        VaeFamily f = new VaeFamily();
        Config gaussian = Config.resolve(RunSchema.keys(f, List.of("vae")), List.of(
                new ConfigEntry("data.set", "ring8-minor", "test"), new ConfigEntry("model.likelihood", "gaussian", "test"),
                new ConfigEntry("model.hidden", "16", "test"), new ConfigEntry("model.latent", "2", "test")));
        assertArrayEquals(new long[] {2}, DataSets.exampleShape(gaussian));
        try (Trainable t = f.create(gaussian, new long[] {2}, new Generator(1)); Scope s = Scope.open()) {
            Tensor x = Tensor.of(DataSets.points("ring8-minor", 64, 1), 64, 2);
            var terms = t.evaluate(x, new Generator(2));
            assertEquals(List.of("loss", "recon", "kl"), List.copyOf(terms.keySet()), "no bpd on points");
            assertArrayEquals(new long[] {5, 2}, t.sample(5, new Generator(3)).dims());
        }
        Config bernoulli = Config.resolve(RunSchema.keys(f, List.of("vae")), List.of(new ConfigEntry("data.set", "ring8-minor", "test")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.create(bernoulli, new long[] {2}, new Generator(1)));
        assertTrue(e.getMessage().contains("model.likelihood=gaussian"), e.getMessage());
    }
}
