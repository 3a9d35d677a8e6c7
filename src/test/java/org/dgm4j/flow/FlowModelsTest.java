package org.dgm4j.flow;

import static org.dgm4j.flow.FlowTesting.assertClose;
import static org.dgm4j.flow.FlowTesting.normal;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Backends;
import org.dgm4j.data.ImageSet;
import org.dgm4j.io.Safetensors;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models as densities: the objective's bits/dim with padding, sampling, reconstruction, interpolation, checkpoints. */
class FlowModelsTest {
    /** A tiny 28×28 image set with a black border, like Fashion-MNIST's. */
    static ImageSet images(int count, long seed) {
        java.util.Random r = new java.util.Random(seed);
        byte[] px = new byte[count * 28 * 28];
        for (int n = 0; n < count; n++) for (int i = 4; i < 24; i++) for (int j = 6; j < 22; j++) px[(n * 28 + i) * 28 + j] = (byte) (100 + r.nextInt(120));
        return new ImageSet(px, new int[count], count, 1, 28, 28, 10);
    }

    static Glow tinyGlow(DType dt, long seed) {
        return new Glow(Shape.of(1, 32, 32), 3, 1, 4, true, true, dt, new Generator(seed));
    }

    @Test
    void objectivePadsWithDequantizedZerosAndReportsBitsPerDim() {
        try (Scope s = Scope.open(); Glow glow = tinyGlow(DType.F64, 1)) {
            FlowObjective obj = FlowObjective.fashionMnist(glow);
            assertEquals(784, obj.dataDims());
            assertEquals(1024, obj.modelDims());
            ImageSet set = images(4, 2);
            obj.initialize(set, 4, new Generator(3));
            Tensor x = obj.input().load(set, new int[] {0, 1, 2, 3}, new Generator(4));
            assertEquals(Shape.of(4, 1, 28, 28), x.shape());
            assertEquals(DType.F64, x.dtype(), "the input has the model's dtype");
            for (double v : x.toDoubleArray()) assertTrue(v >= -0.5 && v < 0.5, "Glow's y in [−½, ½): " + v);

            Tensor padded = obj.pad(x, new Generator(5));
            assertEquals(Shape.of(4, 1, 32, 32), padded.shape());
            double[] p = padded.toDoubleArray(), xs = x.toDoubleArray();
            for (int n = 0; n < 4; n++) for (int i = 0; i < 32; i++) for (int j = 0; j < 32; j++) {
                double v = p[(n * 32 + i) * 32 + j];
                boolean inside = i >= 2 && i < 30 && j >= 2 && j < 30;
                if (inside) assertEquals(xs[(n * 28 + i - 2) * 28 + j - 2], v, 0, "the image, centred");
                else assertTrue(v >= -0.5 && v < -0.5 + 1.0 / 256, "padding is pixel 0 dequantized: " + v);
            }

            LinkedHashMap<String, Tensor> t = obj.terms(x, new Generator(5));
            assertEquals(java.util.List.of("loss", "nll", "logdet", "prior"), java.util.List.copyOf(t.keySet()));
            double logp = glow.logProb(padded).toDoubleArray()[0] / 4 + glow.logProb(padded).toDoubleArray()[1] / 4
                    + glow.logProb(padded).toDoubleArray()[2] / 4 + glow.logProb(padded).toDoubleArray()[3] / 4;
            double ln2 = Math.log(2);
            assertEquals((-logp + 1024 * 8 * ln2) / (784 * ln2), t.get("loss").item(), 1e-9, "bits/dim = (−ln p + D_model·8·ln 2)/(D_data·ln 2)");
            assertEquals(-logp + 1024 * 8 * ln2, t.get("nll").item(), 1e-7);
            assertEquals(t.get("nll").item(), -t.get("prior").item() - t.get("logdet").item() + 1024 * 8 * ln2, 1e-7);
            assertEquals(t.get("loss").item(), obj.bitsPerDim(set, 3, new Generator(4)), 0.05, "the set average uses other noise, same ballpark");
        }
    }

