/*
 * mpi.h: the C ABI between Java (JavaCPP binding org.dgm4j.dist.MpiNative) and the native library
 * dgm4j_mpi, a thin shim over the MPI C API (native/mpi/shim.c). Flat C only (ARCHITECTURE.md,
 * rule 1): no MPI types cross it, so the JNI glue compiles without MPI headers.
 *
 * Common contract for every function returning dgm4j_mpi_status:
 *  - DGM4J_MPI_OK (0) on success; otherwise a code below, and dgm4j_mpi_last_error() names the
 *    failing call and MPI's message. Out-parameters are written only on DGM4J_MPI_OK.
 *  - Sizes are int64_t (element or byte counts); negative sizes are DGM4J_MPI_ERR_ARG. Counts above
 *    INT_MAX are sent as consecutive pieces of at most INT_MAX elements (MPI counts are int).
 *  - Collectives run on a duplicate of MPI_COMM_WORLD with MPI_ERRORS_RETURN, so an MPI failure is a
 *    status code, never an abort of the process. They are blocking and in place, and every rank must
 *    make the same calls with the same counts in the same order (MPI's rule for collectives).
 *  - The library is initialized with MPI_THREAD_SERIALIZED: calls may come from any thread, never two
 *    at once (the Java side serializes them).
 *  - The library built without MPI (native/mpi/stub.c) has the same symbols; each returns
 *    DGM4J_MPI_ERR_NO_MPI, so Java links against one name in both builds.
 */
#ifndef DGM4J_MPI_H
#define DGM4J_MPI_H

#include "dgm4j/dgm4j.h" /* DGM4J_API; element type codes DGM4J_F32, DGM4J_F64 */

#ifdef __cplusplus
extern "C" {
#endif

typedef int dgm4j_mpi_status;
#define DGM4J_MPI_OK 0
#define DGM4J_MPI_ERR_NO_MPI 1 /* library built without MPI: the stub */
#define DGM4J_MPI_ERR_MPI 2    /* an MPI call failed; see dgm4j_mpi_last_error() */
#define DGM4J_MPI_ERR_ARG 3    /* bad argument (null buffer, negative count, bad dtype or root) */
#define DGM4J_MPI_ERR_STATE 4  /* not initialized, already initialized, or already finalized */

/* ---- Build and diagnostics ------------------------------------------------------------------ */

/* 1 when compiled against an MPI library, 0 for the stub. Never fails. */
DGM4J_API int dgm4j_mpi_built_with_mpi(void);

/* Message of the last failure ("" when none); valid until the next dgm4j_mpi call. The stub always
 * returns its "built without MPI" sentence. */
DGM4J_API const char* dgm4j_mpi_last_error(void);

/* The MPI library's own description (MPI_Get_library_version, e.g. "Open MPI v4.1.4, ..."),
 * NUL-terminated and truncated to fit in buf[len]; len >= 1. Allowed before init and after
 * finalize. */
DGM4J_API dgm4j_mpi_status dgm4j_mpi_library_version(char* buf, int64_t len);

/* ---- Lifetime ------------------------------------------------------------------------------- */

/* Thread support levels, in MPI's order (MPI's own constants are implementation-defined). */
#define DGM4J_MPI_THREAD_SINGLE 0
#define DGM4J_MPI_THREAD_FUNNELED 1
#define DGM4J_MPI_THREAD_SERIALIZED 2
#define DGM4J_MPI_THREAD_MULTIPLE 3

/* MPI_Init_thread asking for MPI_THREAD_SERIALIZED, then duplicates MPI_COMM_WORLD. *rank, *size:
 * this process in the world; *thread_level: the level MPI provided, as DGM4J_MPI_THREAD_*. Once per
 * process: MPI cannot be initialized again after finalize, and a process where someone else already
 * initialized MPI gets DGM4J_MPI_ERR_STATE. */
DGM4J_API dgm4j_mpi_status dgm4j_mpi_init(int* rank, int* size, int* thread_level);

/* Frees the communicator and calls MPI_Finalize (collective: every rank must call it). */
DGM4J_API dgm4j_mpi_status dgm4j_mpi_finalize(void);

/* MPI_Abort on the world: ends every rank of the job with error_code. For a rank that failed and
 * cannot take part in the next collective; returns only if MPI_Abort itself fails. */
DGM4J_API dgm4j_mpi_status dgm4j_mpi_abort(int error_code);

/* ---- Collectives ---------------------------------------------------------------------------- */

/* buf[0..count) = elementwise sum over all ranks of their buf[0..count), in place, on every rank
 * (MPI_Allreduce, MPI_IN_PLACE, MPI_SUM). dtype: DGM4J_F32 (MPI_FLOAT) or DGM4J_F64 (MPI_DOUBLE).
 * buf: host memory of count elements. */
DGM4J_API dgm4j_mpi_status dgm4j_mpi_allreduce_sum(int dtype, void* buf, int64_t count);

/* The same sum, delivered to root only (MPI_Reduce, in place at root); buf is unchanged elsewhere.
 * Followed by dgm4j_mpi_bcast it gives every rank root's bits, whatever algorithm MPI picks. */
DGM4J_API dgm4j_mpi_status dgm4j_mpi_reduce_sum(int dtype, void* buf, int64_t count, int root);

/* buf[0..bytes) = root's buf[0..bytes) on every rank (MPI_Bcast of MPI_BYTE). */
DGM4J_API dgm4j_mpi_status dgm4j_mpi_bcast(void* buf, int64_t bytes, int root);

/* Returns once every rank has entered (MPI_Barrier). */
DGM4J_API dgm4j_mpi_status dgm4j_mpi_barrier(void);

#ifdef __cplusplus
}
#endif
#endif /* DGM4J_MPI_H */
