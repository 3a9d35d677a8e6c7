package org.dgm4j.dist;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.dgm4j.backend.Backends;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Storage;
import org.dgm4j.tensor.Tensor;

/**
 * Fixed-order buckets of a tensor list, and their run through a collective on host memory. The plan
 * depends only on the dtypes and sizes in the list and on the bucket size, so every rank issues the
 * same collectives with the same counts in the same order, whatever the timing.
 *
 * <p>Rules, in list order: consecutive tensors of one dtype share a bucket while they fit; a tensor
 * that does not fit in what is left starts a new bucket; a tensor larger than a bucket gets buckets
 * of its own (pieces of {@code bucketBytes}, the last one shorter). Empty tensors are skipped.
 *
 * <p>Running a bucket on host memory (MPI): a bucket that is one range of one host tensor goes to
 * the collective in place (no copy); any other bucket (several tensors, or device memory) is copied
 * into a host staging buffer of {@code bucketBytes}, reduced there, and copied back. On device memory
 * (NCCL): a bucket that is one range of one tensor is reduced in place, any other is gathered into a
 * device staging buffer and scattered back, every copy ordered with the collectives on the device's
 * stream. Either way the collective sees the same counts, so staging never changes a result.
 */
final class Buckets {
    /** A byte range of one tensor and where it sits in its bucket. */
    record Piece(Tensor tensor, long tensorByteOffset, long bucketByteOffset, long bytes) {}

    /** Consecutive pieces of one dtype; bytes = sum of the pieces' bytes, at most the bucket size. */
    record Bucket(DType dtype, long bytes, List<Piece> pieces) {
        long count() {
            return bytes / dtype.bytes();
        }
    }

    /** Collectives on host memory, in place, as the MPI shim offers them. */
    interface HostCollective {
        /** address[0..count) = sum over ranks, on every rank. */
        void allReduceSum(DType dtype, long address, long count);

        /** address[0..bytes) = root's bytes, on every rank. */
        void broadcast(long address, long bytes, int root);
    }

    /**
     * Collectives in place on the memory of one device backend, as NCCL offers them: queued on the
     * backend's stream in call order, like {@link #copy}.
     */
    interface DeviceCollective {
        /** buf[byteOffset ..) of count elements = sum over ranks, on every rank. */
        void allReduceSum(DType dtype, Storage buf, long byteOffset, long count);

        /** buf[byteOffset, byteOffset + bytes) = root's bytes, on every rank. */
        void broadcast(Storage buf, long byteOffset, long bytes, int root);

        /** Device-to-device copy, ordered with the collectives. */
        void copy(Storage src, long srcByteOffset, Storage dst, long dstByteOffset, long bytes);
    }

    /** Smallest accepted bucket: one float64. Largest: 1 GiB, so a bucket's count fits MPI's int. */
    static final long MIN_BUCKET_BYTES = 8, MAX_BUCKET_BYTES = 1L << 30;

    private Buckets() {}

    static long checkBucketBytes(long bucketBytes) {
        if (bucketBytes < MIN_BUCKET_BYTES || bucketBytes > MAX_BUCKET_BYTES || bucketBytes % 8 != 0) {
            throw new IllegalArgumentException("bucket size must be a multiple of 8 bytes in [8, 1 GiB], found " + bucketBytes);
        }
        return bucketBytes;
    }

    static List<Bucket> plan(List<Tensor> tensors, long bucketBytes) {
        checkBucketBytes(bucketBytes);
        List<Bucket> out = new ArrayList<>();
        List<Piece> open = new ArrayList<>();
        DType openType = null;
        long openBytes = 0;
        for (Tensor t : tensors) {
            long bytes = t.byteSize();
            if (bytes == 0) continue;
            if (!open.isEmpty() && (t.dtype() != openType || openBytes + bytes > bucketBytes)) {
                out.add(new Bucket(openType, openBytes, List.copyOf(open)));
                open.clear();
                openBytes = 0;
            }
            if (bytes > bucketBytes) {
                for (long at = 0; at < bytes; at += bucketBytes) {
                    long n = Math.min(bucketBytes, bytes - at);
                    out.add(new Bucket(t.dtype(), n, List.of(new Piece(t, at, 0, n))));
                }
                continue;
            }
            open.add(new Piece(t, 0, openBytes, bytes));
            openType = t.dtype();
            openBytes += bytes;
        }
        if (!open.isEmpty()) out.add(new Bucket(openType, openBytes, List.copyOf(open)));
        return out;
    }

    /**
     * Rejects closed tensors, a tensor listed twice and overlapping views of one storage: in-place
     * collectives would add such memory twice.
     */
    static void checkDistinct(List<Tensor> tensors) {
        Map<Storage, List<Tensor>> byStorage = new IdentityHashMap<>();
        for (Tensor t : tensors) {
            if (t == null) throw new IllegalArgumentException("null tensor in the list");
            t.ensureOpen();
            byStorage.computeIfAbsent(t.storage(), s -> new ArrayList<>()).add(t);
        }
        for (List<Tensor> views : byStorage.values()) {
            if (views.size() < 2) continue;
            List<Tensor> sorted = new ArrayList<>(views);
            sorted.sort((a, b) -> Long.compare(a.byteOffset(), b.byteOffset()));
            for (int i = 1; i < sorted.size(); i++) {
                Tensor prev = sorted.get(i - 1), cur = sorted.get(i);
                if (cur.byteSize() > 0 && prev.byteOffset() + prev.byteSize() > cur.byteOffset()) {
                    throw new IllegalArgumentException("tensors " + prev.describe() + " and " + cur.describe()
                            + " overlap in memory (the same tensor twice, or overlapping views)");
                }
            }
        }
    }

