package org.dgm4j.backend.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.CheckedKernels;
import org.dgm4j.backend.Kernels;
import org.dgm4j.tensor.Storage;

/**
 * Device 0 through our kernels (native/cuda). One stream orders every copy and kernel of this
 * backend, so the host never waits except in {@link #copyToHost} and {@link #synchronize}; memory
 * comes from a {@link CachingAllocator}. Obtain it from {@link CudaProbe#backend()} only: the probe
 * is the one place that loads the native library.
 */
public final class CudaBackend implements Backend {
    private final Pointer stream;
    /**
     * Exact-size blocks (no rounding) on the emulator, and on a GPU when the system property
     * {@code dgm4j.cuda.exactSizes} is true: scripts/gpu-check.sh sets it under compute-sanitizer, whose
     * memcheck then sees the exact end of every tensor instead of the end of a rounded block.
     */
    private final CachingAllocator allocator = new CachingAllocator(CudaProbe.emulated() || Boolean.getBoolean("dgm4j.cuda.exactSizes"));
    private final Kernels kernels;

    CudaBackend() {
        check(CudaNative.dgm4j_set_device(0), "dgm4j_set_device");
        try (PointerPointer<Pointer> out = new PointerPointer<>(1)) {
            check(CudaNative.dgm4j_stream_create(out), "dgm4j_stream_create");
            stream = new Pointer(out.get(0)); // lives as long as the JVM, like the backend
        }
        kernels = new CheckedKernels(this, new CudaKernels(this));
    }

    @Override
    public String name() {
        return "cuda:0";
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

    Pointer stream() {
        return stream;
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
