/*
 * dgm4j.h: THE C ABI between Java (JavaCPP binding org.dgm4j.backend.cuda.CudaNative) and the native
 * library dgm4j_cuda. Flat C only: no C++ types, exceptions or exit() cross it (ARCHITECTURE.md, rule 1).
 *
 * Common contract for every function returning dgm4j_status:
 *  - DGM4J_OK (0) on success; otherwise a code below, and dgm4j_last_error() names the failing call
 *    and CUDA's message. Out-parameters are written only on DGM4J_OK.
 *  - Sizes and byte counts are int64_t; negative sizes are DGM4J_ERR_ARG.
 *  - The library built without nvcc (native/stub) has the same symbols; each returns
 *    DGM4J_ERR_NO_CUDA, so Java links against one name in both builds.
 *  - The kernels' families are declared in their own headers (elementwise.h, random.h). Kernel
 *    calls are asynchronous on their stream; device pointers point at element 0 of the operand;
 *    every tensor is contiguous row-major. A call with zero elements launches nothing.
 */
#ifndef DGM4J_H
#define DGM4J_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Only these symbols are exported; everything else (static cudart included) stays hidden. */
#if defined(_WIN32)
#define DGM4J_API __declspec(dllexport)
#else
#define DGM4J_API __attribute__((visibility("default")))
#endif

typedef int dgm4j_status;
#define DGM4J_OK 0
#define DGM4J_ERR_NO_CUDA 1 /* library built without CUDA: the stub */
#define DGM4J_ERR_CUDA 2    /* a CUDA call failed; see dgm4j_last_error() */
#define DGM4J_ERR_OOM 3     /* device allocation failed */
#define DGM4J_ERR_ARG 4     /* bad argument (null pointer, negative size, bad device) */

/* Element types of tensors (the order of Java's DType). Kernels take one code per operand dtype. */
#define DGM4J_F32 0 /* float */
#define DGM4J_F64 1 /* double */

/* A CUDA stream, opaque to Java. NULL means the legacy default stream. */
typedef struct dgm4j_stream_s* dgm4j_stream;

/* ---- Build and diagnostics ------------------------------------------------------------------ */

/* 1 when compiled by nvcc, 0 for the stub, 2 for the host emulator (native/emu: the same kernels
 * compiled by g++, one emulated device). Never fails. */
DGM4J_API int dgm4j_built_with_cuda(void);

/* Message of the last failure on the calling thread ("" when none). The pointer stays valid until
 * the next dgm4j call on this thread. The stub always returns its "built without CUDA" sentence. */
DGM4J_API const char* dgm4j_last_error(void);

/* ---- Devices --------------------------------------------------------------------------------- */

/* *count = number of usable devices. cudaGetDeviceCount's own code goes to *cuda_error (0 = success)
 * even on failure, since it tells "no driver" (35) from "no device" (100). Without a driver CUDA does
 * not write its count, so *count is 0 unless the call succeeded. Returns DGM4J_ERR_CUDA when
 * *cuda_error != 0. Both pointers must be non-null. */
DGM4J_API dgm4j_status dgm4j_device_count(int* count, int* cuda_error);

/* Device name, NUL-terminated and truncated to fit in buf[len]. len >= 1. */
DGM4J_API dgm4j_status dgm4j_device_name(int dev, char* buf, int64_t len);

/* Free and total global memory of dev, in bytes (makes dev current on the calling thread). */
DGM4J_API dgm4j_status dgm4j_device_memory(int dev, int64_t* free_bytes, int64_t* total_bytes);

/* Versions as CUDA encodes them: 1000*major + 10*minor (13000 = 13.0). The runtime version is the
 * cudart linked in; the driver version is 0 when no driver is installed (call still succeeds). */
DGM4J_API dgm4j_status dgm4j_runtime_version(int* version);
DGM4J_API dgm4j_status dgm4j_driver_version(int* version);

/* Makes dev current for the calling thread's later calls. */
DGM4J_API dgm4j_status dgm4j_set_device(int dev);

/* ---- Memory ---------------------------------------------------------------------------------- */

/* *ptr = bytes of device memory on the current device (bytes == 0 gives NULL and DGM4J_OK).
 * Out of memory is DGM4J_ERR_OOM. Free with dgm4j_free; dgm4j_free(NULL) is a no-op. */
DGM4J_API dgm4j_status dgm4j_malloc(void** ptr, int64_t bytes);
DGM4J_API dgm4j_status dgm4j_free(void* ptr);

/* Copies of bytes bytes, ordered on stream (NULL = default stream). Host memory may be pageable,
 * in which case CUDA completes the copy before returning for h2d and d2h. */
DGM4J_API dgm4j_status dgm4j_memcpy_h2d(void* dst_dev, const void* src_host, int64_t bytes, dgm4j_stream stream);
DGM4J_API dgm4j_status dgm4j_memcpy_d2h(void* dst_host, const void* src_dev, int64_t bytes, dgm4j_stream stream);
DGM4J_API dgm4j_status dgm4j_memcpy_d2d(void* dst_dev, const void* src_dev, int64_t bytes, dgm4j_stream stream);

/* Sets bytes bytes at dst_dev to the byte value (0..255), ordered on stream. */
DGM4J_API dgm4j_status dgm4j_memset(void* dst_dev, int value, int64_t bytes, dgm4j_stream stream);

/* ---- Streams --------------------------------------------------------------------------------- */

/* A non-blocking stream on the current device; destroy it with dgm4j_stream_destroy (NULL: no-op).
 * synchronize(NULL) waits for the whole device. */
DGM4J_API dgm4j_status dgm4j_stream_create(dgm4j_stream* stream);
DGM4J_API dgm4j_status dgm4j_stream_destroy(dgm4j_stream stream);
DGM4J_API dgm4j_status dgm4j_stream_synchronize(dgm4j_stream stream);

#ifdef __cplusplus
}
#endif
#endif /* DGM4J_H */
