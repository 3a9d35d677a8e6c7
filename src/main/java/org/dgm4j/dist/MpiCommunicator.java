package org.dgm4j.dist;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Tensor;

/**
 * The ranks of an MPI job (started by mpirun or srun), through the shim of native/mpi: collectives
 * run on host memory; host tensors are reduced in place, device tensors through a host staging
 * buffer of one bucket (allocated at {@link #open}, freed at {@link #close}).
 *
 * <p><b>Same bits on every rank.</b> With {@link Communicators.Summation#ALLREDUCE} (the default)
 * each bucket is one MPI_Allreduce. The MPI standard does not promise that all ranks receive the same
 * bits, but Open MPI's algorithms do deliver them for MPI_SUM: its tuned component picks the
 * algorithm from the communicator size and message size alone (equal on all ranks, since the buckets
 * are), and every one of them (recursive doubling, ring, segmented ring, Rabenseifner, and the
 * reduce + broadcast fallbacks) either has each partial sum computed by one rank and copied to the
 * others, or (recursive doubling) has both partners of a step combine the same two partial sums in
 * the same order, lower rank's first (coll_base_allreduce.c).
 * The mpirun test checks float64 results bit for bit on both ranks. Where another implementation or
 * component (vendor collectives, in-network reductions) is in use and that matters,
 * {@link Communicators.Summation#REDUCE_BROADCAST} makes it hold by construction: MPI_Reduce to rank 0,
 * then MPI_Bcast of rank 0's bits. Either way the result is also the same from run to run for the
 * same job size, bucket size and list, since no choice depends on timing.
 *
 * <p>Thread safety: methods are synchronized (MPI is initialized MPI_THREAD_SERIALIZED). MPI can be
 * initialized once per process, so {@link #open} succeeds at most once per JVM.
 */
public final class MpiCommunicator implements Communicator {
    private static boolean initialized; // guarded by MpiCommunicator.class

    private final int rank, size;
    private final long bucketBytes;
    private final Communicators.Summation summation;
    private final String library;
    private final Pointer staging;
    private final Buckets.HostCollective host = new Host();
    private boolean closed;

    private MpiCommunicator(int rank, int size, Communicators.Options options, String library, Pointer staging) {
        this.rank = rank;
        this.size = size;
        this.bucketBytes = options.bucketBytes();
        this.summation = options.summation();
        this.library = library;
        this.staging = staging;
    }

    /**
     * Initializes MPI (MPI_Init_thread) and returns this process's communicator. Throws
     * IllegalStateException with the probe's reason where MPI is unusable, and on a second call.
     */
    public static synchronized MpiCommunicator open(Communicators.Options options) {
        Objects.requireNonNull(options, "options");
        MpiProbe.Result probe = MpiProbe.probe();
        if (!probe.available()) throw new IllegalStateException("MPI is not usable: " + probe.reason());
        if (initialized) throw new IllegalStateException("MPI was already initialized (or tried) in this process: possible once per process");
        initialized = true;
        int rank, size, level;
        try (IntPointer r = new IntPointer(1); IntPointer s = new IntPointer(1); IntPointer l = new IntPointer(1)) {
            check(MpiNative.dgm4j_mpi_init(r, s, l), "MPI initialization");
            rank = r.get();
            size = s.get();
            level = l.get();
        }
        if (level < MpiNative.DGM4J_MPI_THREAD_SERIALIZED) {
            MpiNative.dgm4j_mpi_finalize();
            throw new IllegalStateException("MPI provides thread level " + level + " (0 single .. 3 multiple); dgm4j needs 2, serialized");
        }
        Pointer staging = Pointer.malloc(options.bucketBytes());
        if (staging == null || staging.isNull()) {
            MpiNative.dgm4j_mpi_finalize();
            throw new OutOfMemoryError("mpi: malloc of a " + options.bucketBytes() + "-byte staging buffer failed");
        }
        return new MpiCommunicator(rank, size, options, probe.reason(), staging);
    }

