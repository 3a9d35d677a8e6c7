/* libdgm4j_mpi built against MPI (found by CMake): each function of include/dgm4j/mpi.h is one or two
 * MPI calls plus argument checks and error text. Contracts are in the header. */
#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "dgm4j/mpi.h"

/* Calls are serialized by the caller (MPI_THREAD_SERIALIZED), so one buffer is enough. */
static char last_error[MPI_MAX_ERROR_STRING + 256];
static MPI_Comm comm = MPI_COMM_NULL;

int dgm4j_mpi_built_with_mpi(void) { return 1; }

const char* dgm4j_mpi_last_error(void) { return last_error; }

static dgm4j_mpi_status fail(dgm4j_mpi_status status, const char* message) {
    snprintf(last_error, sizeof last_error, "%s", message);
    return status;
}

/* An MPI call's failure: "<what> failed: <MPI's error string> (MPI error <code>)". */
static dgm4j_mpi_status mpi_fail(const char* what, int code) {
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(code, text, &len) != MPI_SUCCESS) snprintf(text, sizeof text, "unknown error");
    snprintf(last_error, sizeof last_error, "%s failed: %s (MPI error %d)", what, text, code);
    return DGM4J_MPI_ERR_MPI;
}

#define MPI_CHECK(what, call)                        \
    do {                                             \
        int rc_ = (call);                            \
        if (rc_ != MPI_SUCCESS) return mpi_fail(what, rc_); \
    } while (0)

static dgm4j_mpi_status require_comm(void) {
    if (comm == MPI_COMM_NULL) return fail(DGM4J_MPI_ERR_STATE, "MPI is not initialized (dgm4j_mpi_init not called, or finalized)");
    return DGM4J_MPI_OK;
}

static dgm4j_mpi_status check_root(int root) {
    int size = 0;
    MPI_CHECK("MPI_Comm_size", MPI_Comm_size(comm, &size));
    if (root < 0 || root >= size) {
        snprintf(last_error, sizeof last_error, "root %d is not a rank of a world of size %d", root, size);
        return DGM4J_MPI_ERR_ARG;
    }
    return DGM4J_MPI_OK;
}

static dgm4j_mpi_status element_type(int dtype, MPI_Datatype* type, int* bytes) {
    switch (dtype) {
        case DGM4J_F32: *type = MPI_FLOAT; *bytes = 4; return DGM4J_MPI_OK;
        case DGM4J_F64: *type = MPI_DOUBLE; *bytes = 8; return DGM4J_MPI_OK;
        default:
            snprintf(last_error, sizeof last_error, "unknown dtype code %d", dtype);
            return DGM4J_MPI_ERR_ARG;
    }
}

dgm4j_mpi_status dgm4j_mpi_library_version(char* buf, int64_t len) {
    if (buf == NULL || len < 1) return fail(DGM4J_MPI_ERR_ARG, "dgm4j_mpi_library_version: null buffer or len < 1");
    char version[MPI_MAX_LIBRARY_VERSION_STRING];
    int n = 0;
    MPI_CHECK("MPI_Get_library_version", MPI_Get_library_version(version, &n));
    snprintf(buf, (size_t) (len < INT_MAX ? len : INT_MAX), "%s", version);
    return DGM4J_MPI_OK;
}

dgm4j_mpi_status dgm4j_mpi_init(int* rank, int* size, int* thread_level) {
    if (rank == NULL || size == NULL || thread_level == NULL) return fail(DGM4J_MPI_ERR_ARG, "dgm4j_mpi_init: null out-parameter");
    int initialized = 0, finalized = 0;
    MPI_CHECK("MPI_Initialized", MPI_Initialized(&initialized));
    MPI_CHECK("MPI_Finalized", MPI_Finalized(&finalized));
    if (finalized) return fail(DGM4J_MPI_ERR_STATE, "MPI was finalized in this process and cannot be initialized again");
    if (initialized) return fail(DGM4J_MPI_ERR_STATE, "MPI is already initialized in this process");

    int provided = MPI_THREAD_SINGLE;
    MPI_CHECK("MPI_Init_thread", MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided));
    /* From here on errors return instead of aborting (the default handler aborts the job). */
    MPI_CHECK("MPI_Comm_set_errhandler", MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
    MPI_Comm dup = MPI_COMM_NULL;
    MPI_CHECK("MPI_Comm_dup", MPI_Comm_dup(MPI_COMM_WORLD, &dup)); /* inherits MPI_ERRORS_RETURN */
    int r = 0, s = 0;
    MPI_CHECK("MPI_Comm_rank", MPI_Comm_rank(dup, &r));
    MPI_CHECK("MPI_Comm_size", MPI_Comm_size(dup, &s));
    comm = dup;
    *rank = r;
    *size = s;
    *thread_level = provided == MPI_THREAD_MULTIPLE     ? DGM4J_MPI_THREAD_MULTIPLE
                    : provided == MPI_THREAD_SERIALIZED ? DGM4J_MPI_THREAD_SERIALIZED
                    : provided == MPI_THREAD_FUNNELED   ? DGM4J_MPI_THREAD_FUNNELED
                                                        : DGM4J_MPI_THREAD_SINGLE;
    return DGM4J_MPI_OK;
}

