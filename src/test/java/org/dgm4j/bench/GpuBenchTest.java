package org.dgm4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.cli.Main;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU benchmark's own plumbing, on the CPU backend (no GPU needed): the workload list and its
 * spec lines, every workload's code at the smoke shapes, the PyTorch file and the table.
 */
class GpuBenchTest {
    @Test
    void workloadsHaveUniqueIdsKnownKindsAndTheSameIdsAtSmokeShapes() {
        List<GpuBench.Workload> full = GpuBench.workloads(false), smoke = GpuBench.workloads(true);
        Set<String> ids = new HashSet<>();
        for (GpuBench.Workload w : full) {
            assertTrue(ids.add(w.id()), "duplicate id " + w.id());
            assertTrue(GpuBench.KINDS.containsKey(w.kind()), w.id() + ": unknown kind " + w.kind());
            assertTrue(w.specLine().matches("[a-z0-9_]+\t[a-z0-9_]+\t([a-z]+=\\d+ ?)+"), w.specLine());
        }
        assertEquals(full.stream().map(GpuBench.Workload::id).toList(), smoke.stream().map(GpuBench.Workload::id).toList());
        assertEquals("sgemm_4096\tsgemm\tm=4096 n=4096 k=4096", full.get(1).specLine());
    }

    @Test
    void everyWorkloadRunsAtSmokeShapes() {
        Backend cpu = Backends.cpu();
        StringWriter log = new StringWriter();
        List<GpuBench.Row> rows = new GpuBench(0, 0, 2, 1, new PrintWriter(log, true))
                .run(GpuBench.workloads(true), cpu, cpu, Map.of("vae_step", 2.0));
        assertEquals(GpuBench.workloads(true).size(), rows.size());
        for (GpuBench.Row r : rows) {
            assertTrue(r.cuda().medianMs() > 0 && r.cpu().medianMs() > 0, r.toString());
            assertEquals(2, r.cuda().reps());
        }
        String table = GpuBench.table(rows);
        assertEquals(rows.size() + 2, table.lines().count(), table);
        assertTrue(table.lines().filter(l -> l.startsWith("| MLP VAE")).findFirst().orElseThrow().matches("\\| MLP VAE .*\\| \\d+\\.\\d+ \\|.*"), table);
        assertTrue(table.contains("| n/a |"), "rows without a PyTorch time say so");
    }

    @Test
    void readsThePyTorchFileWithNotesAndRejectsGarbage(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("torch.tsv");
        Files.writeString(f, "# torch 2.11.0, TF32 off\n\nsgemm_1024\t0.125\nvae_step\t1.5\n");
        StringBuilder notes = new StringBuilder();
        Map<String, Double> ms = GpuBench.readReference(f, notes);
        assertEquals(Map.of("sgemm_1024", 0.125, "vae_step", 1.5), ms);
        assertEquals("torch 2.11.0, TF32 off\n", notes.toString());
        Files.writeString(f, "sgemm_1024\tfast\n");
        IOException e = assertThrows(IOException.class, () -> GpuBench.readReference(f, new StringBuilder()));
        assertTrue(e.getMessage().contains(":1: not a number"), e.getMessage());
    }

    @Test
    void cliListsTheSpecAndRejectsAnOnlyThatMatchesNothing() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        assertEquals(0, cli.execute("bench", "gpu", "--list", "--only", "conv.*"), err.toString());
        List<String> lines = out.toString().lines().toList();
        assertEquals(GpuBench.workloads(false).stream().filter(w -> w.id().startsWith("conv")).count(), lines.size(), out.toString());
        assertEquals("conv3x3_c128_fwd\tconv2d_fwd\tn=32 c=128 k=128 h=16 w=16 r=3 pad=1", lines.get(0));
        assertEquals(2, Main.commandLine().setErr(new PrintWriter(new StringWriter())).execute("bench", "gpu", "--list", "--only", "nothing"));
    }
}
