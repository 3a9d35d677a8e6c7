package org.dgm4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.dgm4j.backend.Backends;
import org.dgm4j.data.FashionMnist;
import org.dgm4j.train.Checkpoints;
import org.dgm4j.train.MetricsLog;
import org.dgm4j.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Real processes: SIGTERM then resume reproduces the uninterrupted run; SIGKILL at random moments never loses the last checkpoint. */
class TrainProcessTest {
    static final List<String> RUN = List.of("train", "--backend", "cpu", "--limit-train", "2560", "--set", "train.log_every=1",
            "--set", "model.hidden=64");

    static String[] args(Path out, String... more) {
        List<String> a = new ArrayList<>(RUN);
        a.addAll(List.of("--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    static int inProcess(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        if (code != 0) System.err.println(out + "\n" + err);
        return code;
    }

    /** A child JVM whose output goes to a file (read with {@link #log}). */
    record Child(Process process, Path output) {
        /** Waits for the exit; returns the exit code. */
        int exit() throws InterruptedException {
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "no exit:\n" + log());
            return process.exitValue();
        }

        String log() {
            try {
                return Files.readString(output);
            } catch (IOException e) {
                return "";
            }
        }
    }

    /** dgm4j in a child JVM with this test's class path. */
    static Child start(Path output, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return new Child(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile()).start(), output);
    }

    static void waitFor(java.util.function.BooleanSupplier condition, Child c) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(c.process().isAlive(), "process ended early:\n" + c.log());
            assertTrue(System.nanoTime() < deadline, "timed out:\n" + c.log());
            Thread.sleep(5);
        }
    }

    static List<String> losses(Path dir) throws IOException {
        return MetricsLog.read(dir).stream().map(r -> r.get("split") + "@" + r.get("step") + "=" + r.get("loss")).toList();
    }

    @Test
    void sigtermCheckpointsExitsWithThreeAndResumeContinuesBitForBit(@TempDir Path root) throws Exception {
        assumeTrue(new FashionMnist().isAvailable(), "Fashion-MNIST not installed");
        Path whole = root.resolve("whole"), cut = root.resolve("cut");
        assertEquals(0, inProcess(args(whole, "--epochs", "3")));

        Child c = start(root.resolve("cut.log"), args(cut, "--epochs", "3"));
        waitFor(() -> c.log().contains("run directory") && lines(cut) >= 4, c);
        c.process().destroy(); // SIGTERM
        assertEquals(3, c.exit(), c.log());
        assertTrue(c.log().contains("stopped by SIGTERM"), c.log());
        assertTrue(Files.notExists(cut.resolve(Trainer.MODEL_FILE)));

        assertEquals(0, inProcess("train", "--out", cut.toString(), "--resume", "auto"));
        assertEquals(losses(whole), losses(cut));
        assertArrayEquals(Files.readAllBytes(whole.resolve(Trainer.MODEL_FILE)), Files.readAllBytes(cut.resolve(Trainer.MODEL_FILE)));
    }

    @Test
    void sigkillAtRandomMomentsWhileCheckpointingNeverLosesTheLastCheckpoint(@TempDir Path root) throws Exception {
        assumeTrue(new FashionMnist().isAvailable(), "Fashion-MNIST not installed");
        Path run = root.resolve("run");
        Random r = new Random(11);
        long lastStep = 0;
        for (int i = 0; i < 20; i++) {
            // a checkpoint every step, so most kills land while one is being written
            Child c = start(root.resolve("kill-" + i + ".log"), args(run, "--epochs", "50", "--resume", "auto", "--set", "checkpoint.every_steps=1", "--set", "checkpoint.keep=2"));
            waitFor(() -> c.log().contains("checkpoint checkpoints/"), c);
            Thread.sleep(r.nextInt(300));
            c.process().destroyForcibly(); // SIGKILL
            c.exit();
            String log = c.log();
            List<String> warnings = new ArrayList<>();
            try (Checkpoints.Loaded saved = Checkpoints.newestValid(run, Backends.cpu(), warnings::add)) {
                assertNotNull(saved, "kill " + i + " left no loadable checkpoint:\n" + log);
                assertTrue(warnings.isEmpty(), "a complete-looking checkpoint was corrupt: " + warnings);
                assertTrue(saved.step() >= lastStep, "checkpoints only move forward: " + saved.step() + " after " + lastStep);
                lastStep = saved.step();
            }
        }
        assertTrue(lastStep > 20, "the repeated kills and resumes made progress: step " + lastStep);
    }

    static long lines(Path dir) {
        try {
            return Files.readAllLines(dir.resolve(MetricsLog.JSONL)).size();
        } catch (IOException e) {
            return 0;
        }
    }
}
