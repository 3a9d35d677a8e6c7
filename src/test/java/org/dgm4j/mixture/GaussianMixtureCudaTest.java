package org.dgm4j.mixture;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.backend.cuda.CudaProbe;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The same EM fit on the CPU and on CUDA (a GPU, or the emulator in {@code mvn test}'s cuda-emu run):
 * same seed, same log-likelihood trace and parameters. Tolerance 1e-9 relative: float64 throughout,
 * the two backends differ only in the order of their reduction trees (about 1e-15 per sum), which
 * EM's few iterations do not amplify beyond that. Small sizes keep the emulator fast.
 */
@Tag("cuda")
class GaussianMixtureCudaTest {
    @Test
    void fitsTheSameOnBothBackends() {
        CudaProbe.Result probe = CudaProbe.probe();
        assumeTrue(probe.available(), () -> "no CUDA device: " + probe.reason());
        Backend gpu = CudaProbe.backend();
        double[] x = GaussianMixtureTest.draw(64, GaussianMixtureTest.SIGMA, 3).x();
        for (GaussianMixture.Covariance type : GaussianMixture.Covariance.values()) {
            double[][] cpu = fit(Backends.cpu(), x, type), dev = fit(gpu, x, type);
            for (int i = 0; i < cpu.length; i++) {
                assertEquals(cpu[i].length, dev[i].length, type + " part " + i);
                for (int j = 0; j < cpu[i].length; j++) assertEquals(cpu[i][j], dev[i][j], 1e-9 * Math.max(1, Math.abs(cpu[i][j])), type + " part " + i + "[" + j + "]");
            }
        }
    }

    /** LL trace, weights, means, covariances, scores, a few samples. */
    private static double[][] fit(Backend be, double[] x, GaussianMixture.Covariance type) {
        Backend saved = Backends.current();
        Backends.use(be);
        try (Scope s = Scope.open(); GaussianMixture gmm = new GaussianMixture(3, 2, type)) {
            Tensor data = Tensor.of(be, x, Shape.of(64, 2));
            GaussianMixture.FitResult r = gmm.kmeansIterations(1).maxIterations(4).tolerance(0).fit(data, new Generator(4));
            return new double[][] {r.logLikelihoods(), gmm.weights().toDoubleArray(), gmm.means().toDoubleArray(), gmm.covariances().toDoubleArray(),
                    gmm.score(data).toDoubleArray(), gmm.sample(5, new Generator(2)).x().toDoubleArray()};
        } finally {
            Backends.use(saved);
        }
    }
}
