package org.dgm4j.backend.cpu;

import org.bytedeco.javacpp.Pointer;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.CheckedKernels;
import org.dgm4j.backend.Kernels;
import org.dgm4j.tensor.Storage;

/**
 * The CPU backend: host memory from malloc (freed explicitly, never tracked by the GC), oneDNN for
 * float32 matmul and convolution, readable multi-threaded Java loops for everything else.
 */
public final class CpuBackend implements Backend {
    private static final CpuBackend INSTANCE = new CpuBackend();
    private final Kernels kernels = new CheckedKernels(this, new CpuKernels());

    private CpuBackend() {}

    /**
     * Whether float32 matmuls with a degenerate side run as Java loops on the calling thread (the
     * default; see SmallMatmul) or on oneDNN like the rest. For tests and benchmarks.
     */
    public static void setSmallMatmulInJava(boolean on) {
        SmallMatmul.enabled = on;
    }

    public static CpuBackend get() {
        return INSTANCE;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Kernels kernels() {
        return kernels;
    }

    @Override
    public boolean isHost() {
        return true;
    }

    @Override
    public Storage allocate(long bytes) {
        Pointer p = Pointer.malloc(bytes);
        if (p == null || p.isNull()) throw new OutOfMemoryError("cpu: malloc of " + bytes + " bytes failed");
        return new Storage(this, p, bytes);
    }

    @Override
    public void free(Storage storage) {
        Pointer.free(storage.pointer());
    }

    @Override
    public void copyFromHost(Pointer host, Storage dst, long dstByteOffset, long bytes) {
        Pointer.memcpy(new Pointer(dst.pointer()).position(dstByteOffset), host, bytes);
    }

    @Override
    public void copyToHost(Storage src, long srcByteOffset, Pointer host, long bytes) {
        Pointer.memcpy(host, new Pointer(src.pointer()).position(srcByteOffset), bytes);
    }
}