    @Test
    void samplingReconstructionAndInterpolation() {
        try (Scope s = Scope.open(); Glow glow = tinyGlow(DType.F32, 1)) {
            FlowObjective obj = FlowObjective.fashionMnist(glow);
            ImageSet set = images(8, 2);
            obj.initialize(set, 8, new Generator(3));
            FlowTesting.perturb(glow, 0.02, 5);
            Tensor x = obj.pad(obj.input().load(set, new int[] {0, 1}, new Generator(4)), new Generator(6));

            Tensor a = glow.sample(3, 0.7, new Generator(9));
            assertEquals(Shape.of(3, 1, 32, 32), a.shape());
            assertFalse(a.requiresGrad());
            assertArrayEquals(a.toFloatArray(), glow.sample(3, 0.7, new Generator(9)).toFloatArray(), "same generator, same samples");
            float[] cold = glow.sample(2, 0, new Generator(1)).toFloatArray();
            for (int i = 0; i < cold.length / 2; i++) assertEquals(cold[i], cold[cold.length / 2 + i], 0, "T = 0: every sample is the mode");

            assertClose(x.toDoubleArray(), glow.reconstruct(x).toDoubleArray(), 1e-4, "reconstruction");
            Tensor path = glow.interpolate(x.narrowBatch(0, 1), x.narrowBatch(1, 2), 5);
            assertEquals(Shape.of(5, 1, 32, 32), path.shape());
            assertClose(x.narrowBatch(0, 1).toDoubleArray(), path.narrowBatch(0, 1).toDoubleArray(), 1e-4, "starts at a");
            assertClose(x.narrowBatch(1, 2).toDoubleArray(), path.narrowBatch(4, 5).toDoubleArray(), 1e-4, "ends at b");

            Tensor pics = obj.sample(4, new Generator(2));
            assertEquals(Shape.of(4, 1, 28, 28), pics.shape(), "cropped to the data size");
            for (float v : pics.toFloatArray()) assertTrue(v >= 0 && v <= 1);
        }
    }

    @Test
    void checkpointsCarryTheActNormFlags(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("glow.safetensors");
        try (Scope s = Scope.open(); Glow glow = tinyGlow(DType.F32, 1)) {
            FlowObjective obj = FlowObjective.fashionMnist(glow);
            ImageSet set = images(8, 2);
            obj.initialize(set, 8, new Generator(3));
            Safetensors.write(file, glow.stateDict(), obj.metadata());
            Tensor x = obj.pad(obj.input().load(set, new int[] {0, 1}, new Generator(4)), new Generator(6));
            Safetensors.Contents saved = Safetensors.read(file, Backends.cpu());
            Map<String, String> meta = saved.metadata();
            assertEquals("glow", meta.get("model"));
            assertEquals("3", meta.get("levels"));
            assertEquals("1x28x28", meta.get("data_shape"));
            long flags = saved.tensors().keySet().stream().filter(k -> k.endsWith(".initialized")).count();
            assertEquals(3, flags, "one ActNorm per step, K = 1 at each of 3 levels");
            try (Glow fresh = new Glow(Shape.of(1, 32, 32), Integer.parseInt(meta.get("levels")), Integer.parseInt(meta.get("steps")),
                    Long.parseLong(meta.get("hidden")), Boolean.parseBoolean(meta.get("learn_top")), Boolean.parseBoolean(meta.get("lu")), DType.F32, new Generator(77))) {
                fresh.loadStateDict(saved.tensors());
                Tensor before = glow.forward(x).value();
                assertArrayEquals(before.toFloatArray(), fresh.forward(x).value().toFloatArray(), "no initialization needed after loading");
                fresh.initialize(normal(DType.F32, 8, 3, 4, 1, 32, 32)); // a no-op: the flags are set
                assertArrayEquals(before.toFloatArray(), fresh.forward(x).value().toFloatArray(), "init happened once, in the saved model");
            } finally {
                saved.tensors().values().forEach(Tensor::close);
            }
        }
    }

