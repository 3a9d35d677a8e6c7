package org.dgm4j.flow;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.data.Batches;
import org.dgm4j.data.FashionMnist;
import org.dgm4j.data.ImageSet;
import org.dgm4j.data.Synthetic2D;
import org.dgm4j.io.Safetensors;
import org.dgm4j.optim.Adam;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.TrainConfig;
import org.dgm4j.train.Trainer;
import org.dgm4j.train.Trainable;
import org.dgm4j.train.Signals;
import org.dgm4j.train.Examples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Short training runs on the CPU: the models learn, through a plain loop and through the Trainer. */
class FlowTrainingTest {
    private static double nll(RealNvp2d m, Tensor points) {
        try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
            return -Ops.mean(m.logProb(points), false).item();
        }
    }

    /** RealNVP on two moons: a few hundred Adam steps take the held-out NLL well below the Gaussian fit it starts as. */
    @Test
    void realNvp2dLearnsTwoMoons() {
        long start = System.nanoTime();
        Synthetic2D.Sample train = Synthetic2D.twoMoons(2048, 0.05, 1), test = Synthetic2D.twoMoons(1000, 0.05, 2);
        try (Scope s = Scope.open(); RealNvp2d m = new RealNvp2d(6, 32, 2, DType.F32, new Generator(3))) {
            Tensor all = train.toTensor(), held = test.toTensor();
            m.initialize(all.narrowBatch(0, 512));
            double before = nll(m, held);
            try (Adam opt = new Adam(m.parameters(), 5e-3)) {
                Batches batches = new Batches(train.size(), 256, 4, true, true);
                int step = 0;
                for (int epoch = 0; step < 300; epoch++) {
                    for (Batches.Batch b : batches.epoch(epoch)) {
                        try (Scope st = Scope.open()) {
                            float[] pts = new float[b.indices().length * 2];
                            for (int i = 0; i < b.indices().length; i++) {
                                pts[2 * i] = train.points()[2 * b.indices()[i]];
                                pts[2 * i + 1] = train.points()[2 * b.indices()[i] + 1];
                            }
                            opt.zeroGrad();
                            Ops.neg(Ops.mean(m.logProb(Tensor.of(pts, b.indices().length, 2)), false)).backward();
                            opt.step();
                        }
                        if (++step == 300) break;
                    }
                }
            }
            double after = nll(m, held);
            System.out.printf("RealNVP-2D two moons, 300 steps: held-out NLL %.3f -> %.3f nats in %.1f s%n", before, after, (System.nanoTime() - start) / 1e9);
            assertTrue(after < before - 0.5 && after < 1.6, "NLL " + before + " -> " + after);
            try (Scope q = Scope.open()) {
                Tensor samples = m.sample(500, 1.0, new Generator(5));
                assertEquals(Shape.of(500, 2), samples.shape());
                assertTrue(nll(m, samples) < before, "samples land where the model puts its mass");
            }
        }
    }

    private static ImageSet slice(ImageSet set, int count) {
        int[] idx = new int[count];
        for (int i = 0; i < count; i++) idx[i] = i;
        return new ImageSet(set.gatherPixels(idx), set.gatherLabels(idx), count, set.channels(), set.height(), set.width(), set.classes());
    }

    /** A tiny Glow on 256 Fashion-MNIST images through the Trainer: the test bits/dim go down, files are written. */
    @Test
    void tinyGlowLowersBitsPerDimThroughTheTrainer(@TempDir Path dir) throws Exception {
        FashionMnist data = new FashionMnist();
        assumeTrue(data.isAvailable(), "Fashion-MNIST not installed in " + data.dir());
        ImageSet train = slice(data.train(), 256), test = slice(data.test(), 128);
        try (Glow glow = new Glow(Shape.of(1, 32, 32), 3, 2, 16, true, true, DType.F32, Trainer.stream(0, Trainer.INIT))) {
            FlowObjective obj = FlowObjective.fashionMnist(glow);
            obj.initialize(train, 256, new Generator(1));
            double before = obj.bitsPerDim(test, 128, new Generator(2));
            TrainConfig config = new TrainConfig(2, 32, 0, 4, 60, 16, 0, 0, 1, false, 0, 0);
            StringWriter log = new StringWriter();
            Trainable t = Trainable.minimizing(obj, new org.dgm4j.optim.Adam(glow.parameters(), 2e-3));
            Trainer.Result r = new Trainer(config, dir, new PrintWriter(log), false, Signals.none(), java.util.Map.of())
                    .fit(t, Examples.images(train, obj.input()), Examples.images(test, obj.input()), null);
            double after = obj.bitsPerDim(test, 128, new Generator(2));
            System.out.printf("tiny Glow, 256 Fashion-MNIST images, %d steps: test bits/dim %.3f -> %.3f (trainer's %.3f) in %.1f s%n",
                    r.steps(), before, after, r.test().get("loss"), r.seconds());
            assertTrue(after < before - 0.2, "bits/dim " + before + " -> " + after);
            assertEquals(after, r.test().get("loss"), 0.05, "the trainer's test loss is bits/dim");
            assertTrue(Files.exists(r.samples()));
            Safetensors.Contents saved = Safetensors.read(r.model(), org.dgm4j.backend.Backends.cpu());
            try {
                assertEquals("glow", saved.metadata().get("model"));
                assertTrue(saved.tensors().keySet().stream().anyMatch(k -> k.endsWith("initialized")));
            } finally {
                saved.tensors().values().forEach(Tensor::close);
            }
        }
    }
}
