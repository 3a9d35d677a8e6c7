package org.dgm4j.backend.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Device memory for one backend: cudaMalloc/cudaFree synchronize the device and cost tens of
 * microseconds, so freed blocks are kept by size and handed out again. Sizes are rounded (512 B
 * steps below 1 MiB, 1 MiB steps above) so that tensors of nearby sizes share blocks. Reuse is safe
 * without events because the backend runs everything on one stream: a block freed after its last
 * kernel was queued is only reused by kernels queued later. When CUDA runs out, the cache is
 * returned to CUDA and the allocation retried once before {@link CudaOutOfMemoryException}.
 * On the emulator sizes are not rounded, so that AddressSanitizer sees the exact end of each tensor
 * (an access past it would otherwise land in the rounding slack); likewise on a GPU under
 * compute-sanitizer when asked (see {@link CudaBackend}).
 */
public final class CachingAllocator {
    /** Bytes held by live blocks, the maximum of that so far, and live plus cached blocks. */
    public record Stats(long currentBytes, long peakBytes, long reservedBytes) {}

    private final TreeMap<Long, ArrayDeque<Pointer>> cached = new TreeMap<>();
    private final Map<Long, Long> live = new HashMap<>(); // address -> rounded size
    private final boolean exactSizes;
    private long current, peak, cachedBytes;

    CachingAllocator(boolean exactSizes) {
        this.exactSizes = exactSizes;
    }

    boolean exactSizes() {
        return exactSizes;
    }

    static long round(long bytes) {
        long step = bytes < (1 << 20) ? 512 : 1 << 20;
        return Math.max(step, (bytes + step - 1) / step * step);
    }

    synchronized Pointer allocate(long bytes) {
        long size = exactSizes ? Math.max(bytes, 1) : round(bytes);
        ArrayDeque<Pointer> q = cached.get(size);
        Pointer p = q == null ? null : q.poll();
        if (p != null) {
            cachedBytes -= size;
            if (q.isEmpty()) cached.remove(size);
        } else {
            p = malloc(bytes, size);
        }
        live.put(p.address(), size);
        current += size;
        peak = Math.max(peak, current);
        return p;
    }

    synchronized void release(Pointer p) {
        Long size = live.remove(p.address());
        if (size == null) throw new IllegalStateException("cuda: freeing a block this allocator does not own");
        current -= size;
        cached.computeIfAbsent(size, k -> new ArrayDeque<>()).push(p);
        cachedBytes += size;
    }

    /** Returns every cached block to CUDA. */
    synchronized void emptyCache() {
        for (ArrayDeque<Pointer> q : cached.values()) {
            for (Pointer p : q) CudaBackend.check(CudaNative.dgm4j_free(p), "dgm4j_free");
        }
        cached.clear();
        cachedBytes = 0;
    }

    synchronized Stats stats() {
        return new Stats(current, peak, current + cachedBytes);
    }

    private Pointer malloc(long requested, long size) {
        try (PointerPointer<Pointer> out = new PointerPointer<>(1)) {
            int status = CudaNative.dgm4j_malloc(out, size);
            if (status == CudaNative.DGM4J_ERR_OOM && cachedBytes > 0) {
                emptyCache();
                status = CudaNative.dgm4j_malloc(out, size);
            }
            if (status == CudaNative.DGM4J_ERR_OOM) throw outOfMemory(requested);
            CudaBackend.check(status, "dgm4j_malloc");
            return new Pointer(out.get(0));
        }
    }

    private static CudaOutOfMemoryException outOfMemory(long requested) {
        String message = CudaBackend.lastError();
        try (LongPointer free = new LongPointer(1); LongPointer total = new LongPointer(1)) {
            boolean ok = CudaNative.dgm4j_device_memory(0, free, total) == CudaNative.DGM4J_OK;
            return new CudaOutOfMemoryException(requested, ok ? free.get() : -1, ok ? total.get() : -1, message);
        }
    }
}
