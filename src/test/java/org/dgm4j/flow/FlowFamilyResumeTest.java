package org.dgm4j.flow;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.dgm4j.backend.Backends;
import org.dgm4j.config.Config;
import org.dgm4j.config.ConfigEntry;
import org.dgm4j.data.ImageSet;
import org.dgm4j.nn.Module;
import org.dgm4j.optim.Optimizer;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.Checkpoints;
import org.dgm4j.train.Examples;
import org.dgm4j.train.MetricsLog;
import org.dgm4j.train.ModelFamily;
import org.dgm4j.train.RunSchema;
import org.dgm4j.train.Signals;
import org.dgm4j.train.StepContext;
import org.dgm4j.train.TrainConfig;
import org.dgm4j.train.Trainable;
import org.dgm4j.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The glow family through the Trainer on random 8x8 images (in-process, seconds): ActNorm is
 * initialized on the first batch only, and a run stopped mid-epoch by a signal and resumed from its
 * checkpoint reproduces the uninterrupted run's losses and final weights bit for bit (CPU).
 */
class FlowFamilyResumeTest {
    private static final ModelFamily GLOW = FlowFamily.glow();

    private static ImageSet images(int n, long seed) {
        byte[] px = new byte[n * 64];
        new Random(seed).nextBytes(px);
        return new ImageSet(px, new int[n], n, 1, 8, 8, 1);
    }

    private static Config config() {
        List<ConfigEntry> e = new ArrayList<>();
        for (String s : List.of("model=glow", "model.levels=2", "model.steps=2", "model.hidden=8", "train.epochs=2", "train.batch_size=16",
                "train.seed=3", "train.log_every=1", "train.samples=4", "checkpoint.every_steps=3", "checkpoint.every_minutes=0")) {
            e.add(ConfigEntry.assignment("--set", s));
        }
        return Config.resolve(RunSchema.keys(GLOW, List.of("glow")), e);
    }

    private static Trainable model(Config c) {
        return GLOW.create(c, new long[] {1, 8, 8}, Trainer.stream(3, Trainer.INIT));
    }

    /** t with its step intercepted after the real one; initialize and sampling forwarded. */
    private static Trainable stopAt(Trainable t, int step, Signals signals, int[] initializations) {
        return new Trainable() {
            public Module module() { return t.module(); }
            public Map<String, Optimizer> optimizers() { return t.optimizers(); }
            public void initialize(Tensor x, Generator g) {
                initializations[0]++;
                t.initialize(x, g);
            }
            public LinkedHashMap<String, Double> trainStep(Tensor x, Generator g, StepContext ctx) {
                LinkedHashMap<String, Double> v = t.trainStep(x, g, ctx);
                if (ctx.step() == step) signals.request(Signals.Request.CHECKPOINT_AND_STOP, "SIGTERM");
                return v;
            }
            public LinkedHashMap<String, Double> evaluate(Tensor x, Generator g) { return t.evaluate(x, g); }
            public Tensor sample(int n, Generator g) { return t.sample(n, g); }
            public Map<String, String> metadata() { return t.metadata(); }
        };
    }

    private static List<String> losses(Path dir) throws Exception {
        return MetricsLog.read(dir).stream().map(r -> r.get("split") + "@" + r.get("step") + "=" + r.get("loss")).toList();
    }

    @Test
    void glowStoppedMidEpochThenResumedEqualsTheUninterruptedRun(@TempDir Path root) throws Exception {
        Backends.use(Backends.cpu());
        Config c = config();
        TrainConfig tc = TrainConfig.from(c);
        Examples train = Examples.images(images(64, 1), GLOW.input(c)), test = Examples.images(images(32, 2), GLOW.input(c));
        Path a = Files.createDirectories(root.resolve("a")), b = Files.createDirectories(root.resolve("b"));
        int[] inits = {0};
        try (Trainable m = model(c)) {
            new Trainer(tc, a, new PrintWriter(new StringWriter()), false, Signals.none(), Map.of()).fit(stopAt(m, -1, Signals.none(), inits), train, test, null);
        }
        assertEquals(1, inits[0], "ActNorm initialized on the first batch");
        Signals signals = Signals.none();
        try (Trainable m = model(c)) {
            Trainer.Result r = new Trainer(tc, b, new PrintWriter(new StringWriter()), false, signals, Map.of()).fit(stopAt(m, 5, signals, inits), train, test, null);
            assertTrue(r.stopped());
            assertEquals(5, r.steps(), "stopped in the second epoch (4 steps an epoch)");
        }
        inits[0] = 0;
        try (Trainable m = model(c); Checkpoints.Loaded ck = Checkpoints.newestValid(b, Backends.cpu(), w -> {})) {
            assertEquals(5, ck.step());
            new Trainer(tc, b, new PrintWriter(new StringWriter()), false, Signals.none(), Map.of()).fit(stopAt(m, -1, Signals.none(), inits), train, test, ck);
        }
        assertEquals(0, inits[0], "a resumed run does not initialize again");
        List<String> la = losses(a);
        assertEquals(la, losses(b));
        assertTrue(la.get(0).startsWith("train@1=") && la.size() >= 10, la.toString());
        assertArrayEquals(Files.readAllBytes(a.resolve(Trainer.MODEL_FILE)), Files.readAllBytes(b.resolve(Trainer.MODEL_FILE)));
    }
}
