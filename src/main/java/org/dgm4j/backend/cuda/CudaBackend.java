package org.dgm4j.backend.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.CheckedKernels;
import org.dgm4j.backend.Kernels;
import org.dgm4j.tensor.Storage;

/**
 * One device (device 0 unless {@link CudaProbe#backend(int)} chose another) through our kernels
 * (native/cuda). One stream orders every copy and kernel of this backend, so the host never waits
 * except in {@link #copyToHost} and {@link #synchronize}; memory comes from a
 * {@link CachingAllocator}. Obtain it from {@link CudaProbe} only: the probe is the one place that
 * loads the native library.
 *
 * <p>Threads: the constructor makes the device current on the thread that creates the backend
 * (cudaSetDevice is per host thread). Device 0 is every thread's default; on another device, use
 * the backend from the creating thread (the trainer's), or start each process with
 * CUDA_VISIBLE_DEVICES naming its GPU so that it is device 0 everywhere.
 */
public final class CudaBackend implements Backend {
    private final int device;
    private final Pointer stream;
    /**
     * Exact-size blocks (no rounding) on the emulator, and on a GPU when the system property
     * {@code dgm4j.cuda.exactSizes} is true: scripts/gpu-check.sh sets it under compute-sanitizer, whose
     * memcheck then sees the exact end of every tensor instead of the end of a rounded block.
     */
    private final CachingAllocator allocator = new CachingAllocator(CudaProbe.emulated() || Boolean.getBoolean("dgm4j.cuda.exactSizes"));
    private final Kernels kernels;

    CudaBackend(int device) {
        this.device = device;
        check(CudaNative.dgm4j_set_device(device), "dgm4j_set_device(" + device + ")");
        try (PointerPointer<Pointer> out = new PointerPointer<>(1)) {
            check(CudaNative.dgm4j_stream_create(out), "dgm4j_stream_create");
            stream = new Pointer(out.get(0)); // lives as long as the JVM, like the backend
        }
        kernels = new CheckedKernels(this, new CudaKernels(this));
    }

    @Override
    public String name() {
        return "cuda:" + device;
    }

    /**
     * Makes this backend's device current on the calling thread (cudaSetDevice), for libraries that
     * work on the current device (ncclCommInitRank).
     */
    public void makeCurrent() {
        check(CudaNative.dgm4j_set_device(device), "dgm4j_set_device(" + device + ")");
    }

    /** The CUDA device number of this backend. */
    public int device() {
        return device;
    }

    @Override
    public Kernels kernels() {
        return kernels;
    }

    @Override
    public boolean isHost() {
        return false;
    }

    @Override
    public Storage allocate(long bytes) {
        return new Storage(this, allocator.allocate(bytes), bytes);
    }

    @Override
    public void free(Storage storage) {
        allocator.release(storage.pointer());
    }

    /**
     * Queued on the stream. Host memory here is pageable (malloc), for which CUDA returns only after
     * the data left the caller's buffer, so the caller may free it at once.
     */
    @Override
    public void copyFromHost(Pointer host, Storage dst, long dstByteOffset, long bytes) {
        check(CudaNative.dgm4j_memcpy_h2d(new Pointer(dst.pointer()).position(dstByteOffset), host, bytes, stream),
                "copy host to device");
    }

    /** Waits for the stream, so the host buffer holds the data on return. */
    @Override
    public void copyToHost(Storage src, long srcByteOffset, Pointer host, long bytes) {
        check(CudaNative.dgm4j_memcpy_d2h(host, new Pointer(src.pointer()).position(srcByteOffset), bytes, stream),
                "copy device to host");
        synchronize();
    }

    @Override
    public void synchronize() {
        check(CudaNative.dgm4j_stream_synchronize(stream), "synchronize");
    }

    /** Device memory held by tensors now, the peak so far, and the total the allocator keeps. */
    public CachingAllocator.Stats memoryStats() {
        return allocator.stats();
    }

    /** True when blocks have the exact requested size (see {@link #allocator}). */
    boolean exactSizes() {
        return allocator.exactSizes();
    }

    /** Returns cached, unused device memory to CUDA (other processes may then use it). */
    public void emptyCache() {
        synchronize();
        allocator.emptyCache();
    }

    /**
     * The cudaStream_t that orders this backend's work, for libraries that enqueue on it (NCCL);
     * owned by the backend, never destroyed by the caller.
     */
    public Pointer stream() {
        return stream;
    }

    /** Device-to-device copy of {@code bytes} bytes between storages of this backend, queued on the stream. */
    public void copyWithin(Storage src, long srcByteOffset, Storage dst, long dstByteOffset, long bytes) {
        if (src.backend() != this || dst.backend() != this) throw new IllegalArgumentException("copyWithin: storages of another backend");
        if (srcByteOffset < 0 || dstByteOffset < 0 || bytes < 0 || srcByteOffset + bytes > src.bytes() || dstByteOffset + bytes > dst.bytes()) {
            throw new IllegalArgumentException("copyWithin: " + bytes + " bytes at " + srcByteOffset + " -> " + dstByteOffset
                    + " outside storages of " + src.bytes() + " and " + dst.bytes() + " bytes");
        }
        check(CudaNative.dgm4j_memcpy_d2d(new Pointer(dst.pointer()).position(dstByteOffset), new Pointer(src.pointer()).position(srcByteOffset),
                bytes, stream), "copy device to device");
    }

    /** Throws the typed exception for a failed dgm4j call; {@code call} names the op or kernel. */
    static void check(int status, String call) {
        if (status == CudaNative.DGM4J_OK) return;
        String message = lastError();
        if (status == CudaNative.DGM4J_ERR_OOM) throw new CudaOutOfMemoryException(-1, -1, -1, call + ": " + message);
        throw new CudaException(call, status, message);
    }

    static String lastError() {
        BytePointer p = CudaNative.dgm4j_last_error();
        return p == null || p.isNull() ? "" : p.getString();
    }
}
