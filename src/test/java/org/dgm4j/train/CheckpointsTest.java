package org.dgm4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.dgm4j.backend.Backends;
import org.dgm4j.data.DataFileException;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
    static Path save(Path run, long step, int keep) throws Exception {
        try (Tensor w = Tensor.of(Backends.cpu(), new float[] {1, 2, 3, step}, org.dgm4j.tensor.Shape.of(2, 2))) {
            Map<String, Object> state = new LinkedHashMap<>(Map.of("step", step, "note", "x"));
            return Checkpoints.write(run, step, Map.of("module/w", w), state, keep);
        }
    }

    @Test
    void roundTripAndOnlyTheNewestKept(@TempDir Path run) throws Exception {
        for (long s = 1; s <= 5; s++) save(run, s, 3);
        List<Path> all = Checkpoints.list(run);
        assertEquals(List.of("step-000000000005", "step-000000000004", "step-000000000003"), all.stream().map(p -> p.getFileName().toString()).toList());
        try (Checkpoints.Loaded c = Checkpoints.read(all.get(0), Backends.cpu())) {
            assertEquals(5, c.step());
            assertArrayEquals(new float[] {1, 2, 3, 5}, c.tensors().get("module/w").toFloatArray());
            assertEquals("x", c.state().get("note"));
        }
        // a crash mid-write leaves a temporary folder: it is not a checkpoint
        Files.createDirectories(run.resolve(Checkpoints.DIR).resolve(".tmp-step-000000000006-123"));
        assertEquals(3, Checkpoints.list(run).size());
    }

    @Test
    void everyTruncationAndByteFlipIsRejectedNamingFileAndChecksums(@TempDir Path run) throws Exception {
        Path dir = save(run, 1, 3);
        Random r = new Random(7);
        for (String name : List.of(Checkpoints.STATE, Checkpoints.TENSORS)) {
            Path f = dir.resolve(name);
            byte[] good = Files.readAllBytes(f);
            List<byte[]> bad = new ArrayList<>();
            for (int len = 0; len < good.length; len++) bad.add(java.util.Arrays.copyOf(good, len));
            for (int i = 0; i < 200; i++) {
                byte[] b = good.clone();
                b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                bad.add(b);
            }
            for (byte[] b : bad) {
                Files.write(f, b);
                DataFileException x = assertThrows(DataFileException.class, () -> Checkpoints.read(dir, Backends.cpu()));
                assertTrue(x.getMessage().contains(name) && x.getMessage().contains("expected sha256") && x.getMessage().contains("found"), x.getMessage());
            }
            Files.write(f, good);
        }
        Files.writeString(dir.resolve(Checkpoints.CHECKSUMS), "garbage\n");
        DataFileException x = assertThrows(DataFileException.class, () -> Checkpoints.read(dir, Backends.cpu()));
        assertTrue(x.getMessage().contains(Checkpoints.CHECKSUMS), x.getMessage());
        Files.delete(dir.resolve(Checkpoints.CHECKSUMS));
        assertThrows(DataFileException.class, () -> Checkpoints.read(dir, Backends.cpu()));
    }

    @Test
    void newestValidFallsBackToThePreviousAndSaysWhy(@TempDir Path run) throws Exception {
        save(run, 1, 3);
        Path newest = save(run, 2, 3);
        Files.write(newest.resolve(Checkpoints.TENSORS), new byte[] {1, 2, 3});
        List<String> warnings = new ArrayList<>();
        try (Checkpoints.Loaded c = Checkpoints.newestValid(run, Backends.cpu(), warnings::add)) {
            assertNotNull(c);
            assertEquals(1, c.step());
        }
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("step-000000000002") && warnings.get(0).contains("checksum"), warnings.get(0));
        // the run resumes at step 1: the corrupt step 2 moves aside, so step 2 can be written again
        Files.writeString(run.resolve(MetricsLog.CSV), "split,step\ntrain,2\n");
        Path aside = Checkpoints.setAsideAfter(run, 1);
        assertEquals(run.resolve("checkpoints/abandoned-after-000000000001"), aside);
        assertTrue(Files.isRegularFile(aside.resolve("step-000000000002").resolve(Checkpoints.TENSORS)));
        assertEquals("split,step\ntrain,2\n", Files.readString(aside.resolve(MetricsLog.CSV)));
        assertEquals(List.of(run.resolve("checkpoints/step-000000000001")), Checkpoints.list(run));
        try (Checkpoints.Loaded c = Checkpoints.read(save(run, 2, 3), Backends.cpu())) {
            assertEquals(2, c.step());
        }
        assertNull(Checkpoints.setAsideAfter(run, 2), "nothing after the newest");
        save(run, 3, 3);
        assertEquals(run.resolve("checkpoints/abandoned-after-000000000001-2"), Checkpoints.setAsideAfter(run, 1), "a second branch, a second folder");
    }
}
