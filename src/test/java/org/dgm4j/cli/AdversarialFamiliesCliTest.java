package org.dgm4j.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.dgm4j.cli.CliRun.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dgm4j.backend.Backends;
import org.dgm4j.config.Config;
import org.dgm4j.config.ConfigEntry;
import org.dgm4j.io.Safetensors;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.data.ImageSet;
import org.dgm4j.train.ModelFamily;
import org.dgm4j.train.StepContext;
import org.dgm4j.train.RunSchema;
import org.dgm4j.train.Trainable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adversarial families through {@code dgm4j train} and {@code dgm4j quality}: a small GAN on ring8
 * (2-D, fast on any machine) end to end, its checkpoints holding both optimizers so that a resumed run
 * ends bit-identical to an uninterrupted one, and every image family built from its defaults.
 */
class AdversarialFamiliesCliTest {
    private static final String[] SMALL = {"--model", "gan", "--limit-train", "512", "--batch-size", "64", "--backend", "cpu",
        "--set", "model.hidden=32", "--set", "data.points=512"};

    private static String[] args(Path dir, int epochs, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("train"));
        a.addAll(List.of(SMALL));
        a.addAll(List.of("--epochs", Integer.toString(epochs), "--out", dir.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void ganOnRing8TrainsResumesBitExactlyAndIsMeasured(@TempDir Path tmp) throws Exception {
        Path whole = tmp.resolve("whole"), parts = tmp.resolve("parts");
        CliRun a = run(args(whole, 2));
        assertEquals(0, a.code(), a.out() + a.err());
        String header = Files.readAllLines(whole.resolve("metrics.csv")).get(0);
        assertTrue(header.startsWith("split,epoch,step,loss,g_loss,d_real,d_fake,"), header);
        Path checkpoint = Files.list(whole.resolve("checkpoints")).sorted().reduce((x, y) -> y).orElseThrow();
        String state = Files.readString(checkpoint.resolve("state.json"));
        assertTrue(state.contains("\"discriminator\"") && state.contains("\"generator\""), "both optimizers in the checkpoint: " + state);

        CliRun b1 = run(args(parts, 1));
        assertEquals(0, b1.code(), b1.out() + b1.err());
        CliRun b2 = run(args(parts, 2, "--resume", "auto"));
        assertEquals(0, b2.code(), b2.out() + b2.err());
        Safetensors.Contents x = Safetensors.read(whole.resolve("model.safetensors"), Backends.cpu());
        Safetensors.Contents y = Safetensors.read(parts.resolve("model.safetensors"), Backends.cpu());
        try {
            assertEquals(x.tensors().keySet(), y.tensors().keySet());
            for (String k : x.tensors().keySet()) assertArrayEquals(x.tensors().get(k).toFloatArray(), y.tensors().get(k).toFloatArray(), k);
            assertEquals("gan", x.metadata().get("model"));
            assertEquals("non-saturating", x.metadata().get("loss"));
        } finally {
            x.tensors().values().forEach(Tensor::close);
            y.tensors().values().forEach(Tensor::close);
        }

        CliRun q = run("quality", whole.toString(), "--samples", "2000");
        assertEquals(0, q.code(), q.out() + q.err());
        assertTrue(q.out().contains("captured") && q.out().contains("KL(data||model)"), q.out());
        String json = Files.readString(whole.resolve("quality.json"));
        assertTrue(json.contains("\"modes\"") && json.contains("\"kl_model_data\""), json);
        assertTrue(Files.exists(whole.resolve("quality-samples.png")));
    }

    @Test
    void minimaxWithSeveralDiscriminatorStepsRuns(@TempDir Path tmp) throws Exception {
        CliRun r = run(args(tmp.resolve("r"), 1, "--set", "model.loss=minimax", "--set", "model.d_steps=3"));
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(2, run(args(tmp.resolve("bad"), 1, "--set", "model.loss=hinge")).code(), "unknown objective is bad usage");
    }

    /** Four synthetic 28x28 grey images (pixel values i·j mod 256), labels 0..3. */
    private static final ImageSet FOUR_IMAGES = fourImages();

    private static ImageSet fourImages() {
        byte[] p = new byte[4 * 784];
        for (int i = 0; i < p.length; i++) p[i] = (byte) ((i * (i / 784 + 3)) % 256);
        return new ImageSet(p, new int[] {0, 1, 2, 3}, 4, 1, 28, 28, 10);
    }

    /** Each image family from its defaults: sample shapes, optimizers, metadata, and one training step whose terms the test terms match. */
    @Test
    void imageFamiliesBuildFromTheirDefaults() {
        for (String name : List.of("gan", "dcgan", "aae", "ali")) {
            ModelFamily f = ModelFamilies.byName(name);
            assertNotNull(f, name);
            Config c = Config.resolve(RunSchema.keys(f, ModelFamilies.names()), List.of(new ConfigEntry("data.set", "fashion-mnist", "test")));
            try (Trainable t = f.create(c, new long[] {1, 28, 28}, new Generator(0)); Scope s = Scope.open()) {
                Tensor x = t.sample(3, new Generator(1));
                assertEquals(List.of(3L, 1L, 28L, 28L), java.util.Arrays.stream(x.dims()).boxed().toList(), name);
                for (float v : x.toFloatArray()) assertTrue(v >= 0 && v <= 1, name + " sample value " + v);
                assertTrue(t.optimizers().size() >= 2, name + " has an optimizer per player");
                assertEquals(name, t.metadata().get("model"));
                Map<String, String> meta = t.metadata();
                assertTrue(meta.containsKey("latent") && meta.containsKey("d_steps"), meta.toString());
                // the trainer's metrics log needs the test terms to be columns the training rows have
                Tensor batch = f.input(c).load(FOUR_IMAGES, new int[] {0, 1, 2, 3}, new Generator(2));
                var train = t.trainStep(batch, new Generator(3), new StepContext(t.module().namedParameters(), (p, n) -> {}));
                t.module().eval();
                var test = t.evaluate(batch, new Generator(4));
                t.module().train();
                assertEquals("loss", train.keySet().iterator().next(), name);
                assertEquals(train.keySet(), test.keySet(), name + ": training and test terms");
            }
        }
        ModelFamily dcgan = ModelFamilies.byName("dcgan");
        Config c = Config.resolve(RunSchema.keys(dcgan, ModelFamilies.names()), List.of());
        assertThrows(IllegalArgumentException.class, () -> dcgan.create(c, new long[] {2}, new Generator(0)), "dcgan refuses points");
    }
}