    /** NICE and RealNVP see the 28×28 images as they are (no padding), Glow with 3 levels pads to 32×32. */
    @Test
    void everyImageModelIsScoredInBitsPerDim() {
        ImageSet set = images(4, 3);
        FlowModel[] models = {
            new Nice(Shape.of(1, 28, 28), 2, 8, 1, Base.LOGISTIC, DType.F32, new Generator(1)),
            new RealNvpImage(Shape.of(1, 28, 28), 2, 4, DType.F32, new Generator(1)),
            tinyGlow(DType.F32, 1)};
        for (FlowModel m : models) {
            try (m; Scope s = Scope.open()) {
                FlowObjective obj = FlowObjective.fashionMnist(m);
                obj.initialize(set, 4, new Generator(2));
                double bpd = obj.bitsPerDim(set, 4, new Generator(3));
                assertTrue(Double.isFinite(bpd) && bpd > 0, m.family() + ": bits/dim " + bpd);
                assertEquals(m.family().equals("glow") ? 1024 : 784, obj.modelDims(), m.family());
            }
        }
    }

    @Test
    void anUninitializedModelRefusesToRun() {
        try (Scope s = Scope.open(); RealNvp2d m = new RealNvp2d(2, 4, 1, DType.F32, new Generator(1))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.logProb(Tensor.zeros(DType.F32, 3, 2)));
            assertTrue(e.getMessage().contains("initialize"), e.getMessage());
            m.initialize(normal(DType.F32, 1, 1, 16, 2));
            assertEquals(Shape.of(3), m.logProb(Tensor.zeros(DType.F32, 3, 2)).shape());
            assertThrows(IllegalArgumentException.class, () -> m.logProb(Tensor.zeros(DType.F32, 3, 3)), "data shape is checked");
            assertEquals("realnvp2d", m.metadata().get("model"));
        }
    }

    @Test
    void niceStartsAsItsDataInitializedScalingAlone() {
        try (Scope s = Scope.open(); Nice nice = new Nice(Shape.of(1, 2, 2), 4, 8, 2, Base.LOGISTIC, DType.F64, new Generator(1))) {
            Tensor x = normal(DType.F64, 2, 1, 64, 1, 2, 2);
            Tensor x2 = Ops.addScalar(Ops.mulScalar(x, 0.01), -0.4); // offset, nearly constant pixels: Fashion-MNIST's background
            Bijector.Result r = nice.initialize(x2);
            assertEquals(Shape.of(64, 4), r.value().shape());
            // zero-initialized couplings are the identity, so z = (x + b)·exp(s) standardizes every feature
            double[] z = r.value().toDoubleArray();
            for (int d = 0; d < 4; d++) {
                double mean = 0, sq = 0;
                for (int b = 0; b < 64; b++) mean += z[b * 4 + d] / 64;
                for (int b = 0; b < 64; b++) sq += (z[b * 4 + d] - mean) * (z[b * 4 + d] - mean) / 64;
                assertEquals(0, mean, 1e-12, "feature " + d + " mean");
                assertEquals(1, Math.sqrt(sq), 1e-3, "feature " + d + " std (eps = 1e-6 against a std of 0.01)");
            }
            // logdet = Σ_d s_d ≈ 4·log(100): the scaling starts where the data is, not at s = 0
            assertEquals(4 * Math.log(100), r.logdet().toDoubleArray()[0], 0.5);
            assertClose(Ops.add(Base.LOGISTIC.logProb(r.value()), r.logdet()).toDoubleArray(), nice.logProb(x2).toDoubleArray(), 1e-12, "log p = log p_base(z) + logdet");
        }
    }
}
