package org.dgm4j.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real MPI jobs: mpirun starts {@link MpiWorker} as 2 (and 3) JVMs, which select the communicator
 * with "auto" and check all-reduce sums (exact to the bit with 2 ranks), broadcasts of tensors and
 * bytes, and the mismatch check; the float64 results must have the same digest on every rank.
 * Skipped where mpirun is missing or libdgm4j_mpi was built without MPI.
 *
 * <p>java is started through {@code env}: Open MPI's mpirun rewrites the command line of an
 * application named java, taking the first argument containing "cp" (here
 * -Dorg.bytedeco.javacpp.cachedir=...) for the class-path option (see package-info).
 */
class MpiCommunicatorTest {
    private Path mpirun;

    /** Per test (not per class), so each skip is counted and carries the reason. */
    @BeforeEach
    void needsMpi() {
        mpirun = JavaProcess.onPath("mpirun");
        assumeTrue(mpirun != null, "mpirun not on PATH (install openmpi-bin)");
        MpiProbe.Result probe = MpiProbe.probe();
        assumeTrue(probe.available(), () -> "MPI not usable: " + probe.reason());
    }

    private String job(int ranks, String... workerArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(mpirun.toString(), "--allow-run-as-root", "--oversubscribe",
                "--bind-to", "none", "-np", Integer.toString(ranks), "env"));
        cmd.addAll(JavaProcess.java(List.of(), MpiWorker.class, workerArgs));
        JavaProcess.Result r = JavaProcess.run(cmd, 120);
        assertEquals(0, r.exit(), () -> "mpirun failed:\n" + r.output());
        return r.output();
    }

    /** Every rank printed OK and the same float64 digest, and rank 0 logged the choice and why not NCCL. */
    private static void checkRanks(String out, int ranks, String notNccl) {
        for (int r = 0; r < ranks; r++) {
            assertTrue(out.contains("rank " + r + " size " + ranks + " mpi rank " + r + " of " + ranks), out);
            assertTrue(out.contains("rank " + r + " OK"), out);
            assertTrue(out.contains("rank " + r + " config lr=1e-3 µ"), out);
            assertTrue(out.contains("rank " + r + " mismatch detected"), out);
        }
        Matcher m = Pattern.compile("rank (\\d+) f64-digest ([0-9a-f]{64})").matcher(out);
        Set<String> digests = new TreeSet<>();
        int seen = 0;
        while (m.find()) {
            digests.add(m.group(2));
            seen++;
        }
        assertEquals(ranks, seen, out);
        assertEquals(1, digests.size(), "float64 all-reduce results differ between ranks:\n" + out);
        assertTrue(out.contains("(auto: OMPI_COMM_WORLD_SIZE=" + ranks + "; not nccl: " + notNccl + ")"), "the choice is logged once, by rank 0:\n" + out);
    }

    @Test
    void twoRanksAllReduce() throws Exception {
        checkRanks(job(2, "check", "allreduce", "4096"), 2, "the backend is cpu (NCCL reduces CUDA tensors)");
    }

    @Test
    void twoRanksReduceThenBroadcast() throws Exception {
        checkRanks(job(2, "check", "reduce_broadcast", "4096"), 2, "the backend is cpu (NCCL reduces CUDA tensors)");
    }

    /**
     * Three ranks: the summation order is no longer a single addition; large buckets take MPI's ring
     * path. The run's backend is cuda here: without a GPU (or without NCCL) auto falls back to MPI
     * and its log line says why.
     */
    @Test
    void threeRanksSameBitsEverywhere() throws Exception {
        String notNccl = Communicators.whyNotNccl("cuda");
        assumeTrue(notNccl != null, "NCCL is usable here: three ranks would need three GPUs");
        checkRanks(job(3, "check", "allreduce", Long.toString(1 << 20), "cuda"), 3, notNccl);
    }
}