    /** Host address of a tensor's byte {@code at}; host backends only. */
    private static long address(Tensor t, long at) {
        return t.storage().pointer().address() + t.byteOffset() + at;
    }

    private static boolean inPlace(Bucket b) {
        return b.pieces().size() == 1 && b.pieces().get(0).tensor().backend().isHost();
    }

    /** Copies the bucket's pieces into {@code staging} (host memory of at least b.bytes()). */
    private static void gather(Bucket b, Pointer staging) {
        for (Piece p : b.pieces()) {
            Tensor t = p.tensor();
            t.backend().copyToHost(t.storage(), t.byteOffset() + p.tensorByteOffset(),
                    new Pointer(staging).position(p.bucketByteOffset()), p.bytes());
        }
    }

    private static void scatter(Bucket b, Pointer staging) {
        for (Piece p : b.pieces()) {
            Tensor t = p.tensor();
            t.backend().copyFromHost(new Pointer(staging).position(p.bucketByteOffset()), t.storage(),
                    t.byteOffset() + p.tensorByteOffset(), p.bytes());
        }
    }

    /** allReduceSum of a whole list through {@code c}, staging through {@code staging} where needed. */
    static void allReduceSum(List<Tensor> tensors, long bucketBytes, Pointer staging, HostCollective c) {
        checkDistinct(tensors);
        for (Bucket b : plan(tensors, bucketBytes)) {
            if (inPlace(b)) {
                Piece p = b.pieces().get(0);
                c.allReduceSum(b.dtype(), address(p.tensor(), p.tensorByteOffset()), b.count());
            } else {
                gather(b, staging);
                c.allReduceSum(b.dtype(), staging.address(), b.count());
                scatter(b, staging);
            }
        }
    }

    /** broadcast of a whole list from root through {@code c}; only the receivers copy back. */
    static void broadcast(List<Tensor> tensors, int root, int rank, long bucketBytes, Pointer staging, HostCollective c) {
        checkDistinct(tensors);
        for (Bucket b : plan(tensors, bucketBytes)) {
            if (inPlace(b)) {
                Piece p = b.pieces().get(0);
                c.broadcast(address(p.tensor(), p.tensorByteOffset()), b.bytes(), root);
            } else {
                if (rank == root) gather(b, staging);
                c.broadcast(staging.address(), b.bytes(), root);
                if (rank != root) scatter(b, staging);
            }
        }
    }

    /** allReduceSum of a whole list of device tensors through {@code c}; staging: device memory of at least bucketBytes. */
    static void allReduceSumOnDevice(List<Tensor> tensors, long bucketBytes, Storage staging, DeviceCollective c) {
        checkDistinct(tensors);
        for (Bucket b : plan(tensors, bucketBytes)) {
            if (b.pieces().size() == 1) {
                Piece p = b.pieces().get(0);
                c.allReduceSum(b.dtype(), p.tensor().storage(), p.tensor().byteOffset() + p.tensorByteOffset(), b.count());
            } else {
                for (Piece p : b.pieces()) c.copy(p.tensor().storage(), p.tensor().byteOffset() + p.tensorByteOffset(), staging, p.bucketByteOffset(), p.bytes());
                c.allReduceSum(b.dtype(), staging, 0, b.count());
                for (Piece p : b.pieces()) c.copy(staging, p.bucketByteOffset(), p.tensor().storage(), p.tensor().byteOffset() + p.tensorByteOffset(), p.bytes());
            }
        }
    }

    /** broadcast of a whole list of device tensors from root through {@code c}; only the receivers copy back. */
    static void broadcastOnDevice(List<Tensor> tensors, int root, int rank, long bucketBytes, Storage staging, DeviceCollective c) {
        checkDistinct(tensors);
        for (Bucket b : plan(tensors, bucketBytes)) {
            if (b.pieces().size() == 1) {
                Piece p = b.pieces().get(0);
                c.broadcast(p.tensor().storage(), p.tensor().byteOffset() + p.tensorByteOffset(), b.bytes(), root);
            } else {
                if (rank == root) {
                    for (Piece p : b.pieces()) c.copy(p.tensor().storage(), p.tensor().byteOffset() + p.tensorByteOffset(), staging, p.bucketByteOffset(), p.bytes());
                }
                c.broadcast(staging, 0, b.bytes(), root);
                if (rank != root) {
                    for (Piece p : b.pieces()) c.copy(staging, p.bucketByteOffset(), p.tensor().storage(), p.tensor().byteOffset() + p.tensorByteOffset(), p.bytes());
                }
            }
        }
    }

    // ---- verifySameTensors ------------------------------------------------------------------------

    /** The list's dtypes and shapes as bytes, e.g. "float32[256, 784];float32[256]". */
    static byte[] signature(List<Tensor> tensors) {
        StringBuilder s = new StringBuilder();
        for (Tensor t : tensors) s.append(s.length() > 0 ? ";" : "").append(t.dtype()).append(Arrays.toString(t.dims()));
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String describe(byte[] signature) {
        String s = new String(signature, StandardCharsets.UTF_8);
        int n = s.isEmpty() ? 0 : s.split(";", -1).length;
        return n + " tensors (" + (s.length() > 200 ? s.substring(0, 200) + "..." : s) + ")";
    }

    /** Number of ranks where {@code flag} is true, known on every rank. */
    static int countOnAllRanks(Communicator comm, boolean flag) {
        try (Tensor t = Tensor.of(Backends.cpu(), new double[] {flag ? 1 : 0}, Shape.of(1))) {
            comm.allReduceSum(Collections.singletonList(t));
            return (int) Math.round(t.toDoubleArray()[0]);
        }
    }
}
