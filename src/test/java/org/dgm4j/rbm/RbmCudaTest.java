package org.dgm4j.rbm;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
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
 * RBM learning, AIS, exact log Z and DBN sampling on the CPU and on CUDA (a GPU, or the emulator in
 * {@code mvn test}'s cuda-emu run) from the same seeds. Philox gives both backends the same uniforms,
 * so in float64 the Bernoulli draws agree (a probability would have to fall within ~1e-15 of its
 * uniform to flip one) and results agree to 1e-9 relative (reduction order differs, ~1e-15 per sum).
 */
@Tag("cuda")
class RbmCudaTest {
    @Test
    void learningAndEstimatesAreTheSameOnBothBackends() {
        CudaProbe.Result probe = CudaProbe.probe();
        assumeTrue(probe.available(), () -> "no CUDA device: " + probe.reason());
        List<double[]> cpu = run(Backends.cpu()), dev = run(CudaProbe.backend());
        assertEquals(cpu.size(), dev.size());
        for (int i = 0; i < cpu.size(); i++) {
            assertEquals(cpu.get(i).length, dev.get(i).length, "part " + i);
            for (int j = 0; j < cpu.get(i).length; j++) {
                assertEquals(cpu.get(i)[j], dev.get(i)[j], 1e-9 * Math.max(1, Math.abs(cpu.get(i)[j])), "part " + i + "[" + j + "]");
            }
        }
    }

    private static List<double[]> run(Backend be) {
        Backend saved = Backends.current();
        Backends.use(be);
        List<double[]> out = new ArrayList<>();
        try (Scope s = Scope.open(); BinaryRbm rbm = RbmFixtures.random(6, 4, 1.0, 0.5, 5)) {
            Tensor v = Tensor.of(be, RbmFixtures.exactSamples(rbm, 8, 1), Shape.of(8, 6));
            for (ContrastiveDivergence.Options o : List.of(ContrastiveDivergence.Options.cd(2, 0.1).withMomentum(0.5).withWeightDecay(0.01),
                    ContrastiveDivergence.Options.pcd(1, 5, 0.1))) {
                Generator g = new Generator(7);
                try (ContrastiveDivergence cd = new ContrastiveDivergence(rbm, o, g)) {
                    for (int i = 0; i < 3; i++) out.add(new double[] {cd.step(v, g).reconstruction().item()});
                    if (cd.chains() != null) out.add(cd.chains().toDoubleArray());
                }
            }
            out.add(rbm.weight().toDoubleArray());
            out.add(rbm.visibleBias().toDoubleArray());
            out.add(rbm.hiddenBias().toDoubleArray());
            out.add(new double[] {ExactPartition.logZ(rbm)});
            AnnealedImportanceSampling.Estimate e = AnnealedImportanceSampling.logPartition(rbm, Tensor.zeros(be, org.dgm4j.tensor.DType.F64, Shape.of(6)), 4,
                    AnnealedImportanceSampling.linearBetas(20), new Generator(3));
            out.add(e.logWeights());
            try (DeepBeliefNet dbn = new DeepBeliefNet(new int[] {6, 3, 2}, org.dgm4j.tensor.DType.F64, 0.1, new Generator(2))) {
                out.add(dbn.trainGreedy(v, 1, 4, ContrastiveDivergence.Options.cd(1, 0.1), new Generator(4))[1]);
                out.add(dbn.sample(3, 2, new Generator(5)).toDoubleArray());
            }
        } finally {
            Backends.use(saved);
        }
        return out;
    }
}
