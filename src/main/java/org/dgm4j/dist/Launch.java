package org.dgm4j.dist;

import java.util.Map;

/**
 * How this process was started, read from the environment that launchers set for each rank.
 *
 * @param size   the number of processes the launcher started (1 when none is detected)
 * @param source the variable that said so, e.g. {@code OMPI_COMM_WORLD_SIZE=2}; "" when none
 */
public record Launch(int size, String source) {
    /**
     * Launcher variables, first match wins: Open MPI's mpirun (OMPI_COMM_WORLD_SIZE), MPICH/Hydra and
     * Slurm's PMI (PMI_SIZE), srun (SLURM_STEP_NUM_TASKS; SLURM_NTASKS inside an srun step only). A
     * batch script also has SLURM_NTASKS (the allocation's size) although it runs as one process, so
     * SLURM_NTASKS alone is not taken as a launch: there the job needs srun or mpirun.
     */
    static final String[] SIZE_VARIABLES = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"};

    /**
     * This process's rank among the job's processes on its node, from the launcher: Open MPI's
     * mpirun (OMPI_COMM_WORLD_LOCAL_RANK), srun (SLURM_LOCALID), MPICH/Hydra (MPI_LOCALRANKID);
     * first match wins. NCCL picks the GPU by it.
     */
    static final String[] LOCAL_RANK_VARIABLES = {"OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID", "MPI_LOCALRANKID"};

    /**
     * @param rank   the local rank (0 when no launcher says)
     * @param source the variable that said so, e.g. {@code SLURM_LOCALID=3}; "" when none
     */
    public record LocalRank(int rank, String source) {}

    public static LocalRank localRank(Map<String, String> env) {
        for (String name : LOCAL_RANK_VARIABLES) {
            String v = env.get(name);
            if (v == null) continue;
            try {
                int n = Integer.parseInt(v.strip());
                if (n >= 0) return new LocalRank(n, name + "=" + n);
            } catch (NumberFormatException e) {
                // not a launcher's value: the next variable counts
            }
        }
        return new LocalRank(0, "");
    }

    public static Launch detect(Map<String, String> env) {
        for (String name : SIZE_VARIABLES) {
            Launch l = parse(env, name);
            if (l != null) return l;
        }
        if (env.containsKey("SLURM_STEP_ID")) {
            Launch l = parse(env, "SLURM_NTASKS");
            if (l != null) return l;
        }
        return new Launch(1, "");
    }

    private static Launch parse(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null) return null;
        try {
            int n = Integer.parseInt(v.strip());
            return n >= 1 ? new Launch(n, name + "=" + n) : null;
        } catch (NumberFormatException e) {
            return null; // not a launcher's value: ignore it
        }
    }

    /** True when a launcher started more than one process. */
    public boolean multiProcess() {
        return size > 1;
    }
}
