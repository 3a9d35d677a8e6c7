/* libdgm4j_mpi built when CMake finds no MPI (or -DDGM4J_FORCE_MPI_STUB=ON): same name, same C ABI
 * (include/dgm4j/mpi.h), every call returns DGM4J_MPI_ERR_NO_MPI, so Java binds one library and
 * reports a precise reason in both builds. */
#include "dgm4j/mpi.h"

/* DGM4J_MPI_STUB_WHY comes from CMake, e.g. "no MPI found at build time". */
#ifndef DGM4J_MPI_STUB_WHY
#define DGM4J_MPI_STUB_WHY "no MPI found at build time"
#endif

#define NO_MPI return DGM4J_MPI_ERR_NO_MPI
#define U(x) (void) (x)

int dgm4j_mpi_built_with_mpi(void) { return 0; }
const char* dgm4j_mpi_last_error(void) { return "dgm4j was built without MPI (" DGM4J_MPI_STUB_WHY ")"; }

dgm4j_mpi_status dgm4j_mpi_library_version(char* buf, int64_t len) { U(buf); U(len); NO_MPI; }
dgm4j_mpi_status dgm4j_mpi_init(int* rank, int* size, int* thread_level) { U(rank); U(size); U(thread_level); NO_MPI; }
dgm4j_mpi_status dgm4j_mpi_finalize(void) { NO_MPI; }
dgm4j_mpi_status dgm4j_mpi_abort(int error_code) { U(error_code); NO_MPI; }
dgm4j_mpi_status dgm4j_mpi_allreduce_sum(int dtype, void* buf, int64_t count) { U(dtype); U(buf); U(count); NO_MPI; }
dgm4j_mpi_status dgm4j_mpi_reduce_sum(int dtype, void* buf, int64_t count, int root) { U(dtype); U(buf); U(count); U(root); NO_MPI; }
dgm4j_mpi_status dgm4j_mpi_bcast(void* buf, int64_t bytes, int root) { U(buf); U(bytes); U(root); NO_MPI; }
dgm4j_mpi_status dgm4j_mpi_barrier(void) { NO_MPI; }
