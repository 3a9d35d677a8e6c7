package org.dgm4j.dist;

import static org.bytedeco.cuda.global.nccl.NCCL_UNIQUE_ID_BYTES;
import static org.bytedeco.cuda.global.nccl.ncclAllReduce;
import static org.bytedeco.cuda.global.nccl.ncclBroadcast;
import static org.bytedeco.cuda.global.nccl.ncclCommAbort;
import static org.bytedeco.cuda.global.nccl.ncclCommDestroy;
import static org.bytedeco.cuda.global.nccl.ncclCommInitRank;
import static org.bytedeco.cuda.global.nccl.ncclFloat32;
import static org.bytedeco.cuda.global.nccl.ncclFloat64;
import static org.bytedeco.cuda.global.nccl.ncclGetErrorString;
import static org.bytedeco.cuda.global.nccl.ncclGetLastError;
import static org.bytedeco.cuda.global.nccl.ncclGetUniqueId;
import static org.bytedeco.cuda.global.nccl.ncclInt8;
import static org.bytedeco.cuda.global.nccl.ncclSuccess;
import static org.bytedeco.cuda.global.nccl.ncclSum;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.nccl.ncclComm;
import org.bytedeco.cuda.nccl.ncclUniqueId;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.dgm4j.backend.cuda.CudaBackend;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Storage;
import org.dgm4j.tensor.Tensor;

/**
 * The ranks of a data-parallel job on GPUs: collectives on CUDA tensors run GPU to GPU through NCCL
 * (the CUDA presets' binding), enqueued on the CUDA backend's stream, so they are ordered with the
 * kernels before and after them and the host does not wait. Everything else goes through the
 * <em>host</em> communicator it wraps (MPI in a job started by mpirun or srun, the local one for a
 * single process): rank and size, the NCCL unique id (created by rank 0, broadcast as bytes), byte
 * broadcasts, the barrier, abort, and collectives on lists of host tensors (the trainer's votes and
 * checks), so one communicator serves the whole job.
 *
 * <p>Buckets are those of {@link Buckets#plan}, in list order: a bucket that is one range of one
 * tensor is reduced in place, any other is gathered into a device staging buffer of one bucket
 * (allocated at {@link #open}, freed at {@link #close}) and scattered back with device-to-device
 * copies on the same stream. A list may mix tensors of this communicator's CUDA backend (through
 * NCCL) and host tensors (through the host communicator, after the device part was queued); each part
 * keeps its list order. Tensors of another device backend are refused; float32 and float64.
 *
 * <p>Same bits on every rank: NCCL's ring and tree algorithms compute each final sum once and copy
 * it to the other ranks, so every rank receives the same bits (by construction, not a documented
 * promise; the trainer's end-of-run parameter digest would catch a difference). Which algorithm runs
 * depends on the message size and the topology, never on timing.
 *
 * <p>One GPU per process: {@link Communicators#select} picks the device by local rank (modulo the
 * devices the process sees). A single GPU cannot host two ranks of one NCCL communicator.
 * Thread safety: methods are synchronized.
 */
public final class NcclCommunicator implements Communicator {
    private final Communicator host;
    private final CudaBackend backend;
    private final ncclComm comm;
    private final CUstream_st stream;
    private final Storage staging;
    private final long bucketBytes;
    private final String version;
    private final Buckets.DeviceCollective device = new Device();
    private boolean closed;

    private NcclCommunicator(Communicator host, CudaBackend backend, ncclComm comm, Storage staging, String version) {
        this.host = host;
        this.backend = backend;
        this.comm = comm;
        this.stream = new CUstream_st(backend.stream()); // a view of the backend's stream, never destroyed here
        this.staging = staging;
        this.bucketBytes = host.bucketBytes();
        this.version = version;
    }

