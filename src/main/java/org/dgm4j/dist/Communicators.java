package org.dgm4j.dist;

import java.util.Map;
import java.util.Objects;
import java.util.logging.Logger;
import org.dgm4j.backend.Backends;
import org.dgm4j.backend.cuda.CudaBackend;
import org.dgm4j.backend.cuda.CudaProbe;

/**
 * Chooses the communicator: {@code auto}, {@code local}, {@code mpi} (fails with the probe's
 * reason where MPI is unusable; a single process started without a launcher becomes an MPI job of
 * size 1) or {@code nccl} (GPU-to-GPU collectives of CUDA tensors, see {@link NcclCommunicator};
 * fails with the NCCL probe's reason where NCCL is unusable; over MPI when a launcher started
 * several processes, over the local communicator for one process). {@code auto} picks nccl when a
 * launcher started several processes, the backend is CUDA and the NCCL probe succeeds; else mpi
 * when a launcher started several processes; else local. The choice and its reason (for auto: why
 * not nccl) are logged in one line, by rank 0. MPI and NCCL are initialized by the choice itself, so
 * select once per process and close the communicator at the end (MPI_Finalize).
 *
 * <p>NCCL and the CUDA device: the choice creates the CUDA backend on device (local rank modulo the
 * devices this process sees), OMPI_COMM_WORLD_LOCAL_RANK / SLURM_LOCALID / MPI_LOCALRANKID giving
 * the local rank; so select the communicator before the backend ({@code Backends.select} then
 * returns that backend). Where the launcher gives each process one GPU (CUDA_VISIBLE_DEVICES), that
 * is device 0.
 */
public final class Communicators {
    private static final Logger LOG = Logger.getLogger(Communicators.class.getName());

    /** How {@link Communicator#allReduceSum} sums a bucket (MPI; see {@link MpiCommunicator}). */
    public enum Summation {
        /** One MPI_Allreduce per bucket: the fastest; the same bits on every rank with Open MPI. */
        ALLREDUCE,
        /** MPI_Reduce to rank 0, then MPI_Bcast: the same bits on every rank with any MPI. */
        REDUCE_BROADCAST
    }

    /**
     * @param bucketBytes bytes per bucket (a multiple of 8 in [8, 1 GiB]): larger buckets mean fewer,
     *                    larger messages; each MPI rank keeps one host staging buffer of this size
     * @param summation   how a bucket is summed
     */
    public record Options(long bucketBytes, Summation summation) {
        public Options {
            Buckets.checkBucketBytes(bucketBytes);
            Objects.requireNonNull(summation, "summation");
        }

        public static Options defaults() {
            return new Options(Communicator.DEFAULT_BUCKET_BYTES, Summation.ALLREDUCE);
        }
    }

    private Communicators() {}

    /** {@link #select(String, Options)} with {@link Options#defaults()}. */
    public static Communicator select(String choice) {
        return select(choice, Options.defaults());
    }

    /** {@link #select(String, String, Options)} for the backend now current ({@code cuda} when it is a device backend). */
    public static Communicator select(String choice, Options options) {
        return select(choice, currentBackendChoice(), options, System.getenv());
    }

    /**
     * Resolves {@code auto | local | mpi | nccl} for a run on {@code backendChoice} ({@code auto |
     * cpu | cuda}, as for {@link Backends#select}) and logs the choice with its reason.
     */
    public static Communicator select(String choice, String backendChoice, Options options) {
        return select(choice, backendChoice, options, System.getenv());
    }

    static Communicator select(String choice, Options options, Map<String, String> env) {
        return select(choice, currentBackendChoice(), options, env);
    }

    private static String currentBackendChoice() {
        return Backends.current().isHost() ? "cpu" : "cuda";
    }

    static Communicator select(String choice, String backendChoice, Options options, Map<String, String> env) {
        Objects.requireNonNull(options, "options");
        Communicator chosen;
        String reason;
        switch (choice) {
            case "local" -> {
                chosen = new LocalCommunicator(options.bucketBytes());
                reason = "requested";
            }
            case "mpi" -> {
                chosen = MpiCommunicator.open(options); // throws with the probe's reason
                reason = "requested";
            }
            case "nccl" -> {
                String why = whyNotNccl(backendChoice);
                if (why != null) throw new IllegalStateException("dist.backend=nccl: " + why);
                chosen = openNccl(options, env);
                reason = "requested";
            }
            case "auto" -> {
                Launch launch = Launch.detect(env);
                if (!launch.multiProcess()) {
                    chosen = new LocalCommunicator(options.bucketBytes());
                    reason = "auto: not started as several processes by mpirun or srun";
                } else {
                    MpiProbe.Result probe = MpiProbe.probe();
                    // Running on as one of several independent copies would have every copy train
                    // alone and write rank 0's files into the same place: refuse instead.
                    if (!probe.available()) {
                        throw new IllegalStateException("started as one of " + launch.size() + " processes (" + launch.source()
                                + ") but MPI is not usable: " + probe.reason());
                    }
                    String notNccl = whyNotNccl(backendChoice);
                    chosen = notNccl == null ? openNccl(options, env) : MpiCommunicator.open(options);
                    reason = "auto: " + launch.source() + (notNccl == null ? ", backend cuda, " + NcclProbe.probe().reason() : "; not nccl: " + notNccl);
                    if (chosen.size() != launch.size()) {
                        reason += "; MPI reports " + chosen.size() + " processes: was it started by the launcher of this MPI?";
                    }
                }
            }
            default -> throw new IllegalArgumentException("communicator must be auto, local, mpi or nccl, found '" + choice + "'");
        }
        if (chosen.isRoot()) LOG.info("communicator " + chosen.describe() + " (" + reason + ")"); // one line per job
        return chosen;
    }

    /**
     * Why NCCL cannot serve a run on {@code backendChoice}, or null when it can. Probes NCCL (and
     * so CUDA) only for a run that may use the CUDA backend.
     */
    static String whyNotNccl(String backendChoice) {
        switch (backendChoice) {
            case "cpu" -> {
                return "the backend is cpu (NCCL reduces CUDA tensors)";
            }
            case "auto", "cuda" -> {
                CudaProbe.Result cuda = CudaProbe.probe();
                if (!cuda.available()) return "the backend is " + backendChoice + " and CUDA is not usable: " + cuda.reason();
                NcclProbe.Result nccl = NcclProbe.probe();
                return nccl.available() ? null : "NCCL is not usable: " + nccl.reason();
            }
            default -> throw new IllegalArgumentException("backend must be auto, cpu or cuda, found '" + backendChoice + "'");
        }
    }

    /**
     * The host communicator (MPI when a launcher started several processes, else local), the CUDA
     * backend on this process's device, and NCCL over them. A rank of a job whose NCCL setup failed
     * reports it and aborts the job (the others would wait for it); one process closes what it opened.
     */
    private static Communicator openNccl(Options options, Map<String, String> env) {
        Launch launch = Launch.detect(env);
        Communicator host = launch.multiProcess() ? MpiCommunicator.open(options) : new LocalCommunicator(options.bucketBytes());
        try {
            int devices = CudaProbe.probe().devices().size();
            Launch.LocalRank local = Launch.localRank(env);
            CudaBackend backend = CudaProbe.backend(local.rank() % devices);
            return NcclCommunicator.open(host, backend);
        } catch (RuntimeException e) {
            if (host.size() > 1) {
                System.err.println("dgm4j: rank " + host.rank() + ": " + e.getMessage() + "; aborting the job");
                System.err.flush();
                host.abort(1);
            }
            host.close();
            throw e;
        }
    }
}
