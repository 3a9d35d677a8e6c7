package org.dgm4j.dist;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of native/include/dgm4j/mpi.h (contracts are documented there). The javacpp maven
 * plugin generates and compiles the JNI glue at process-classes and copies libdgm4j_mpi next to it;
 * libmpi itself comes from the system. Only {@link MpiProbe} may touch this class first: a failed
 * load leaves the class unusable for the JVM's life, so the probe loads it once and keeps the
 * reason. Buffers are host addresses as {@code long}, like the CUDA binding's kernel operands.
 */
@Platform(include = "dgm4j/mpi.h", link = "dgm4j_mpi")
final class MpiNative {
    static {
        Loader.load();
    }

    private MpiNative() {}

    // Status codes and thread levels, mirrored from mpi.h (MpiAbiTest checks them).
    static final int DGM4J_MPI_OK = 0;
    static final int DGM4J_MPI_ERR_NO_MPI = 1;
    static final int DGM4J_MPI_ERR_MPI = 2;
    static final int DGM4J_MPI_ERR_ARG = 3;
    static final int DGM4J_MPI_ERR_STATE = 4;

    static final int DGM4J_MPI_THREAD_SINGLE = 0;
    static final int DGM4J_MPI_THREAD_FUNNELED = 1;
    static final int DGM4J_MPI_THREAD_SERIALIZED = 2;
    static final int DGM4J_MPI_THREAD_MULTIPLE = 3;

    // ---- build and diagnostics
    static native int dgm4j_mpi_built_with_mpi();

    static native @Cast("const char*") BytePointer dgm4j_mpi_last_error();

    static native int dgm4j_mpi_library_version(@Cast("char*") BytePointer buf, @Cast("int64_t") long len);

    // ---- lifetime
    static native int dgm4j_mpi_init(IntPointer rank, IntPointer size, IntPointer threadLevel);

    static native int dgm4j_mpi_finalize();

    static native int dgm4j_mpi_abort(int errorCode);

    // ---- collectives; dtype codes = DType ordinals (DGM4J_F32, DGM4J_F64)
    static native int dgm4j_mpi_allreduce_sum(int dtype, @Cast("void*") long buf, @Cast("int64_t") long count);

    static native int dgm4j_mpi_reduce_sum(int dtype, @Cast("void*") long buf, @Cast("int64_t") long count, int root);

    static native int dgm4j_mpi_bcast(@Cast("void*") long buf, @Cast("int64_t") long bytes, int root);

    static native int dgm4j_mpi_barrier();
}
