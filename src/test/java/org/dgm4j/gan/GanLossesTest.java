package org.dgm4j.gan;

import static org.junit.jupiter.api.Assertions.*;

import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The adversarial losses against values computed by hand, their gradients against the formulas, and
 * their behaviour at logits where the naive log(sigmoid) form overflows. Float64 throughout; the
 * tolerance 1e-12 is rounding of a few elementwise float64 ops and a two-term mean.
 */
class GanLossesTest {
    private static final double TOL = 1e-12;
    // softplus(0) = ln 2 = 0.693147, softplus(-2) = 0.126928, softplus(-1) = 0.313262, softplus(3) = 3.048587
    private static final double[] REAL = {0, 2}, FAKE = {-1, 3};

    @Test
    void discriminatorLossByHand() {
        try (Scope s = Scope.open()) {
            // mean softplus(-l_real) + mean softplus(l_fake) = (0.693147 + 0.126928)/2 + (0.313262 + 3.048587)/2
            assertEquals(2.0909621153474416, GanLosses.discriminator(Tensor.of(REAL, 2), Tensor.of(FAKE, 2)).item(), TOL);
            // D undecided (every logit 0): 2 ln 2, the value at the game's equilibrium
            assertEquals(2 * Math.log(2), GanLosses.discriminator(Tensor.of(new double[] {0, 0, 0}, 3), Tensor.of(new double[] {0}, 1)).item(), TOL);
        }
    }

    @Test
    void generatorLossesByHand() {
        try (Scope s = Scope.open()) {
            Tensor fake = Tensor.of(FAKE, 2);
            // minimax: E log(1 - sigma(l)) = -(softplus(-1) + softplus(3))/2 = -(0.313262 + 3.048587)/2
            assertEquals(-1.6809245195459825, GanLosses.minimax(fake).item(), TOL);
            assertEquals(-1.6809245195459825, GeneratorObjective.MINIMAX.loss(fake).item(), TOL);
            // non-saturating: -E log sigma(l) = (softplus(1) + softplus(-3))/2 = (1.313262 + 0.048587)/2
            assertEquals(0.6809245195459824, GanLosses.nonSaturating(fake).item(), TOL);
            assertEquals(0.6809245195459824, GeneratorObjective.NON_SATURATING.loss(fake).item(), TOL);
            // mean sigma: (0.268941 + 0.952574)/2
            assertEquals((1 / (1 + Math.exp(1)) + 1 / (1 + Math.exp(-3))) / 2, GanLosses.meanProbability(fake).item(), TOL);
        }
    }

    @Test
    void pairLossesOfAliAreTheNegatedOrLabelSwappedDiscriminatorLoss() {
        try (Scope s = Scope.open()) {
            Tensor real = Tensor.of(REAL, 2), fake = Tensor.of(FAKE, 2);
            assertEquals(-2.0909621153474416, GeneratorObjective.MINIMAX.pairLoss(real, fake).item(), TOL);
            // swapped labels: mean softplus(l_real) + mean softplus(-l_fake) = (0.693147 + 2.126928)/2 + (1.313262 + 0.048587)/2
            double byHand = (Math.log(2) + Math.log1p(Math.exp(2))) / 2 + (Math.log1p(Math.exp(1)) + Math.log1p(Math.exp(-3))) / 2;
            assertEquals(byHand, GeneratorObjective.NON_SATURATING.pairLoss(real, fake).item(), TOL);
        }
    }

    /** The point of the softplus form: log(sigmoid(-100)) in float32 is log(0) = -inf; these stay finite and exact. */
    @Test
    void confidentDiscriminatorGivesFiniteLossesInFloat32() {
        try (Scope s = Scope.open()) {
            Tensor real = Tensor.of(new float[] {-100f}, 1), fake = Tensor.of(new float[] {100f}, 1);
            assertEquals(200, GanLosses.discriminator(real, fake).item(), 1e-4);
            assertEquals(-100, GanLosses.minimax(fake).item(), 1e-4);
            assertEquals(100, GanLosses.nonSaturating(real).item(), 1e-4);
            Tensor l = Tensor.of(new float[] {-100f, 100f}, 2).requiresGrad(true);
            GanLosses.nonSaturating(l).backward();
            float[] g = l.grad().toFloatArray();
            assertEquals(-0.5, g[0], 1e-6, "rejected fakes get the full gradient -(1 - sigma)/B");
            assertEquals(0, g[1], 1e-6);
        }
    }

    /** d/dl of mean softplus(-l) is -(1 - sigma(l))/B, strongest where D rejects the fakes; minimax's -sigma(l)/B vanishes there. */
    @Test
    void nonSaturatingGradientMatchesItsFormula() {
        double[] logits = {-8, -2.5, -0.3, 0, 0.7, 4, 12};
        int b = logits.length;
        try (Scope s = Scope.open()) {
            Tensor l = Tensor.of(logits, b).requiresGrad(true);
            GanLosses.nonSaturating(l).backward();
            double[] g = l.grad().toDoubleArray();
            for (int i = 0; i < b; i++) assertEquals(-(1 - sigmoid(logits[i])) / b, g[i], TOL, "logit " + logits[i]);

            Tensor m = Tensor.of(logits, b).requiresGrad(true);
            GanLosses.minimax(m).backward();
            double[] gm = m.grad().toDoubleArray();
            for (int i = 0; i < b; i++) assertEquals(-sigmoid(logits[i]) / b, gm[i], TOL, "logit " + logits[i]);
            // early in training (l = -8) the non-saturating gradient is ~3000 times the minimax one
            assertTrue(Math.abs(g[0]) > 1000 * Math.abs(gm[0]));
        }
    }

    @Test
    void discriminatorGradientMatchesItsFormula() {
        try (Scope s = Scope.open()) {
            Tensor r = Tensor.of(REAL, 2).requiresGrad(true), f = Tensor.of(FAKE, 2).requiresGrad(true);
            GanLosses.discriminator(r, f).backward();
            double[] gr = r.grad().toDoubleArray(), gf = f.grad().toDoubleArray();
            for (int i = 0; i < 2; i++) {
                assertEquals(-(1 - sigmoid(REAL[i])) / 2, gr[i], TOL);
                assertEquals(sigmoid(FAKE[i]) / 2, gf[i], TOL);
            }
        }
    }

    @Test
    void objectivesByConfigName() {
        assertEquals(GeneratorObjective.MINIMAX, GeneratorObjective.fromConfig("minimax"));
        assertEquals(GeneratorObjective.NON_SATURATING, GeneratorObjective.fromConfig("non-saturating"));
        assertThrows(IllegalArgumentException.class, () -> GeneratorObjective.fromConfig("wasserstein"));
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
