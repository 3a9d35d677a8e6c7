package org.dgm4j.tensor;

import org.bytedeco.javacpp.Pointer;
import org.dgm4j.backend.Backend;

/**
 * A block of native memory owned by one backend (host memory for the CPU, device memory for CUDA).
 * Tensors that view it hold references; the last release frees it at once, never through the GC.
 */
public final class Storage {
    private final Backend backend;
    private final Pointer pointer;
    private final long bytes;
    private int refs = 1;

    public Storage(Backend backend, Pointer pointer, long bytes) {
        this.backend = backend;
        this.pointer = pointer;
        this.bytes = bytes;
    }

    public Backend backend() {
        return backend;
    }

    /** The base address; a device address for device backends, never dereferenced on the host there. */
    public Pointer pointer() {
        if (refs <= 0) throw new IllegalStateException("storage used after it was freed");
        return pointer;
    }

    public long bytes() {
        return bytes;
    }

    synchronized void retain() {
        if (refs <= 0) throw new IllegalStateException("storage retained after it was freed");
        refs++;
    }

    synchronized void release() {
        if (refs <= 0) return;
        if (refs == 1) backend.free(this); // before the count drops, so free() may still read pointer()
        refs--;
    }

    public synchronized boolean isFreed() {
        return refs <= 0;
    }
}
