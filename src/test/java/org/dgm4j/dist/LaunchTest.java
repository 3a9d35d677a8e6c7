package org.dgm4j.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LaunchTest {
    @Test
    void launchersAreRecognized() {
        assertEquals(new Launch(4, "OMPI_COMM_WORLD_SIZE=4"), Launch.detect(Map.of("OMPI_COMM_WORLD_SIZE", "4", "PMI_SIZE", "2")));
        assertEquals(new Launch(3, "PMI_SIZE=3"), Launch.detect(Map.of("PMI_SIZE", "3")));
        assertEquals(new Launch(8, "SLURM_STEP_NUM_TASKS=8"), Launch.detect(Map.of("SLURM_STEP_NUM_TASKS", "8", "SLURM_NTASKS", "16")));
        assertEquals(new Launch(2, "SLURM_NTASKS=2"), Launch.detect(Map.of("SLURM_NTASKS", "2", "SLURM_STEP_ID", "0")));
        assertTrue(Launch.detect(Map.of("OMPI_COMM_WORLD_SIZE", "2")).multiProcess());
    }

    @Test
    void oneProcessIsNotALaunch() {
        assertFalse(Launch.detect(Map.of()).multiProcess());
        assertFalse(Launch.detect(Map.of("OMPI_COMM_WORLD_SIZE", "1")).multiProcess());
        // a batch script has the allocation's SLURM_NTASKS but runs as one process
        assertFalse(Launch.detect(Map.of("SLURM_NTASKS", "4", "SLURM_PROCID", "0")).multiProcess());
        // garbage is ignored, the next variable counts
        assertEquals(new Launch(2, "PMI_SIZE=2"), Launch.detect(Map.of("OMPI_COMM_WORLD_SIZE", "two", "PMI_SIZE", "2")));
        assertEquals(new Launch(1, ""), Launch.detect(Map.of("PMI_SIZE", "0")));
    }

    @Test
    void localRankPicksTheGpu() {
        assertEquals(new Launch.LocalRank(3, "OMPI_COMM_WORLD_LOCAL_RANK=3"),
                Launch.localRank(Map.of("OMPI_COMM_WORLD_LOCAL_RANK", "3", "SLURM_LOCALID", "1")));
        assertEquals(new Launch.LocalRank(1, "SLURM_LOCALID=1"), Launch.localRank(Map.of("SLURM_LOCALID", "1")));
        assertEquals(new Launch.LocalRank(2, "MPI_LOCALRANKID=2"), Launch.localRank(Map.of("MPI_LOCALRANKID", "2")));
        assertEquals(new Launch.LocalRank(0, ""), Launch.localRank(Map.of()));
        assertEquals(new Launch.LocalRank(1, "SLURM_LOCALID=1"), Launch.localRank(Map.of("OMPI_COMM_WORLD_LOCAL_RANK", "x", "SLURM_LOCALID", "1")));
    }
}
