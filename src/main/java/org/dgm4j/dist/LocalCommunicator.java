package org.dgm4j.dist;

import java.util.List;
import java.util.Objects;
import org.dgm4j.tensor.Tensor;

/**
 * A job of one process: rank 0 of 1. Collectives leave the data as it is (the sum over one rank is
 * the tensor itself) but check their arguments as the MPI communicator does, so single-process runs
 * catch the same mistakes.
 */
public final class LocalCommunicator implements Communicator {
    private final long bucketBytes;
    private boolean closed;

    public LocalCommunicator() {
        this(DEFAULT_BUCKET_BYTES);
    }

    public LocalCommunicator(long bucketBytes) {
        this.bucketBytes = Buckets.checkBucketBytes(bucketBytes);
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public String describe() {
        return "local (one process)";
    }

    @Override
    public int rank() {
        return 0;
    }

    @Override
    public int size() {
        return 1;
    }

    @Override
    public long bucketBytes() {
        return bucketBytes;
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("local communicator used after close()");
    }

    private static void checkRoot(int root) {
        if (root != 0) throw new IllegalArgumentException("root " + root + " is not a rank of a world of size 1");
    }

    @Override
    public void allReduceSum(List<Tensor> tensors) {
        ensureOpen();
        Buckets.checkDistinct(tensors);
    }

    @Override
    public void broadcast(List<Tensor> tensors, int root) {
        ensureOpen();
        checkRoot(root);
        Buckets.checkDistinct(tensors);
    }

    @Override
    public byte[] broadcast(byte[] data, int root) {
        ensureOpen();
        checkRoot(root);
        return Objects.requireNonNull(data, "broadcast: root's data is null").clone();
    }

    @Override
    public void barrier() {
        ensureOpen();
    }

    /** Exits this JVM with {@code errorCode}: the whole job is this process. */
    @Override
    public void abort(int errorCode) {
        System.exit(errorCode);
    }

    @Override
    public void close() {
        closed = true;
    }
}
