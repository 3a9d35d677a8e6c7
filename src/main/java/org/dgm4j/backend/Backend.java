package org.dgm4j.backend;

import org.bytedeco.javacpp.Pointer;
import org.dgm4j.tensor.Storage;

/**
 * A place where tensors live and ops run. Implementations: {@code backend.cpu.CpuBackend} and
 * {@code backend.cuda.CudaBackend}. Models never see which one runs them.
 */
public interface Backend {
    /** Short name used in logs and errors, e.g. {@code cpu} or {@code cuda:0}. */
    String name();

    /** The op table, with shapes and arguments checked before any implementation runs. */
    Kernels kernels();

    /** True when storage pointers are host memory that Java may read directly. */
    boolean isHost();

    Storage allocate(long bytes);

    /** Called once, when the last tensor viewing {@code storage} is closed. */
    void free(Storage storage);

    void copyFromHost(Pointer host, Storage dst, long dstByteOffset, long bytes);

    void copyToHost(Storage src, long srcByteOffset, Pointer host, long bytes);

    /** Blocks until all queued work is done (a no-op for synchronous backends). */
    default void synchronize() {}
}
