// Device, memory and stream basics of the C ABI (contracts in include/dgm4j/dgm4j.h).
// Every CUDA error becomes a status code plus a thread-local message; nothing throws or exits.
#include <stdio.h>
#include <string.h>

#include "common.cuh"

namespace {
thread_local char g_error[512] = "";
}  // namespace

namespace dgm4j {

// Records "call: cudaErrorName (code): message" for dgm4j_last_error and maps the code.
dgm4j_status fail(const char* call, cudaError_t err) {
    snprintf(g_error, sizeof g_error, "%s returned %d (%s): %s", call, (int) err, cudaGetErrorName(err),
             cudaGetErrorString(err));
    cudaGetLastError();  // reset CUDA's last-error slot so a later launch check does not see this one
    return err == cudaErrorMemoryAllocation ? DGM4J_ERR_OOM : DGM4J_ERR_CUDA;
}

dgm4j_status bad_arg(const char* call, const char* what) {
    snprintf(g_error, sizeof g_error, "%s: %s", call, what);
    return DGM4J_ERR_ARG;
}

dgm4j_status launched(const char* kernel) {
    cudaError_t e = cudaGetLastError();
    if (e == cudaSuccess) return DGM4J_OK;
    char call[160];
    snprintf(call, sizeof call, "launch of kernel %s", kernel);
    return fail(call, e);
}

}  // namespace dgm4j

namespace {

using dgm4j::bad_arg;
using dgm4j::fail;

#define DGM4J_CHECK(call)                               \
    do {                                                \
        cudaError_t e_ = (call);                        \
        if (e_ != cudaSuccess) return fail(#call, e_);  \
    } while (0)

cudaStream_t cs(dgm4j_stream s) { return reinterpret_cast<cudaStream_t>(s); }

}  // namespace

extern "C" {

int dgm4j_built_with_cuda(void) {
#ifdef DGM4J_EMU
    return 2;
#else
    return 1;
#endif
}

const char* dgm4j_last_error(void) { return g_error; }

dgm4j_status dgm4j_device_count(int* count, int* cuda_error) {
    if (!count || !cuda_error) return bad_arg("dgm4j_device_count", "null pointer");
    int n = 0;  // CUDA leaves n unwritten when it fails (e.g. 35, no driver): FACTS.md
    cudaError_t e = cudaGetDeviceCount(&n);
    *cuda_error = (int) e;
    *count = e == cudaSuccess ? n : 0;
    return e == cudaSuccess ? DGM4J_OK : fail("cudaGetDeviceCount", e);
}

dgm4j_status dgm4j_device_name(int dev, char* buf, int64_t len) {
    if (!buf || len < 1) return bad_arg("dgm4j_device_name", "null buffer or len < 1");
    cudaDeviceProp p;
    DGM4J_CHECK(cudaGetDeviceProperties(&p, dev));
    snprintf(buf, (size_t) len, "%s", p.name);
    return DGM4J_OK;
}

dgm4j_status dgm4j_device_memory(int dev, int64_t* free_bytes, int64_t* total_bytes) {
    if (!free_bytes || !total_bytes) return bad_arg("dgm4j_device_memory", "null pointer");
    size_t f = 0, t = 0;
    DGM4J_CHECK(cudaSetDevice(dev));
    DGM4J_CHECK(cudaMemGetInfo(&f, &t));
    *free_bytes = (int64_t) f;
    *total_bytes = (int64_t) t;
    return DGM4J_OK;
}

dgm4j_status dgm4j_runtime_version(int* version) {
    if (!version) return bad_arg("dgm4j_runtime_version", "null pointer");
    DGM4J_CHECK(cudaRuntimeGetVersion(version));
    return DGM4J_OK;
}

dgm4j_status dgm4j_driver_version(int* version) {
    if (!version) return bad_arg("dgm4j_driver_version", "null pointer");
    int v = 0;
    DGM4J_CHECK(cudaDriverGetVersion(&v));  // 0 without a driver, and still cudaSuccess
    *version = v;
    return DGM4J_OK;
}

dgm4j_status dgm4j_set_device(int dev) {
    DGM4J_CHECK(cudaSetDevice(dev));
    return DGM4J_OK;
}

dgm4j_status dgm4j_malloc(void** ptr, int64_t bytes) {
    if (!ptr || bytes < 0) return bad_arg("dgm4j_malloc", "null pointer or negative size");
    void* p = nullptr;
    if (bytes > 0) DGM4J_CHECK(cudaMalloc(&p, (size_t) bytes));
    *ptr = p;
    return DGM4J_OK;
}

dgm4j_status dgm4j_free(void* ptr) {
    if (ptr) DGM4J_CHECK(cudaFree(ptr));
    return DGM4J_OK;
}

static dgm4j_status copy(const char* call, void* dst, const void* src, int64_t bytes, cudaMemcpyKind kind,
                         dgm4j_stream s) {
    if (bytes < 0 || ((!dst || !src) && bytes > 0)) return bad_arg(call, "null pointer or negative size");
    if (bytes == 0) return DGM4J_OK;
    cudaError_t e = cudaMemcpyAsync(dst, src, (size_t) bytes, kind, cs(s));
    return e == cudaSuccess ? DGM4J_OK : fail(call, e);
}

dgm4j_status dgm4j_memcpy_h2d(void* dst, const void* src, int64_t bytes, dgm4j_stream s) {
    return copy("cudaMemcpyAsync(h2d)", dst, src, bytes, cudaMemcpyHostToDevice, s);
}

dgm4j_status dgm4j_memcpy_d2h(void* dst, const void* src, int64_t bytes, dgm4j_stream s) {
    return copy("cudaMemcpyAsync(d2h)", dst, src, bytes, cudaMemcpyDeviceToHost, s);
}

dgm4j_status dgm4j_memcpy_d2d(void* dst, const void* src, int64_t bytes, dgm4j_stream s) {
    return copy("cudaMemcpyAsync(d2d)", dst, src, bytes, cudaMemcpyDeviceToDevice, s);
}

dgm4j_status dgm4j_memset(void* dst, int value, int64_t bytes, dgm4j_stream s) {
    if (bytes < 0 || (!dst && bytes > 0)) return bad_arg("dgm4j_memset", "null pointer or negative size");
    if (bytes > 0) DGM4J_CHECK(cudaMemsetAsync(dst, value, (size_t) bytes, cs(s)));
    return DGM4J_OK;
}

dgm4j_status dgm4j_stream_create(dgm4j_stream* stream) {
    if (!stream) return bad_arg("dgm4j_stream_create", "null pointer");
    cudaStream_t s = nullptr;
    DGM4J_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    *stream = reinterpret_cast<dgm4j_stream>(s);
    return DGM4J_OK;
}

dgm4j_status dgm4j_stream_destroy(dgm4j_stream stream) {
    if (stream) DGM4J_CHECK(cudaStreamDestroy(cs(stream)));
    return DGM4J_OK;
}

dgm4j_status dgm4j_stream_synchronize(dgm4j_stream stream) {
    if (stream) DGM4J_CHECK(cudaStreamSynchronize(cs(stream)));
    else DGM4J_CHECK(cudaDeviceSynchronize());
    return DGM4J_OK;
}

}  // extern "C"
