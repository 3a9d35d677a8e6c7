package org.dgm4j.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.dgm4j.cli.CliRun.run;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.dgm4j.backend.Backends;
import org.dgm4j.backend.cuda.CudaProbe;
import org.dgm4j.data.FashionMnist;
import org.dgm4j.dist.NcclProbe;
import org.dgm4j.io.Safetensors;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.Checkpoints;
import org.dgm4j.train.MetricsLog;
import org.dgm4j.vae.Vae;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dgm4j train} end to end on a slice of Fashion-MNIST, and its exit codes. */
class TrainCommandTest {
    @Test
    void oneEpochOnASliceWritesEveryFile(@TempDir Path dir) throws Exception {
        FashionMnist data = new FashionMnist();
        assumeTrue(data.isAvailable(), "Fashion-MNIST not installed in " + data.dir());
        // the reference backend on every machine; GPU runs are covered by the parity suites
        CliRun r = run("train", "--epochs", "1", "--limit-train", "512", "--backend", "cpu", "--out", dir.toString());
        assertEquals(0, r.code(), r.out() + r.err());

        String settings = Files.readString(dir.resolve("run.json"));
        for (String field : List.of("\"model\": \"vae\"", "\"train.epochs\": 1", "\"train_examples\": 512", "\"backend\": \"cpu\"", "\"java\":", "\"dgm4j\":")) {
            assertTrue(settings.contains(field), field + " in " + settings);
        }

        // the first logged step (the loss before learning, about 784·ln 2 = 543 nats) and the epoch's last
        List<String[]> train = Files.readAllLines(dir.resolve("metrics.csv")).stream().skip(1)
                .map(l -> l.split(",")).filter(c -> c[0].equals("train")).toList();
        assertTrue(train.size() >= 2, "train rows: " + train.size());
        double first = Double.parseDouble(train.get(0)[3]), last = Double.parseDouble(train.get(train.size() - 1)[3]);
        assertTrue(last < first, "loss " + first + " -> " + last);
        assertTrue(Files.readAllLines(dir.resolve("metrics.jsonl")).size() >= train.size() + 1, "jsonl has the train rows and the test row");

        BufferedImage png = ImageIO.read(dir.resolve("samples-epoch-1.png").toFile());
        assertNotNull(png, "readable PNG");
        assertEquals(8 * (28 + 2) + 2, png.getWidth()); // 64 samples, 8 a row, 2 pixels of padding
        assertEquals(8 * (28 + 2) + 2, png.getHeight());

        Safetensors.Contents saved = Safetensors.read(dir.resolve("model.safetensors"), Backends.cpu());
        try (Vae fresh = Vae.bernoulliMlp(Long.parseLong(saved.metadata().get("hidden")),
                Long.parseLong(saved.metadata().get("latent")), new Generator(99))) {
            fresh.loadStateDict(saved.tensors());
            Tensor w = saved.tensors().get("decoder.4.bias");
            assertArrayEquals(w.toFloatArray(), fresh.stateDict().get("decoder.4.bias").toFloatArray());
        } finally {
            saved.tensors().values().forEach(Tensor::close);
        }
    }

