package org.dgm4j.gan;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.data.Synthetic2D;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.StepContext;
import org.junit.jupiter.api.Test;

/**
 * One training step of every adversarial model on a fixed seed moves each player's loss the way its
 * update should: the discriminator's loss on the very examples it was updated on goes down, and the
 * generator side's loss, judged by the updated discriminator, is lower for its updated outputs than
 * for its outputs before the update. Each player's update is one Adam step (lr 1e-3), a move small
 * enough for the first-order decrease to dominate; the models are tiny so the test takes a second.
 */
class AdversarialStepTest {
    private static final double LR = 1e-3, BETA1 = 0.5;
    private static final long NOISE_SEED = 5;

    private static StepContext context(org.dgm4j.nn.Module m) {
        return new StepContext(m.namedParameters(), (params, n) -> {});
    }

    private static double value(Tensor t) {
        return t.item();
    }

    @Test
    void ganStepOnPointsWithBothObjectives() {
        for (GeneratorObjective objective : GeneratorObjective.values()) {
            try (Scope s = Scope.open()) {
                Generator init = new Generator(3);
                Gan gan = new Gan(Players.mlpGenerator(4, 16, new long[] {2}, false, DType.F32, init),
                        Players.mlpDiscriminator(2, 16, DType.F32, init), 4, DType.F32, objective);
                try (GanTrainable t = new GanTrainable(gan, LR, BETA1, 1, false, Map.of("model", "gan"))) {
                    Tensor x = Synthetic2D.ring8().sample(64, 1).toTensor();
                    checkGanStep(t, x, objective.configName());
                }
            }
        }
    }

    @Test
    void dcganStepWithBatchNorm() {
        try (Scope s = Scope.open()) {
            Generator init = new Generator(4);
            Gan gan = new Gan(Players.dcganGenerator(8, 4, init), Players.dcganDiscriminator(4, init), 8, DType.F32, GeneratorObjective.NON_SATURATING);
            try (GanTrainable t = new GanTrainable(gan, LR, BETA1, 1, true, Map.of("model", "dcgan"))) {
                Tensor x = new Generator(9).uniform(DType.F32, 8, 1, 28, 28).mul(2).sub(1);
                checkGanStep(t, x, "dcgan");
                assertEquals(List.of(8L, 1L, 28L, 28L), List.of(boxed(t.sample(8, new Generator(1)).dims())));
            }
        }
    }

    /**
     * D's loss on (x, G(z)) before and after the step, G's loss under the updated D for G(z) before and
     * after. Batch norm layers stay in training mode, so every evaluation sees the same batch statistics.
     */
    private static void checkGanStep(GanTrainable t, Tensor x, String what) {
        Gan gan = t.gan();
        Tensor z = gan.noise(x.dim(0), new Generator(NOISE_SEED)); // the step's own first draw
        Tensor fakeBefore;
        double dBefore;
        try (var ng = Autograd.noGrad()) {
            fakeBefore = gan.generate(z);
            dBefore = value(gan.discriminatorTerms(x, fakeBefore).get("loss"));
        }
        LinkedHashMap<String, Double> v = t.trainStep(x, new Generator(NOISE_SEED), context(gan));
        assertEquals(List.of("loss", "g_loss", "d_real", "d_fake"), List.copyOf(v.keySet()));
        assertEquals(dBefore, v.get("loss"), 1e-5, what + ": the reported loss is D's before its update");
        try (var ng = Autograd.noGrad()) {
            double dAfter = value(gan.discriminatorTerms(x, fakeBefore).get("loss"));
            assertTrue(dAfter < dBefore, what + ": D's loss " + dBefore + " -> " + dAfter);
            double gOld = value(gan.generatorLoss(fakeBefore)), gNew = value(gan.generatorLoss(gan.generate(z)));
            assertTrue(gNew < gOld, what + ": G's loss under the new D " + gOld + " -> " + gNew);
        }
    }

    /** With d_steps = 2 the first step updates D only, the second both; the rhythm follows D's optimizer's step count. */
    @Test
    void discriminatorStepsPerGeneratorStep() {
        try (Scope s = Scope.open()) {
            Generator init = new Generator(3);
            Gan gan = new Gan(Players.mlpGenerator(4, 16, new long[] {2}, false, DType.F32, init),
                    Players.mlpDiscriminator(2, 16, DType.F32, init), 4, DType.F32, GeneratorObjective.NON_SATURATING);
            try (GanTrainable t = new GanTrainable(gan, LR, BETA1, 2, false, Map.of())) {
                Tensor x = Synthetic2D.ring8().sample(32, 1).toTensor();
                float[] g0 = gan.generator().parameters().get(0).toFloatArray(), d0 = gan.discriminator().parameters().get(0).toFloatArray();
                t.trainStep(x, new Generator(1), context(gan));
                assertArrayEquals(g0, gan.generator().parameters().get(0).toFloatArray(), "step 1: G unchanged");
                assertFalse(java.util.Arrays.equals(d0, gan.discriminator().parameters().get(0).toFloatArray()), "step 1: D updated");
                t.trainStep(x, new Generator(2), context(gan));
                assertFalse(java.util.Arrays.equals(g0, gan.generator().parameters().get(0).toFloatArray()), "step 2: G updated");
                assertEquals(2, t.optimizers().get("discriminator").steps());
                assertEquals(1, t.optimizers().get("generator").steps());
                assertEquals(List.of("discriminator", "generator"), List.copyOf(t.optimizers().keySet()));
            }
        }
    }

