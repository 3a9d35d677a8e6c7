package org.dgm4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.dgm4j.backend.Backends;
import org.dgm4j.data.ImageSet;
import org.dgm4j.nn.Module;
import org.dgm4j.optim.Optimizer;
import org.dgm4j.rbm.RbmFamily;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.config.Config;
import org.dgm4j.config.ConfigEntry;
import org.dgm4j.vae.VaeFamily;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Exact resume and the non-finite guard, in-process on a tiny VAE and random 4x4 images. */
class TrainerResumeTest {
    static final Examples TRAIN = images(200, 1), TEST = images(50, 2);

    static Examples images(int n, long seed) {
        byte[] px = new byte[n * 16];
        new Random(seed).nextBytes(px);
        return Examples.images(new ImageSet(px, new int[n], n, 1, 4, 4, 1), BatchInput.dynamicBinarization());
    }

    static TrainConfig config(long everySteps, int rollbacks) {
        return new TrainConfig(2, 16, 3, 3, 60, 4, everySteps, 0, 3, false, rollbacks, 0);
    }

    static Trainable vae() {
        VaeFamily family = new VaeFamily();
        Config c = Config.resolve(RunSchema.keys(family, List.of("vae")), List.of(ConfigEntry.assignment("--set", "model.hidden=16"),
                ConfigEntry.assignment("--set", "model.latent=2"), ConfigEntry.assignment("--set", "train.lr=0.01")));
        return family.create(c, new long[] {1, 4, 4}, Trainer.stream(3, Trainer.INIT));
    }

    /** A tiny RBM trained by persistent CD: its chains are module state, its momentum changes after epoch 1. */
    static Trainable pcdRbm() {
        RbmFamily family = new RbmFamily();
        Config c = Config.resolve(RunSchema.keys(family, List.of("rbm")), List.of(ConfigEntry.assignment("--set", "model.hidden=6"),
                ConfigEntry.assignment("--set", "model.persistent=true"), ConfigEntry.assignment("--set", "model.chains=5"),
                ConfigEntry.assignment("--set", "model.sample_steps=2")));
        return family.create(c, new long[] {1, 4, 4}, Trainer.stream(3, Trainer.INIT));
    }

    static Trainable model(String family) {
        return family.equals("rbm") ? pcdRbm() : vae();
    }

    /** A model whose step is intercepted after the real one (to send a signal or poison the loss). */
    static Trainable intercepted(Trainable t, BiFunction<StepContext, LinkedHashMap<String, Double>, LinkedHashMap<String, Double>> f) {
        return new Trainable() {
            public Module module() { return t.module(); }
            public Map<String, Optimizer> optimizers() { return t.optimizers(); }
            public LinkedHashMap<String, Double> trainStep(Tensor x, Generator g, StepContext ctx) { return f.apply(ctx, t.trainStep(x, g, ctx)); }
            public LinkedHashMap<String, Double> evaluate(Tensor x, Generator g) { return t.evaluate(x, g); }
            public Tensor sample(int n, Generator g) { return t.sample(n, g); }
            public Map<String, String> metadata() { return t.metadata(); }
            public void initialize(Tensor x, Generator g) { t.initialize(x, g); }
        };
    }

    static Trainer trainer(TrainConfig c, Path dir, Signals s, StringWriter log) {
        return new Trainer(c, dir, new PrintWriter(log), false, s, Map.of("seed", 3));
    }