    @Test
    void configFileSetsAndListKeysThenSampleAndEvalTheRun(@TempDir Path dir) throws Exception {
        FashionMnist data = new FashionMnist();
        assumeTrue(data.isAvailable(), "Fashion-MNIST not installed in " + data.dir());
        Path yaml = dir.resolve("run.yaml"), out = dir.resolve("run");
        Files.writeString(yaml, "model: vae\nmodel:\n  hidden: 32\n  latent: 4\ntrain:\n  epochs: 1\n  batch_size: 64\n");
        CliRun r = run("train", "--config", yaml.toString(), "--set", "train.seed=5", "--limit-train", "256", "--backend", "cpu", "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        String resolved = Files.readString(out.resolve("config.yaml"));
        assertTrue(resolved.contains("model.hidden: 32") && resolved.contains("train.seed: 5") && resolved.contains("train.batch_size: 64"), resolved);

        CliRun sample = run("sample", out.toString(), "--n", "9", "--out", dir.resolve("s.png").toString());
        assertEquals(0, sample.code(), sample.err());
        assertEquals(3 * (28 + 2) + 2, ImageIO.read(dir.resolve("s.png").toFile()).getWidth(), "9 samples, 3 a row");
        CliRun eval = run("eval", out.toString(), "--limit-test", "200");
        assertEquals(0, eval.code(), eval.err());
        assertTrue(Files.readString(out.resolve("eval.json")).contains("\"test_examples\": 200"));

        CliRun keys = run("train", "--list-keys");
        assertEquals(0, keys.code());
        assertTrue(keys.out().contains("model.latent") && keys.out().contains("checkpoint.keep"), keys.out());
        Files.writeString(yaml, "train:\n  epochz: 1\n");
        CliRun bad = run("train", "--config", yaml.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("run.yaml:2:3") && bad.err().contains("train.epochs"), bad.err());
    }

    @Test
    void divergenceStopsWithOneAndWritesNoModel(@TempDir Path dir) {
        FashionMnist data = new FashionMnist();
        assumeTrue(data.isAvailable(), "Fashion-MNIST not installed in " + data.dir());
        CliRun r = run("train", "--lr", "1e30", "--limit-train", "256", "--backend", "cpu", "--out", dir.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("loss is NaN") && r.err().contains("no model"), r.err());
        assertFalse(Files.exists(dir.resolve("model.safetensors")));
    }

    /**
     * --resume refuses a changed model setting (naming it), accepts a changed epoch count, and treats a
     * key the checkpoint predates as its default (checkpoints of an older dgm4j stay resumable).
     */
    @Test
    @SuppressWarnings("unchecked")
    void resumeChecksTheRunsSettingsAndTakesDefaultsForNewerKeys(@TempDir Path dir) throws Exception {
        String[] base = {"train", "--model", "realnvp2d", "--backend", "cpu", "--set", "data.points=512", "--set", "model.hidden=8",
            "--batch-size", "128", "--out", dir.toString()};
        assertEquals(0, run(concat(base, "--epochs", "1")).code());
        CliRun changed = run(concat(base, "--epochs", "2", "--resume", "auto", "--set", "model.couplings=2"));
        assertNotEquals(0, changed.code());
        assertTrue(changed.err().contains("model.couplings"), changed.err());

        Path newest;
        try (Checkpoints.Loaded c = Checkpoints.newestValid(dir, Backends.cpu(), w -> {})) {
            newest = c.dir();
            Map<String, Object> state = new LinkedHashMap<>(c.state());
            Map<String, Object> config = new LinkedHashMap<>((Map<String, Object>) state.get("config"));
            assertNotNull(config.remove("train.clip_norm"));
            state.put("config", config);
            Checkpoints.write(dir, c.step() + 1, c.tensors(), state, 5); // as written by a dgm4j without that key
        }
        // the rest of a run may switch to a schedule and to clipping: lr and grad_norm join metrics.jsonl (not the CSV, whose header is fixed)
        CliRun resumed = run(concat(base, "--epochs", "2", "--resume", "auto", "--set", "train.lr_schedule=cosine", "--set", "train.clip_norm=1"));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(Files.exists(newest));
        List<Double> lrs = MetricsLog.read(dir).stream().filter(r -> r.containsKey("lr")).map(r -> ((Number) r.get("lr")).doubleValue()).toList();
        assertFalse(lrs.isEmpty(), "epoch 2 logs its learning rate");
        for (int i = 0; i < lrs.size(); i++) {
            assertTrue(lrs.get(i) < 1e-3 && (i == 0 || lrs.get(i) < lrs.get(i - 1)), "cosine below train.lr and falling: " + lrs);
        }
        assertFalse(Files.readAllLines(dir.resolve(MetricsLog.CSV)).get(0).contains("lr"), "the CSV keeps the columns of its first row");
        assertEquals(lrs.size(), MetricsLog.read(dir).stream().filter(r -> r.containsKey("grad_norm")).count(), "clipped from the resumed step on");
    }

    /**
     * Resuming from an earlier checkpoint (here with clipping switched on, as after a loss spike) sets the
     * later checkpoints and the metrics as they were aside; every checkpoint left belongs to the new branch.
     */
    @Test
    @SuppressWarnings("unchecked")
    void resumingFromAnEarlierCheckpointSetsTheLaterOnesAside(@TempDir Path dir) throws Exception {
        String[] base = {"train", "--model", "realnvp2d", "--backend", "cpu", "--set", "data.points=512", "--set", "model.hidden=8",
            "--batch-size", "128", "--epochs", "2", "--set", "checkpoint.every_steps=1", "--set", "checkpoint.keep=20"};
        assertEquals(0, run(concat(base, "--out", dir.toString())).code()); // 4 steps an epoch: checkpoints 1..8
        CliRun branch = run(concat(base, "--resume", dir.resolve("checkpoints/step-000000000003").toString(), "--set", "train.clip_norm=0.001"));
        assertEquals(0, branch.code(), branch.err());
        Path aside = dir.resolve("checkpoints/abandoned-after-000000000003");
        assertTrue(branch.out().contains("set aside in checkpoints/abandoned-after-000000000003"), branch.out());
        for (long step = 4; step <= 8; step++) assertTrue(Files.isDirectory(aside.resolve(String.format("step-%012d", step))), "step " + step);
        assertTrue(Files.readString(aside.resolve(MetricsLog.JSONL)).contains("\"step\": 8,"), "the first branch's log, whole");
        List<Path> kept = Checkpoints.list(dir);
        assertEquals(8, kept.size(), kept.toString());
        for (Path c : kept) {
            try (Checkpoints.Loaded l = Checkpoints.read(c, Backends.cpu())) {
                Map<String, Object> config = (Map<String, Object>) l.state().get("config");
                double clip = ((Number) config.get("train.clip_norm")).doubleValue();
                assertEquals(l.step() > 3 ? 0.001 : 0, clip, 0, c + ": written by the branch that reached it");
            }
        }
    }

    /** With train.clip_norm set, every train row logs the gradients' norm before clipping. */
    @Test
    void clippedRunsLogTheGradientNormBeforeClipping(@TempDir Path dir) throws Exception {
        CliRun r = run("train", "--model", "realnvp2d", "--backend", "cpu", "--set", "data.points=512", "--set", "model.hidden=8",
                "--batch-size", "128", "--epochs", "1", "--set", "train.clip_norm=0.001", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readAllLines(dir.resolve(MetricsLog.CSV)).get(0).contains("grad_norm"), "a CSV column");
        List<Double> norms = MetricsLog.read(dir).stream().filter(m -> "train".equals(m.get("split")))
                .map(m -> ((Number) m.get("grad_norm")).doubleValue()).toList();
        assertFalse(norms.isEmpty());
        for (double g : norms) assertTrue(g > 0.001 && Double.isFinite(g), "above the clip norm, so clipped: " + norms);
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /** No GPU (or no NCCL): dist.backend=nccl is an error of the environment (exit 1) with the probe's reason, no stack trace. */
    @Test
    void ncclWithoutNcclExitsWithOneAndTheReason(@TempDir Path dir) {
        assumeFalse(NcclProbe.probe().available(), "NCCL is usable here");
        CliRun r = run("train", "--set", "dist.backend=nccl", "--out", dir.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        String why = CudaProbe.probe().available() ? "NCCL is not usable: " + NcclProbe.probe().reason()
                : "the backend is auto and CUDA is not usable: " + CudaProbe.probe().reason();
        assertEquals("dgm4j train: dist.backend=nccl: " + why, r.err().strip());
        CliRun cpu = run("train", "--backend", "cpu", "--set", "dist.backend=nccl", "--out", dir.toString());
        assertEquals(1, cpu.code(), cpu.out() + cpu.err());
        assertEquals("dgm4j train: dist.backend=nccl: the backend is cpu (NCCL reduces CUDA tensors)", cpu.err().strip());
        assertEquals(2, run("train", "--set", "dist.backend=gloo").code());
    }

    @Test
    void badUsageExitsWithTwo(@TempDir Path used) throws Exception {
        Files.writeString(used.resolve("run.json"), "{}");
        assertEquals(2, run("train", "--out", used.toString()).code(), "a directory holding a run is never mixed into");
        assertEquals(2, run("train", "--epochs", "0").code());
        assertEquals(2, run("train", "--backend", "tpu").code());
        assertEquals(2, run("train", "--lr", "-1").code());
        assertEquals(2, run("train", "--no-such-option").code());
        CliRun help = run("train", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--limit-train") && help.out().contains("Examples:"), help.out());
    }

    @Test
    void missingDatasetExitsWithOneAndTheInstallHint(@TempDir Path empty) {
        String saved = System.getProperty(FashionMnist.DIR_PROPERTY);
        System.setProperty(FashionMnist.DIR_PROPERTY, empty.toString());
        try {
            CliRun r = run("train", "--backend", "cpu", "--out", empty.resolve("run").toString());
            assertEquals(1, r.code(), r.out() + r.err());
            assertTrue(r.err().contains("apt-get install dataset-fashion-mnist"), r.err());
            assertFalse(r.err().contains("\tat org.dgm4j"), "a message, not a stack trace: " + r.err());
        } finally {
            if (saved == null) System.clearProperty(FashionMnist.DIR_PROPERTY);
            else System.setProperty(FashionMnist.DIR_PROPERTY, saved);
        }
    }
}
