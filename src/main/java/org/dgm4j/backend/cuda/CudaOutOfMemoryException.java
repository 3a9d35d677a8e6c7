package org.dgm4j.backend.cuda;

import java.util.Locale;

/** Device memory exhausted even after the allocator returned its cached blocks to CUDA. */
public final class CudaOutOfMemoryException extends CudaException {
    private final long requestedBytes, freeBytes, totalBytes;

    public CudaOutOfMemoryException(long requestedBytes, long freeBytes, long totalBytes, String message) {
        super("allocation", CudaNative.DGM4J_ERR_OOM, String.format(Locale.ROOT,
                "out of device memory: requested %s, free %s of %s (%s)", mib(requestedBytes), mib(freeBytes),
                mib(totalBytes), message));
        this.requestedBytes = requestedBytes;
        this.freeBytes = freeBytes;
        this.totalBytes = totalBytes;
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
    }

    public long requestedBytes() {
        return requestedBytes;
    }

    public long freeBytes() {
        return freeBytes;
    }

    public long totalBytes() {
        return totalBytes;
    }
}
