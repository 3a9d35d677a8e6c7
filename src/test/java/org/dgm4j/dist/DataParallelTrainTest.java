package org.dgm4j.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dgm4j.backend.Backends;
import org.dgm4j.cli.Main;
import org.dgm4j.data.FashionMnist;
import org.dgm4j.io.Safetensors;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code mpirun -np 2 dgm4j train} against one process with the same combined batch: float64 VAE,
 * the same data order and the same noise per example (sliced generators), so the only difference is
 * the order in which the two halves' gradients are summed. Skipped without mpirun or MPI.
 */
class DataParallelTrainTest {
    static final String[] RUN = {"train", "--backend", "cpu", "--limit-train", "768", "--epochs", "2", "--batch-size", "128",
        "--set", "model.hidden=32", "--set", "model.dtype=f64", "--set", "train.log_every=1"};

    @Test
    void twoProcessesEndWithTheParametersOfOneProcessWithTheCombinedBatch(@TempDir Path root) throws Exception {
        Path mpirun = JavaProcess.onPath("mpirun");
        assumeTrue(mpirun != null, "mpirun not on PATH (install openmpi-bin)");
        MpiProbe.Result probe = MpiProbe.probe();
        assumeTrue(probe.available(), () -> "MPI not usable: " + probe.reason());
        assumeTrue(new FashionMnist().isAvailable(), "Fashion-MNIST not installed");

        Path one = root.resolve("one"), two = root.resolve("two");
        List<String> args = new ArrayList<>(List.of(RUN));
        args.addAll(List.of("--out", one.toString(), "--set", "dist.backend=local"));
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        assertEquals(0, cl.execute(args.toArray(String[]::new)), err.toString());

        List<String> cmd = new ArrayList<>(List.of(mpirun.toString(), "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", "2", "env"));
        List<String> trainArgs = new ArrayList<>(List.of(RUN));
        trainArgs.addAll(List.of("--out", two.toString(), "--set", "dist.backend=mpi"));
        cmd.addAll(JavaProcess.java(List.of(), Main.class, trainArgs.toArray(String[]::new)));
        JavaProcess.Result r = JavaProcess.run(cmd, 300);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("parameters identical on all 2 processes"), r.output());

        Map<String, Tensor> a = Safetensors.read(one.resolve("model.safetensors"), Backends.cpu()).tensors();
        Map<String, Tensor> b = Safetensors.read(two.resolve("model.safetensors"), Backends.cpu()).tensors();
        try {
            assertEquals(a.keySet(), b.keySet());
            for (String k : a.keySet()) {
                double[] x = a.get(k).toDoubleArray(), y = b.get(k).toDoubleArray();
                double diff = 0, norm = 0;
                for (int i = 0; i < x.length; i++) {
                    diff += (x[i] - y[i]) * (x[i] - y[i]);
                    norm += x[i] * x[i];
                }
                // relative to the tensor's norm: the halves' gradient sums differ from one sum in the last bits only
                assertTrue(Math.sqrt(diff) <= 1e-12 * Math.sqrt(norm), k + ": |a-b| / |a| = " + Math.sqrt(diff / norm));
            }
        } finally {
            a.values().forEach(Tensor::close);
            b.values().forEach(Tensor::close);
        }
        // the logged losses are the global batch's, as one process logs them (log_every = 1: every step)
        List<Map<String, Object>> rowsOne = MetricsLog.read(one), rowsTwo = MetricsLog.read(two);
        assertEquals(rowsOne.size(), rowsTwo.size());
        for (int i = 0; i < rowsOne.size(); i++) {
            double x = ((Number) rowsOne.get(i).get("loss")).doubleValue(), y = ((Number) rowsTwo.get(i).get("loss")).doubleValue();
            assertEquals(x, y, 1e-9 * Math.abs(x), "row " + i + " " + rowsOne.get(i) + " vs " + rowsTwo.get(i));
        }
    }
}