    static List<String> losses(Path dir) throws Exception {
        return MetricsLog.read(dir).stream().map(r -> r.get("split") + "@" + r.get("step") + "=" + r.get("loss")).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"vae", "rbm"})
    void stoppedBySignalThenResumedEqualsTheUninterruptedRunBitForBit(String family, @TempDir Path root) throws Exception {
        Backends.use(Backends.cpu());
        Path a = Files.createDirectories(root.resolve("a")), b = Files.createDirectories(root.resolve("b"));
        try (Trainable m = model(family)) {
            Trainer.Result r = trainer(config(4, 0), a, Signals.none(), new StringWriter()).fit(m, TRAIN, TEST, null);
            assertFalse(r.stopped());
        }
        Signals signals = Signals.none();
        try (Trainable m = model(family)) {
            Trainable stopAt9 = intercepted(m, (ctx, v) -> {
                if (ctx.step() == 9) signals.request(Signals.Request.CHECKPOINT_AND_STOP, "SIGTERM");
                return v;
            });
            Trainer.Result r = trainer(config(4, 0), b, signals, new StringWriter()).fit(stopAt9, TRAIN, TEST, null);
            assertTrue(r.stopped());
            assertEquals(9, r.steps());
            assertNull(r.model(), "a stopped run writes a checkpoint, not the final model");
        }
        try (Trainable m = model(family); Checkpoints.Loaded c = Checkpoints.newestValid(b, Backends.cpu(), w -> {})) {
            assertEquals(9, c.step());
            trainer(config(4, 0), b, Signals.none(), new StringWriter()).fit(m, TRAIN, TEST, c);
        }
        assertEquals(losses(a), losses(b));
        assertArrayEquals(Files.readAllBytes(a.resolve(Trainer.MODEL_FILE)), Files.readAllBytes(b.resolve(Trainer.MODEL_FILE)));
    }

    @Test
    void aCosineScheduleWithWarmUpSetsEachStepsRateAndResumesBitForBit(@TempDir Path root) throws Exception {
        Backends.use(Backends.cpu());
        // 200 images in batches of 16: 13 steps per epoch, 26 in all; a metrics row every step
        TrainConfig cosine = new TrainConfig(2, 16, 3, 1, 60, 4, 4, 0, 3, false, 0, 0, true, 5);
        Path a = Files.createDirectories(root.resolve("a")), b = Files.createDirectories(root.resolve("b"));
        try (Trainable m = vae()) {
            trainer(cosine, a, Signals.none(), new StringWriter()).fit(m, TRAIN, TEST, null);
        }
        List<Map<String, Object>> rows = MetricsLog.read(a).stream().filter(r -> r.get("split").equals("train")).toList();
        assertEquals(26, rows.size());
        for (Map<String, Object> r : rows) {
            long k = ((Number) r.get("step")).longValue() - 1; // the update's 0-based index
            double factor = k < 5 ? (k + 1) / 5.0 : (1 + Math.cos(Math.PI * (k - 5) / 21)) / 2;
            assertEquals(0.01 * factor, ((Number) r.get("lr")).doubleValue(), 1e-15, "lr of step " + (k + 1) + " (train.lr = 0.01)");
        }
        Signals signals = Signals.none();
        try (Trainable m = vae()) {
            Trainable stopAt9 = intercepted(m, (ctx, v) -> {
                if (ctx.step() == 9) signals.request(Signals.Request.CHECKPOINT_AND_STOP, "SIGTERM");
                return v;
            });
            assertTrue(trainer(cosine, b, signals, new StringWriter()).fit(stopAt9, TRAIN, TEST, null).stopped());
        }
        try (Trainable m = vae(); Checkpoints.Loaded c = Checkpoints.newestValid(b, Backends.cpu(), w -> {})) {
            trainer(cosine, b, Signals.none(), new StringWriter()).fit(m, TRAIN, TEST, c);
        }
        assertEquals(losses(a), losses(b));
        assertArrayEquals(Files.readAllBytes(a.resolve(Trainer.MODEL_FILE)), Files.readAllBytes(b.resolve(Trainer.MODEL_FILE)));
    }

    @Test
    void nonFiniteLossStopsNamingTheStepOrRollsBackAndSkipsTheBatch(@TempDir Path root) throws Exception {
        Backends.use(Backends.cpu());
        Path stop = Files.createDirectories(root.resolve("stop")), roll = Files.createDirectories(root.resolve("roll"));
        try (Trainable m = vae()) {
            Trainable poisoned = poisonedAt(m, 6);
            StepContext.NonFiniteException x = assertThrows(StepContext.NonFiniteException.class,
                    () -> trainer(config(4, 0), stop, Signals.none(), new StringWriter()).fit(poisoned, TRAIN, TEST, null));
            assertTrue(x.getMessage().contains("step 6") && x.getMessage().contains("NaN"), x.getMessage());
            assertEquals(List.of("step-000000000004"), Checkpoints.list(stop).stream().map(p -> p.getFileName().toString()).toList());
        }
        StringWriter log = new StringWriter();
        try (Trainable m = vae()) {
            Trainer.Result r = trainer(config(4, 1), roll, Signals.none(), log).fit(poisonedAt(m, 6), TRAIN, TEST, null);
            assertFalse(r.stopped());
            assertTrue(log.toString().contains("rolled back to step 4, step 6's batch will be skipped"), log.toString());
            try (Checkpoints.Loaded c = Checkpoints.newestValid(roll, Backends.cpu(), w -> {})) {
                assertEquals(List.of(6L), c.state().get("skipped_steps"), "the skip is remembered for later resumes");
            }
        }
    }

    /** The loss turns NaN the first time step {@code at} runs (a replay after a rollback is healthy). */
    static Trainable poisonedAt(Trainable m, long at) {
        boolean[] done = {false};
        return new Trainable() {
            public Module module() { return m.module(); }
            public Map<String, Optimizer> optimizers() { return m.optimizers(); }
            public LinkedHashMap<String, Double> trainStep(Tensor x, Generator g, StepContext ctx) {
                if (ctx.step() == at && !done[0]) {
                    done[0] = true;
                    return ctx.minimize(m.optimizers().get("optimizer"), new LinkedHashMap<>(Map.of("loss", Tensor.scalar(Double.NaN, DType.F32))));
                }
                return m.trainStep(x, g, ctx);
            }
            public LinkedHashMap<String, Double> evaluate(Tensor x, Generator g) { return m.evaluate(x, g); }
            public Tensor sample(int n, Generator g) { return m.sample(n, g); }
            public Map<String, String> metadata() { return m.metadata(); }
        };
    }
}