    /**
     * Builds the NCCL communicator of every rank of {@code host} on {@code backend}'s device
     * (collective: every rank calls it): rank 0 creates the unique id, {@code host} broadcasts it,
     * ncclCommInitRank joins. Buckets have {@code host.bucketBytes()}. Throws IllegalStateException
     * with the probe's reason where NCCL is unusable (checked before any collective), and
     * CommunicatorException naming the NCCL call and its error otherwise. On success the new
     * communicator owns {@code host} (closes it); on failure the caller still does.
     */
    public static NcclCommunicator open(Communicator host, CudaBackend backend) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(backend, "backend");
        NcclProbe.Result probe = NcclProbe.probe();
        if (!probe.available()) throw new IllegalStateException("NCCL is not usable: " + probe.reason());
        // The unique id: rank 0 creates it; on failure it sends no bytes, so the others fail too instead of waiting.
        byte[] id = null;
        String failure = null;
        if (host.isRoot()) {
            try (ncclUniqueId u = new ncclUniqueId()) {
                int status = ncclGetUniqueId(u);
                if (status == ncclSuccess) {
                    id = new byte[NCCL_UNIQUE_ID_BYTES];
                    for (int i = 0; i < id.length; i++) id[i] = u.internal(i);
                } else {
                    failure = message("ncclGetUniqueId", status, null);
                    id = new byte[0];
                }
            }
        }
        id = host.broadcast(id, 0);
        if (failure != null) throw new CommunicatorException(failure);
        if (id.length != NCCL_UNIQUE_ID_BYTES) {
            throw new CommunicatorException("nccl: rank 0 could not create the NCCL unique id (got " + id.length + " bytes; see rank 0's error)");
        }
        backend.makeCurrent(); // ncclCommInitRank joins on the calling thread's current device
        ncclComm comm;
        try (ncclUniqueId u = new ncclUniqueId(); PointerPointer<Pointer> out = new PointerPointer<>(1)) {
            for (int i = 0; i < id.length; i++) u.internal(i, id[i]);
            check(ncclCommInitRank(out, host.size(), u, host.rank()), "ncclCommInitRank(" + host.size() + " ranks, rank " + host.rank()
                    + ", " + backend.name() + ")", null);
            comm = new ncclComm(out.get(0));
        }
        Storage staging;
        try {
            staging = backend.allocate(host.bucketBytes());
        } catch (RuntimeException | OutOfMemoryError e) {
            ncclCommDestroy(comm);
            throw e;
        }
        return new NcclCommunicator(host, backend, comm, staging, probe.reason());
    }

    private static String message(String call, int status, ncclComm comm) {
        BytePointer s = ncclGetErrorString(status);
        String text = s == null || s.isNull() ? "error " + status : s.getString();
        BytePointer last = ncclGetLastError(comm);
        String detail = last == null || last.isNull() ? "" : last.getString().strip();
        return "nccl: " + call + " failed: " + text + " (ncclResult_t " + status + ")" + (detail.isEmpty() ? "" : ": " + detail);
    }

    private static void check(int status, String call, ncclComm comm) {
        if (status != ncclSuccess) throw new CommunicatorException(message(call, status, comm));
    }

    @Override
    public String name() {
        return "nccl";
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "nccl rank %d of %d on %s (%s, %s buckets; bytes and host tensors over %s)", rank(), size(),
                backend.name(), version, MpiCommunicator.bytes(bucketBytes), host.name());
    }

    @Override
    public int rank() {
        return host.rank();
    }

    @Override
    public int size() {
        return host.size();
    }

    @Override
    public long bucketBytes() {
        return bucketBytes;
    }

    /** The CUDA backend whose tensors this communicator reduces. */
    public CudaBackend backend() {
        return backend;
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("nccl communicator used after close()");
    }

    private void checkRoot(int root) {
        if (root < 0 || root >= size()) throw new IllegalArgumentException("root " + root + " is not a rank of a world of size " + size());
    }

    /**
     * The list split by where the tensors live, each part in list order: [0] those on this
     * communicator's CUDA backend (NCCL), [1] host tensors (the host communicator). Every rank passes
     * the same list, so every rank splits it alike. Throws IllegalArgumentException naming a tensor
     * on any other backend.
     */
    private List<List<Tensor>> split(List<Tensor> tensors, String what) {
        List<Tensor> device = new ArrayList<>(), onHost = new ArrayList<>();
        for (Tensor t : tensors) {
            if (t == null) throw new IllegalArgumentException("null tensor in the list");
            if (t.backend() == backend) {
                device.add(t);
            } else if (t.backend().isHost()) {
                onHost.add(t);
            } else {
                throw new IllegalArgumentException("nccl " + what + ": tensor " + t.describe() + " is on backend " + t.backend().name()
                        + ", not on this communicator's " + backend.name() + " (NCCL reduces that backend's tensors, the host communicator host tensors)");
            }
        }
        return List.of(device, onHost);
    }

    /** Device tensors through NCCL (queued on the stream), then host tensors through the host communicator. */
    @Override
    public synchronized void allReduceSum(List<Tensor> tensors) {
        ensureOpen();
        Buckets.checkDistinct(tensors);
        List<List<Tensor>> parts = split(tensors, "allReduceSum");
        if (!parts.get(0).isEmpty()) Buckets.allReduceSumOnDevice(parts.get(0), bucketBytes, staging, device);
        if (!parts.get(1).isEmpty()) host.allReduceSum(parts.get(1));
    }

    @Override
    public synchronized void broadcast(List<Tensor> tensors, int root) {
        ensureOpen();
        checkRoot(root);
        Buckets.checkDistinct(tensors);
        List<List<Tensor>> parts = split(tensors, "broadcast");
        if (!parts.get(0).isEmpty()) Buckets.broadcastOnDevice(parts.get(0), root, rank(), bucketBytes, staging, device);
        if (!parts.get(1).isEmpty()) host.broadcast(parts.get(1), root);
    }

    @Override
    public synchronized byte[] broadcast(byte[] data, int root) {
        ensureOpen();
        return host.broadcast(data, root);
    }

    @Override
    public synchronized void barrier() {
        ensureOpen();
        backend.synchronize(); // this rank's queued collectives done
        host.barrier();
    }

    /**
     * Aborts the NCCL communicator (ncclCommAbort, which also ends its pending operations), waiting
     * at most 10 s for it, then ends the job through the host communicator (MPI_Abort). Not
     * synchronized: it may be called while another thread waits in a collective.
     */
    @Override
    public void abort(int errorCode) {
        Thread t = new Thread(() -> ncclCommAbort(comm), "nccl-abort");
        t.setDaemon(true);
        t.start();
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        host.abort(errorCode);
    }

    /**
     * Waits for the stream, destroys the NCCL communicator, frees the staging buffer, then closes
     * the host communicator (MPI_Finalize: collective). Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            backend.synchronize();
            check(ncclCommDestroy(comm), "ncclCommDestroy", null);
        } finally {
            try {
                backend.free(staging);
            } finally {
                host.close();
            }
        }
    }

    private static int ncclType(DType dtype) {
        return switch (dtype) {
            case F32 -> ncclFloat32;
            case F64 -> ncclFloat64;
        };
    }

    /** Device address of byte {@code at} of a storage of this backend. */
    private static Pointer at(Storage s, long byteOffset) {
        return new Pointer(s.pointer()).position(byteOffset);
    }

    /** NCCL's in-place collectives on the backend's stream, and the stream's device-to-device copy. */
    private final class Device implements Buckets.DeviceCollective {
        @Override
        public void allReduceSum(DType dtype, Storage buf, long byteOffset, long count) {
            Pointer p = at(buf, byteOffset);
            check(ncclAllReduce(p, p, count, ncclType(dtype), ncclSum, comm, stream), "ncclAllReduce of " + count + " " + dtype, comm);
        }

        @Override
        public void broadcast(Storage buf, long byteOffset, long bytes, int root) {
            Pointer p = at(buf, byteOffset);
            check(ncclBroadcast(p, p, bytes, ncclInt8, root, comm, stream), "ncclBroadcast of " + bytes + " bytes from rank " + root, comm);
        }

        @Override
        public void copy(Storage src, long srcByteOffset, Storage dst, long dstByteOffset, long bytes) {
            backend.copyWithin(src, srcByteOffset, dst, dstByteOffset, bytes);
        }
    }
}
