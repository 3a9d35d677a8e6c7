package org.dgm4j.dist;

import java.util.Map;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * Chooses the communicator: {@code auto} (MPI when a launcher started several processes, else
 * local), {@code local}, or {@code mpi} (fails with the probe's reason where MPI is unusable; a
 * single process started without a launcher becomes an MPI job of size 1). The choice and its
 * reason are logged once, by rank 0. MPI is initialized by the choice itself, so select once per process and
 * close the communicator at the end (MPI_Finalize).
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

    /** Resolves {@code auto | local | mpi} and logs the choice with its reason. */
    public static Communicator select(String choice, Options options) {
        return select(choice, options, System.getenv());
    }

    static Communicator select(String choice, Options options, Map<String, String> env) {
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
                    chosen = MpiCommunicator.open(options);
                    reason = "auto: " + launch.source();
                    if (chosen.size() != launch.size()) {
                        reason += "; MPI reports " + chosen.size() + " processes: was it started by the launcher of this MPI?";
                    }
                }
            }
            default -> throw new IllegalArgumentException("communicator must be auto, local or mpi, found '" + choice + "'");
        }
        if (chosen.isRoot()) LOG.info("communicator " + chosen.describe() + " (" + reason + ")"); // one line per job
        return chosen;
    }
}
