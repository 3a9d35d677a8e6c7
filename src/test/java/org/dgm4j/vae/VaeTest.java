package org.dgm4j.vae;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.DoubleBuffer;
import java.util.List;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Gradcheck;
import org.dgm4j.backend.Backends;
import org.dgm4j.distributions.DiscretizedLogistic;
import org.dgm4j.distributions.Normal;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The ELBO's terms against hand computation, its gradients against central differences for every
 * decoder likelihood and both architectures (fixed noise), and sampling.
 */
class VaeTest {
    // a tiny float64 model: 2 examples of 1×2×3 images, hidden 3, latent 2
    private static final int B = 2, C = 1, H = 2, W = 3, D = C * H * W, HIDDEN = 3, LATENT = 2;

    private static Vae tiny(Likelihood l) {
        return new Vae(C, H, W, HIDDEN, LATENT, Vae.Architecture.MLP, l, DType.F64, new Generator(11));
    }

    /** Pixels in [0, 1] (Bernoulli targets may be soft; Gaussian data are dequantized pixels). */
    private static double[] pixels() {
        return new double[] {0.1, 0.9, 0.5, 0.0, 1.0, 0.3, 0.7, 0.2, 0.6, 0.4, 0.8, 1.0};
    }

    /** Pixels on the 8-bit grid in [−1, 1], both edge bins included. */
    private static double[] logisticPixels() {
        int[] k = {0, 255, 128, 1, 254, 77, 30, 200, 0, 255, 13, 99};
        double[] v = new double[k.length];
        for (int i = 0; i < k.length; i++) v[i] = DiscretizedLogistic.center(k[i], 256);
        return v;
    }

    private static double[] noise() {
        return new double[] {0.3, -1.2, 0.8, 0.5};
    }

    private static List<Likelihood> likelihoods() {
        return List.of(Likelihood.bernoulli(), Likelihood.gaussian(0.3), Likelihood.gaussianLearned(), Likelihood.discretizedLogistic());
    }

    private static double[] dataFor(Likelihood l) {
        return l.name().equals("logistic") ? logisticPixels() : pixels();
    }

    @Test
    void klMatchesTheClosedFormByHand() {
        double[] mu = {0.5, -1.0, 0.0, 2.0}, logVar = {0.0, 0.4, -2.0, 1.0};
        try (Scope s = Scope.open()) {
            double[] kl = Normal.klToStandardNormal(Tensor.of(mu, 2, 2), Tensor.of(logVar, 2, 2)).toDoubleArray();
            for (int n = 0; n < 2; n++) {
                double expected = 0;
                for (int j = 0; j < 2; j++) {
                    int i = n * 2 + j;
                    expected += -0.5 * (1 + logVar[i] - mu[i] * mu[i] - Math.exp(logVar[i]));
                }
                assertEquals(expected, kl[n], 1e-12, "example " + n);
            }
            // a posterior equal to the prior costs nothing
            assertEquals(0, Normal.klToStandardNormal(Tensor.zeros(DType.F64, 1, 3), Tensor.zeros(DType.F64, 1, 3)).item(), 0);
        }
    }

    /** Sum over pixels, mean over examples, nats: recomputed in plain Java from the encoder and decoder outputs. */
    @Test
    void elboTermsFollowTheDocumentedConvention() {
        try (Vae vae = tiny(Likelihood.bernoulli()); Scope s = Scope.open()) {
            Tensor x = Tensor.of(pixels(), B, C, H, W), eps = Tensor.of(noise(), B, LATENT);
            Vae.Elbo elbo = vae.elbo(x, eps);
            Vae.Posterior q = vae.encode(x);
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
            assertEquals(List.of("loss", "recon", "kl"), List.copyOf(elbo.terms().keySet()));
            // β weights the KL only
            Vae.Elbo weighted = vae.elbo(x, eps, 0.25);
            assertEquals(elbo.reconstruction().item() + 0.25 * elbo.kl().item(), weighted.loss().item(), 1e-12);
            assertEquals(elbo.loss().item(), weighted.negativeElbo().item(), 1e-12);
        }
    }