    static void check(int status, String what) {
        if (status == MpiNative.DGM4J_MPI_OK) return;
        String message = "mpi: " + what + " failed: " + MpiProbe.lastError();
        if (status == MpiNative.DGM4J_MPI_ERR_ARG) throw new IllegalArgumentException(message);
        if (status == MpiNative.DGM4J_MPI_ERR_STATE || status == MpiNative.DGM4J_MPI_ERR_NO_MPI) throw new IllegalStateException(message);
        throw new CommunicatorException(message);
    }

    @Override
    public String name() {
        return "mpi";
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "mpi rank %d of %d (%s, %s, %s buckets)", rank, size, library,
                summation.toString().toLowerCase(Locale.ROOT).replace('_', ' '), bytes(bucketBytes));
    }

    static String bytes(long n) {
        if (n % (1L << 20) == 0) return (n >> 20) + " MiB";
        if (n % (1L << 10) == 0) return (n >> 10) + " KiB";
        return n + " B";
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public long bucketBytes() {
        return bucketBytes;
    }

    public Communicators.Summation summation() {
        return summation;
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("mpi communicator used after close()");
    }

    private void checkRoot(int root) {
        if (root < 0 || root >= size) throw new IllegalArgumentException("root " + root + " is not a rank of a world of size " + size);
    }

    @Override
    public synchronized void allReduceSum(List<Tensor> tensors) {
        ensureOpen();
        Buckets.allReduceSum(tensors, bucketBytes, staging, host);
    }

    @Override
    public synchronized void broadcast(List<Tensor> tensors, int root) {
        ensureOpen();
        checkRoot(root);
        Buckets.broadcast(tensors, root, rank, bucketBytes, staging, host);
    }

    @Override
    public synchronized byte[] broadcast(byte[] data, int root) {
        ensureOpen();
        checkRoot(root);
        if (rank == root) Objects.requireNonNull(data, "broadcast: root's data is null");
        // The length first (receivers cannot know it), then the bytes.
        try (BytePointer length = new BytePointer(8)) {
            if (rank == root) length.putLong(0, data.length);
            check(MpiNative.dgm4j_mpi_bcast(length.address(), 8, root), "MPI_Bcast of a length");
            long n = length.getLong(0);
            if (n < 0 || n > Integer.MAX_VALUE - 8) throw new CommunicatorException("mpi: broadcast length " + n + " out of range");
            try (BytePointer buf = new BytePointer(Math.max(n, 1))) {
                if (rank == root) buf.put(data);
                check(MpiNative.dgm4j_mpi_bcast(buf.address(), n, root), "MPI_Bcast of " + n + " bytes");
                byte[] out = new byte[(int) n];
                buf.get(out);
                return out;
            }
        }
    }

    @Override
    public synchronized void barrier() {
        ensureOpen();
        check(MpiNative.dgm4j_mpi_barrier(), "MPI_Barrier");
    }

    /** Not synchronized: it may be called while another thread waits in a collective. */
    @Override
    public void abort(int errorCode) {
        check(MpiNative.dgm4j_mpi_abort(errorCode), "MPI_Abort"); // returns only when MPI_Abort failed
    }

    /** MPI_Finalize: collective, every rank calls it. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        Pointer.free(staging);
        check(MpiNative.dgm4j_mpi_finalize(), "MPI_Finalize");
    }

    /** The shim's in-place collectives on host addresses. */
    private final class Host implements Buckets.HostCollective {
        @Override
        public void allReduceSum(DType dtype, long address, long count) {
            if (summation == Communicators.Summation.ALLREDUCE) {
                check(MpiNative.dgm4j_mpi_allreduce_sum(dtype.ordinal(), address, count), "MPI_Allreduce of " + count + " " + dtype);
            } else {
                check(MpiNative.dgm4j_mpi_reduce_sum(dtype.ordinal(), address, count, 0), "MPI_Reduce of " + count + " " + dtype);
                check(MpiNative.dgm4j_mpi_bcast(address, count * dtype.bytes(), 0), "MPI_Bcast of " + count + " " + dtype);
            }
        }

        @Override
        public void broadcast(long address, long bytes, int root) {
            check(MpiNative.dgm4j_mpi_bcast(address, bytes, root), "MPI_Bcast of " + bytes + " bytes");
        }
    }
}