dgm4j_mpi_status dgm4j_mpi_finalize(void) {
    dgm4j_mpi_status st = require_comm();
    if (st != DGM4J_MPI_OK) return st;
    MPI_CHECK("MPI_Comm_free", MPI_Comm_free(&comm)); /* sets comm to MPI_COMM_NULL */
    MPI_CHECK("MPI_Finalize", MPI_Finalize());
    return DGM4J_MPI_OK;
}

dgm4j_mpi_status dgm4j_mpi_abort(int error_code) {
    int initialized = 0, finalized = 0;
    MPI_CHECK("MPI_Initialized", MPI_Initialized(&initialized));
    MPI_CHECK("MPI_Finalized", MPI_Finalized(&finalized));
    if (!initialized || finalized) return fail(DGM4J_MPI_ERR_STATE, "MPI_Abort needs an initialized, not finalized MPI");
    MPI_CHECK("MPI_Abort", MPI_Abort(MPI_COMM_WORLD, error_code));
    return DGM4J_MPI_OK;
}

/* Largest piece (in elements) of one MPI call; MPI counts are int. */
static int piece(int64_t left) { return left > INT_MAX ? INT_MAX : (int) left; }

dgm4j_mpi_status dgm4j_mpi_allreduce_sum(int dtype, void* buf, int64_t count) {
    dgm4j_mpi_status st = require_comm();
    if (st != DGM4J_MPI_OK) return st;
    MPI_Datatype type;
    int bytes;
    if ((st = element_type(dtype, &type, &bytes)) != DGM4J_MPI_OK) return st;
    if (count < 0 || (buf == NULL && count > 0)) return fail(DGM4J_MPI_ERR_ARG, "dgm4j_mpi_allreduce_sum: null buffer or negative count");
    for (int64_t done = 0; done < count;) {
        int n = piece(count - done);
        MPI_CHECK("MPI_Allreduce", MPI_Allreduce(MPI_IN_PLACE, (char*) buf + done * bytes, n, type, MPI_SUM, comm));
        done += n;
    }
    return DGM4J_MPI_OK;
}

dgm4j_mpi_status dgm4j_mpi_reduce_sum(int dtype, void* buf, int64_t count, int root) {
    dgm4j_mpi_status st = require_comm();
    if (st != DGM4J_MPI_OK) return st;
    MPI_Datatype type;
    int bytes;
    if ((st = element_type(dtype, &type, &bytes)) != DGM4J_MPI_OK) return st;
    if ((st = check_root(root)) != DGM4J_MPI_OK) return st;
    if (count < 0 || (buf == NULL && count > 0)) return fail(DGM4J_MPI_ERR_ARG, "dgm4j_mpi_reduce_sum: null buffer or negative count");
    int rank = 0;
    MPI_CHECK("MPI_Comm_rank", MPI_Comm_rank(comm, &rank));
    for (int64_t done = 0; done < count;) {
        int n = piece(count - done);
        char* p = (char*) buf + done * bytes;
        /* In place at root; elsewhere buf is only sent (recvbuf is ignored there). */
        if (rank == root) {
            MPI_CHECK("MPI_Reduce", MPI_Reduce(MPI_IN_PLACE, p, n, type, MPI_SUM, root, comm));
        } else {
            MPI_CHECK("MPI_Reduce", MPI_Reduce(p, NULL, n, type, MPI_SUM, root, comm));
        }
        done += n;
    }
    return DGM4J_MPI_OK;
}

dgm4j_mpi_status dgm4j_mpi_bcast(void* buf, int64_t bytes, int root) {
    dgm4j_mpi_status st = require_comm();
    if (st != DGM4J_MPI_OK) return st;
    if ((st = check_root(root)) != DGM4J_MPI_OK) return st;
    if (bytes < 0 || (buf == NULL && bytes > 0)) return fail(DGM4J_MPI_ERR_ARG, "dgm4j_mpi_bcast: null buffer or negative size");
    for (int64_t done = 0; done < bytes;) {
        int n = piece(bytes - done);
        MPI_CHECK("MPI_Bcast", MPI_Bcast((char*) buf + done, n, MPI_BYTE, root, comm));
        done += n;
    }
    return DGM4J_MPI_OK;
}

dgm4j_mpi_status dgm4j_mpi_barrier(void) {
    dgm4j_mpi_status st = require_comm();
    if (st != DGM4J_MPI_OK) return st;
    MPI_CHECK("MPI_Barrier", MPI_Barrier(comm));
    return DGM4J_MPI_OK;
}