    /** The Gaussian reconstruction by hand: fixed σ, and learned log σ² from the decoder's second plane. */
    @Test
    void gaussianReconstructionByHand() {
        for (Likelihood l : List.of(Likelihood.gaussian(0.3), Likelihood.gaussianLearned())) {
            try (Vae vae = tiny(l); Scope s = Scope.open()) {
                Tensor x = Tensor.of(pixels(), B, C, H, W), eps = Tensor.of(noise(), B, LATENT);
                Vae.Posterior q = vae.encode(x);
                double[] mu = q.mean().toDoubleArray(), logVar = q.logVar().toDoubleArray(), e = noise(), px = pixels();
                double[] z = new double[B * LATENT];
                for (int i = 0; i < z.length; i++) z[i] = mu[i] + Math.exp(0.5 * logVar[i]) * e[i];
                double[] p = vae.decode(Tensor.of(z, B, LATENT)).toDoubleArray();
                int planes = l.paramsPerPixel();
                double recon = 0;
                for (int n = 0; n < B; n++) {
                    for (int j = 0; j < D; j++) {
                        double m = p[(n * planes) * D + j];
                        double lv = planes == 2 ? p[(n * planes + 1) * D + j] : Math.log(0.09);
                        double r = px[n * D + j] - m;
                        recon += 0.5 * (Math.log(2 * Math.PI) + lv + r * r / Math.exp(lv));
                    }
                }
                assertEquals(recon / B, vae.elbo(x, eps).reconstruction().item(), 1e-10, l.toString());
            }
        }
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    /** d(−ELBO)/dx and d(−ELBO)/dε through encoder, reparameterization, decoder and likelihood, with fixed noise. */
    @Test
    void elboGradientWithRespectToInputsAndNoiseForEveryLikelihood() {
        for (Likelihood l : likelihoods()) {
            try (Vae vae = tiny(l)) {
                Gradcheck.Result r = Gradcheck.check(Backends.cpu(), in -> vae.elbo(in[0], in[1]).loss(),
                        new double[][] {dataFor(l), noise()}, new long[][] {{B, C, H, W}, {B, LATENT}});
                assertTrue(r.passed(), l.name() + " " + l.paramsPerPixel() + ": " + r);
            }
        }
    }

    /**
     * d(−ELBO)/dθ for every parameter element against central differences with Gradcheck's step and
     * tolerances, for each likelihood (Gradcheck takes its inputs as fresh tensors, so parameters
     * are perturbed in place).
     */
    @Test
    void elboGradientWithRespectToEveryParameterForEveryLikelihood() {
        for (Likelihood l : likelihoods()) {
            try (Vae vae = tiny(l); Scope s = Scope.open()) {
                Tensor x = Tensor.of(dataFor(l), B, C, H, W), eps = Tensor.of(noise(), B, LATENT);
                checkParameters(vae, () -> vae.elbo(x, eps).loss(), Integer.MAX_VALUE, l.name() + "/" + l.paramsPerPixel());
            }
        }
    }

    /**
     * The convolutional VAE on 1×4×4 images (logistic likelihood, two parameter planes through the
     * transposed convolutions): inputs and noise fully, parameters at up to 6 elements per tensor
     * (the 32·64·4·4 convolution weights are too many to perturb one by one).
     */
    @Test
    void convolutionalElboGradient() {
        int h = 4, w = 4, b = 2;
        double[] px = new double[b * h * w];
        for (int i = 0; i < px.length; i++) px[i] = DiscretizedLogistic.center((i * 37) % 256, 256);
        try (Vae vae = new Vae(1, h, w, 5, LATENT, Vae.Architecture.CONV, Likelihood.discretizedLogistic(), DType.F64, new Generator(5));
             Scope s = Scope.open()) {
            Gradcheck.Result r = Gradcheck.check(Backends.cpu(), in -> vae.elbo(in[0], in[1]).loss(),
                    new double[][] {px, noise()}, new long[][] {{b, 1, h, w}, {b, LATENT}});
            assertTrue(r.passed(), r.toString());
            Tensor x = Tensor.of(px, b, 1, h, w), eps = Tensor.of(noise(), b, LATENT);
            checkParameters(vae, () -> vae.elbo(x, eps).loss(), 6, "conv");
        }
    }

    /** The IWAE bound's reparameterized gradient, K = 3 samples per example. */
    @Test
    void iwaeGradientWithRespectToInputsAndNoise() {
        double[] eps3 = {0.3, -1.2, 0.8, 0.5, -0.1, 0.9, 1.4, -0.6, 0.2, 0.0, -1.7, 0.4};
        try (Vae vae = tiny(Likelihood.bernoulli())) {
            Gradcheck.Result r = Gradcheck.check(Backends.cpu(), in -> vae.iwae(in[0], in[1]).loss(),
                    new double[][] {pixels(), eps3}, new long[][] {{B, C, H, W}, {3, B, LATENT}});
            assertTrue(r.passed(), r.toString());
        }
    }

    /** Checks up to {@code perTensor} elements of every parameter (spread over the tensor) against central differences. */
    private static void checkParameters(Vae vae, java.util.function.Supplier<Tensor> loss, int perTensor, String what) {
        vae.zeroGrad();
        loss.get().backward();
        for (var e : vae.namedParameters().entrySet()) {
            DoubleBuffer p = e.getValue().doubleBuffer();
            double[] analytic = e.getValue().grad().toDoubleArray();
            int n = p.capacity(), step = Math.max(1, n / Math.min(n, perTensor));
            for (int j = 0; j < n; j += step) {
                double saved = p.get(j);
                p.put(j, saved + Gradcheck.EPS);
                double plus = noGrad(loss);
                p.put(j, saved - Gradcheck.EPS);
                double minus = noGrad(loss);
                p.put(j, saved);
                double numeric = (plus - minus) / (2 * Gradcheck.EPS);
                assertEquals(numeric, analytic[j], Gradcheck.ATOL + Gradcheck.RTOL * Math.abs(numeric), what + " " + e.getKey() + "[" + j + "]");
            }
        }
    }

    private static double noGrad(java.util.function.Supplier<Tensor> f) {
        try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
            return f.get().item();
        }
    }