    @Test
    void aaeReconstructionAndRegularizationPhases() {
        try (Scope s = Scope.open()) {
            AdversarialAutoencoder aae = new AdversarialAutoencoder(1, 6, 6, 16, 2, DType.F32, GeneratorObjective.NON_SATURATING, new Generator(6));
            try (AaeTrainable t = new AaeTrainable(aae, LR, BETA1, 1, Map.of("model", "aae"))) {
                Tensor x = new Generator(9).uniform(DType.F32, 16, 1, 6, 6);
                StepContext ctx = context(aae);
                double before = value(aae.reconstructionLoss(x));
                assertEquals(before, t.reconstructionPhase(x, ctx), 1e-4);
                try (var ng = Autograd.noGrad()) {
                    double after = value(aae.reconstructionLoss(x));
                    assertTrue(after < before, "reconstruction " + before + " -> " + after);
                }
                Tensor prior = aae.prior(16, new Generator(NOISE_SEED)), codes;
                double dBefore;
                try (var ng = Autograd.noGrad()) {
                    codes = aae.encode(x);
                    dBefore = value(aae.regularizationTerms(prior, codes).get("loss"));
                }
                LinkedHashMap<String, Double> d = t.regularizationPhase(x, new Generator(NOISE_SEED), ctx);
                assertEquals(dBefore, d.get("loss"), 1e-5);
                try (var ng = Autograd.noGrad()) {
                    double dAfter = value(aae.regularizationTerms(prior, codes).get("loss"));
                    assertTrue(dAfter < dBefore, "D on codes " + dBefore + " -> " + dAfter);
                    double eOld = value(aae.encoderLoss(codes)), eNew = value(aae.encoderLoss(aae.encode(x)));
                    assertTrue(eNew < eOld, "encoder as generator " + eOld + " -> " + eNew);
                }
                LinkedHashMap<String, Double> all = t.trainStep(x, new Generator(1), ctx);
                assertEquals(List.of("loss", "d_loss", "g_loss", "d_real", "d_fake"), List.copyOf(all.keySet()));
                assertEquals(List.of("autoencoder", "discriminator", "encoder"), List.copyOf(t.optimizers().keySet()));
                Tensor r = t.reconstruct(x);
                assertArrayEquals(x.dims(), r.dims());
            }
        }
    }

    @Test
    void aliStepWithStochasticAndDeterministicEncoders() {
        for (boolean stochastic : new boolean[] {true, false}) {
            try (Scope s = Scope.open()) {
                Ali ali = new Ali(new long[] {1, 6, 6}, 16, 3, stochastic, DType.F32, GeneratorObjective.NON_SATURATING, new Generator(7));
                try (AliTrainable t = new AliTrainable(ali, LR, BETA1, 1, Map.of("model", "ali"))) {
                    Tensor x = new Generator(9).uniform(DType.F32, 16, 1, 6, 6).mul(2).sub(1);
                    Generator g = new Generator(NOISE_SEED); // the step draws z, then the encoder's noise
                    Tensor z = ali.noise(16, g), eps = ali.noise(16, g), zHat, xTilde;
                    double dBefore;
                    try (var ng = Autograd.noGrad()) {
                        zHat = ali.encode(x, eps);
                        xTilde = ali.generate(z);
                        dBefore = value(ali.discriminatorTerms(x, zHat, xTilde, z).get("loss"));
                    }
                    LinkedHashMap<String, Double> v = t.trainStep(x, new Generator(NOISE_SEED), context(ali));
                    assertEquals(dBefore, v.get("loss"), 1e-5);
                    assertEquals(List.of("loss", "g_loss", "d_real", "d_fake", "recon_mse"), List.copyOf(v.keySet()));
                    try (var ng = Autograd.noGrad()) {
                        double dAfter = value(ali.discriminatorTerms(x, zHat, xTilde, z).get("loss"));
                        assertTrue(dAfter < dBefore, "stochastic " + stochastic + ": D " + dBefore + " -> " + dAfter);
                        double old = value(ali.pairLoss(x, zHat, xTilde, z)), now = value(ali.pairLoss(x, ali.encode(x, eps), ali.generate(z), z));
                        assertTrue(now < old, "stochastic " + stochastic + ": E and G " + old + " -> " + now);
                    }
                    LinkedHashMap<String, Double> test = t.evaluate(x, new Generator(1));
                    assertEquals(List.of("loss", "g_loss", "d_real", "d_fake", "recon_mse"), List.copyOf(test.keySet()));
                    double[] r = t.reconstruct(x).toDoubleArray();
                    for (double p : r) assertTrue(p >= 0 && p <= 1, "reconstruction pixel " + p);
                }
            }
        }
    }

    private static Long[] boxed(long[] a) {
        Long[] b = new Long[a.length];
        for (int i = 0; i < a.length; i++) b[i] = a[i];
        return b;
    }
}
