package org.dgm4j.dist;

import java.util.Arrays;
import java.util.List;
import org.dgm4j.tensor.Tensor;

/**
 * The processes of one data-parallel job, numbered 0 .. size()-1, and the collectives they run
 * together. Implementations: {@link LocalCommunicator} (one process, every collective a no-op),
 * {@link MpiCommunicator} and {@link NcclCommunicator} (device-to-device reductions of CUDA
 * tensors). Obtain one from {@link Communicators#select}.
 *
 * <p>Collectives are blocking and every rank must call them in the same order with lists of the
 * same length, dtypes and shapes (as in MPI): a mismatch hangs or corrupts, so a trainer checks its
 * lists once with {@link #verifySameTensors}. Tensors may live on any backend; they are updated in
 * place and must be distinct (no tensor twice, no overlapping views).
 *
 * <p>Determinism: {@link #allReduceSum} splits the list into buckets in list order (a bucket holds
 * consecutive tensors of one dtype, at most {@link #bucketBytes()} bytes; a larger tensor is cut
 * into bucket-sized pieces), so the collectives issued depend only on the list and the bucket size,
 * never on timing. Each element is then the sum of the ranks' values in an order fixed by the
 * implementation for that size (see {@link MpiCommunicator} for MPI's guarantee that every rank
 * gets the same bits).
 *
 * <p>Lifetime: {@link #close()} is itself collective for MPI (MPI_Finalize); a rank that failed and
 * cannot reach the next collective calls {@link #abort} instead, which ends the whole job.
 */
public interface Communicator extends AutoCloseable {
    /** Default bucket size of {@link #allReduceSum}; see {@link Communicators.Options}. */
    long DEFAULT_BUCKET_BYTES = 8L << 20;

    /** {@code local}, {@code mpi} or {@code nccl}; {@link #describe()} gives details for logs. */
    String name();

    /** One line for logs, e.g. {@code mpi rank 1 of 4 (Open MPI v4.1.4, allreduce, 8 MiB buckets)}. */
    String describe();

    /** This process, 0 .. size()-1; rank 0 is the root that writes files and logs. */
    int rank();

    /** Number of processes in the job (1 for {@link LocalCommunicator}). */
    int size();

    default boolean isRoot() {
        return rank() == 0;
    }

    /** Bytes per bucket of {@link #allReduceSum} and {@link #broadcast(List, int)}. */
    long bucketBytes();

    /**
     * Replaces every tensor by the elementwise sum of that tensor over all ranks, in place
     * (float32 and float64; a mean is the sum scaled by 1/size()).
     * tensors: any shapes; the same list of dtypes and shapes on every rank.
     */
    void allReduceSum(List<Tensor> tensors);

    /**
     * Replaces every tensor by {@code root}'s copy of it, in place: for state computed on one rank
     * (data-dependent initialization on rank 0, a restored checkpoint).
     */
    void broadcast(List<Tensor> tensors, int root);

    /**
     * {@code root}'s bytes on every rank (a configuration, an NCCL unique id). data: the bytes on
     * root (not null there), ignored elsewhere (may be null); returns a copy of root's bytes.
     */
    byte[] broadcast(byte[] data, int root);

    /** Returns once every rank has called it. */
    void barrier();

    /**
     * Ends every process of the job with {@code errorCode} (MPI_Abort): for a rank that failed where
     * the others would wait for it forever. The local communicator exits this JVM.
     */
    void abort(int errorCode);

    /**
     * Checks that every rank passes the same dtypes and shapes, in the same order, as rank 0; throws
     * IllegalStateException on every rank when any rank differs (so none is left waiting). Costs two
     * small collectives: call it once per list (e.g. the parameters, at the start of training).
     */
    default void verifySameTensors(List<Tensor> tensors) {
        byte[] mine = Buckets.signature(tensors);
        byte[] root = broadcast(isRoot() ? mine : null, 0);
        boolean differs = !Arrays.equals(mine, root);
        int differing = Buckets.countOnAllRanks(this, differs);
        if (differing > 0) {
            throw new IllegalStateException(differing + " of " + size() + " ranks pass other tensors than rank 0"
                    + (differs ? ": rank " + rank() + " has " + Buckets.describe(mine) + ", rank 0 has " + Buckets.describe(root) : ""));
        }
    }

    /** Finalizes the communicator (collective for MPI). Idempotent. */
    @Override
    void close();
}
