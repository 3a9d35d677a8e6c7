package org.dgm4j.vae;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.DoubleBuffer;
import org.dgm4j.autograd.Gradcheck;
import org.dgm4j.backend.Backends;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The ELBO's terms against hand computation, its gradients against central differences, and sampling. */
class BernoulliVaeTest {
    // a tiny float64 model: 2 examples of 1×2×3 images, hidden 3, latent 2
    private static final int B = 2, C = 1, H = 2, W = 3, D = C * H * W, HIDDEN = 3, LATENT = 2;

    private static BernoulliVae tiny() {
        return new BernoulliVae(C, H, W, HIDDEN, LATENT, DType.F64, new Generator(11));
    }

    private static double[] pixels() {
        return new double[] {0.1, 0.9, 0.5, 0.0, 1.0, 0.3, 0.7, 0.2, 0.6, 0.4, 0.8, 1.0};
    }

    private static double[] noise() {
        return new double[] {0.3, -1.2, 0.8, 0.5};
    }

    @Test
    void klMatchesTheClosedFormByHand() {
        double[] mu = {0.5, -1.0, 0.0, 2.0}, logVar = {0.0, 0.4, -2.0, 1.0};
        try (Scope s = Scope.open()) {
            double[] kl = BernoulliVae.klToStandardNormal(Tensor.of(mu, 2, 2), Tensor.of(logVar, 2, 2)).toDoubleArray();
            for (int n = 0; n < 2; n++) {
                double expected = 0;
                for (int j = 0; j < 2; j++) {
                    int i = n * 2 + j;
                    expected += -0.5 * (1 + logVar[i] - mu[i] * mu[i] - Math.exp(logVar[i]));
                }
                assertEquals(expected, kl[n], 1e-12, "example " + n);
            }
            // a posterior equal to the prior costs nothing
            assertEquals(0, BernoulliVae.klToStandardNormal(Tensor.zeros(DType.F64, 1, 3), Tensor.zeros(DType.F64, 1, 3)).item(), 0);
        }
    }

    /** Sum over pixels, mean over examples, nats: recomputed in plain Java from the encoder and decoder outputs. */
    @Test
    void elboTermsFollowTheDocumentedConvention() {
        try (BernoulliVae vae = tiny(); Scope s = Scope.open()) {
            Tensor x = Tensor.of(pixels(), B, C, H, W), eps = Tensor.of(noise(), B, LATENT);
            BernoulliVae.Elbo elbo = vae.elbo(x, eps);
            BernoulliVae.Posterior q = vae.encode(x);
            double[] mu = q.mean().toDoubleArray(), logVar = q.logVar().toDoubleArray(), e = noise(), px = pixels();
            double[] z = new double[B * LATENT];
            for (int i = 0; i < z.length; i++) z[i] = mu[i] + Math.exp(0.5 * logVar[i]) * e[i];
            double[] logits = vae.decode(Tensor.of(z, B, LATENT)).toDoubleArray();
            double recon = 0, kl = 0;
            for (int i = 0; i < B * D; i++) {
                double l = logits[i];
                recon -= px[i] * Math.log(sigmoid(l)) + (1 - px[i]) * Math.log(1 - sigmoid(l));
            }
            for (int i = 0; i < B * LATENT; i++) kl += -0.5 * (1 + logVar[i] - mu[i] * mu[i] - Math.exp(logVar[i]));
            assertEquals(recon / B, elbo.reconstruction().item(), 1e-10);
            assertEquals(kl / B, elbo.kl().item(), 1e-12);
            assertEquals(elbo.reconstruction().item() + elbo.kl().item(), elbo.loss().item(), 1e-12);
            assertEquals(java.util.List.of("loss", "recon", "kl"), java.util.List.copyOf(elbo.terms().keySet()));
        }
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /** d(−ELBO)/dx and d(−ELBO)/dε through encoder, reparameterization and decoder, with fixed noise. */
    @Test
    void elboGradientWithRespectToInputsAndNoise() {
        try (BernoulliVae vae = tiny()) {
            Gradcheck.Result r = Gradcheck.check(Backends.cpu(), in -> vae.elbo(in[0], in[1]).loss(),
                    new double[][] {pixels(), noise()}, new long[][] {{B, C, H, W}, {B, LATENT}});
            assertTrue(r.passed(), r.toString());
        }
    }

    /**
     * d(−ELBO)/dθ for every parameter element against central differences with Gradcheck's step and
     * tolerances (Gradcheck takes its inputs as fresh tensors, so parameters are perturbed in place).
     */
    @Test
    void elboGradientWithRespectToEveryParameter() {
        try (BernoulliVae vae = tiny(); Scope s = Scope.open()) {
            Tensor x = Tensor.of(pixels(), B, C, H, W), eps = Tensor.of(noise(), B, LATENT);
            vae.elbo(x, eps).loss().backward();
            for (var e : vae.namedParameters().entrySet()) {
                DoubleBuffer p = e.getValue().doubleBuffer();
                double[] analytic = e.getValue().grad().toDoubleArray();
                for (int j = 0; j < p.capacity(); j++) {
                    double saved = p.get(j);
                    p.put(j, saved + Gradcheck.EPS);
                    double plus = lossNoGrad(vae, x, eps);
                    p.put(j, saved - Gradcheck.EPS);
                    double minus = lossNoGrad(vae, x, eps);
                    p.put(j, saved);
                    double numeric = (plus - minus) / (2 * Gradcheck.EPS);
                    assertEquals(numeric, analytic[j], Gradcheck.ATOL + Gradcheck.RTOL * Math.abs(numeric), e.getKey() + "[" + j + "]");
                }
            }
        }
    }

    private static double lossNoGrad(BernoulliVae vae, Tensor x, Tensor eps) {
        try (Scope s = Scope.open(); var ng = org.dgm4j.autograd.Autograd.noGrad()) {
            return vae.elbo(x, eps).loss().item();
        }
    }

    @Test
    void samplesAreBernoulliMeansShapedAsImages() {
        try (BernoulliVae vae = new BernoulliVae(16, 4, new Generator(1)); Scope s = Scope.open()) {
            Tensor a = vae.sample(5, new Generator(3));
            assertEquals(Shape.of(5, 1, 28, 28), a.shape());
            for (float v : a.toFloatArray()) assertTrue(v >= 0 && v <= 1, "sample value " + v);
            assertFalse(a.requiresGrad(), "sampling records no graph");
            assertArrayEquals(a.toFloatArray(), vae.sample(5, new Generator(3)).toFloatArray(), "same generator state, same samples");
        }
    }

    @Test
    void stateDictNamesReadLikePytorch() {
        try (BernoulliVae vae = new BernoulliVae(16, 4, new Generator(1))) {
            var keys = vae.stateDict().keySet();
            assertTrue(keys.containsAll(java.util.List.of("encoder.1.weight", "encoder.5.bias", "decoder.0.weight", "decoder.4.bias")), keys.toString());
            assertEquals(Shape.of(8, 16), vae.stateDict().get("encoder.5.weight").shape(), "encoder head outputs mean and log-variance");
            assertEquals(Shape.of(784, 16), vae.stateDict().get("decoder.4.weight").shape());
        }
    }
}