    /** With one sample, log w = log p(x|z) − KL's Monte Carlo integrand; its mean over many ε approaches −ELBO's closed form. */
    @Test
    void logWeightsAreTheElboIntegrand() {
        try (Vae vae = tiny(Likelihood.bernoulli()); Scope s = Scope.open(); var ng = Autograd.noGrad()) {
            Tensor x = Tensor.of(pixels(), B, C, H, W), eps = Tensor.of(noise(), B, LATENT);
            Vae.Elbo e = vae.elbo(x, eps);
            Vae.Posterior q = vae.encode(x);
            double[] lw = vae.logWeights(x, eps.reshape(1, B, LATENT)).toDoubleArray();
            // log p(z) − log q(z|x) at this z, by hand
            double[] mu = q.mean().toDoubleArray(), lv = q.logVar().toDoubleArray(), ep = noise();
            double ratio = 0;
            for (int i = 0; i < B * LATENT; i++) {
                double z = mu[i] + Math.exp(0.5 * lv[i]) * ep[i];
                ratio += -0.5 * z * z + 0.5 * ep[i] * ep[i] + 0.5 * lv[i];
            }
            assertEquals(-e.reconstruction().item() * B + ratio, lw[0] + lw[1], 1e-10);
        }
    }

    @Test
    void samplesAreMeansShapedAsImagesForEveryLikelihood() {
        for (Likelihood l : likelihoods()) {
            try (Vae vae = new Vae(1, 28, 28, 16, 4, Vae.Architecture.MLP, l, DType.F32, new Generator(1)); Scope s = Scope.open()) {
                Tensor a = vae.sample(5, new Generator(3));
                assertEquals(Shape.of(5, 1, 28, 28), a.shape());
                for (float v : a.toFloatArray()) assertTrue(v >= 0 && v <= 1, l.name() + " sample value " + v);
                assertFalse(a.requiresGrad(), "sampling records no graph");
                assertArrayEquals(a.toFloatArray(), vae.sample(5, new Generator(3)).toFloatArray(), "same generator state, same samples");
            }
        }
    }

    @Test
    void convolutionalShapes() {
        try (Vae vae = new Vae(1, 28, 28, 32, 4, Vae.Architecture.CONV, Likelihood.gaussianLearned(), DType.F32, new Generator(1));
             Scope s = Scope.open()) {
            Tensor x = new Generator(2).uniform(DType.F32, 3, 1, 28, 28);
            assertEquals(Shape.of(3, 4), vae.encode(x).mean().shape());
            assertEquals(Shape.of(3, 2, 784), vae.decode(Tensor.zeros(DType.F32, 3, 4)).shape());
            assertTrue(Double.isFinite(vae.elbo(x, new Generator(3)).loss().item()));
        }
    }

    @Test
    void stateDictNamesReadLikePytorch() {
        try (Vae vae = Vae.bernoulliMlp(16, 4, new Generator(1))) {
            var keys = vae.stateDict().keySet();
            assertTrue(keys.containsAll(List.of("encoder.1.weight", "encoder.5.bias", "decoder.0.weight", "decoder.4.bias")), keys.toString());
            assertEquals(Shape.of(8, 16), vae.stateDict().get("encoder.5.weight").shape(), "encoder head outputs mean and log-variance");
            assertEquals(Shape.of(784, 16), vae.stateDict().get("decoder.4.weight").shape());
        }
        try (Vae vae = new Vae(1, 28, 28, 16, 4, Vae.Architecture.MLP, Likelihood.discretizedLogistic(), DType.F32, new Generator(1))) {
            assertEquals(Shape.of(2 * 784, 16), vae.stateDict().get("decoder.4.weight").shape(), "two planes: location and log-scale");
        }
    }

    /** A saved model's metadata rebuilds the same architecture (same state-dict keys and shapes). */
    @Test
    void metadataRebuildsTheModel() {
        for (Vae.Architecture a : Vae.Architecture.values()) {
            for (Likelihood l : likelihoods()) {
                try (Vae vae = new Vae(1, 28, 28, 16, 4, a, l, DType.F32, new Generator(1));
                     Vae again = Vae.fromMetadata(vae.metadata(), new Generator(2))) {
                    assertEquals(vae.metadata(), again.metadata());
                    vae.stateDict().forEach((k, t) -> assertEquals(t.shape(), again.stateDict().get(k).shape(), k));
                    assertEquals(vae.stateDict().keySet(), again.stateDict().keySet());
                }
            }
        }
    }
}
