/* The library built when nvcc is absent (or -DDGM4J_FORCE_STUB=ON): same name, same C ABI, every call
 * returns DGM4J_ERR_NO_CUDA, so Java binds one library and reports a precise reason in both builds. */
#include "dgm4j/dgm4j.h"

#define NO_CUDA return DGM4J_ERR_NO_CUDA

int dgm4j_built_with_cuda(void) { return 0; }

/* DGM4J_STUB_WHY comes from CMake: "nvcc not found at build time" or "DGM4J_FORCE_STUB=ON at build time". */
#ifndef DGM4J_STUB_WHY
#define DGM4J_STUB_WHY "nvcc not found at build time"
#endif
const char* dgm4j_last_error(void) { return "dgm4j was built without CUDA (" DGM4J_STUB_WHY ")"; }

dgm4j_status dgm4j_device_count(int* count, int* cuda_error) {
    if (count) *count = 0; /* callers that ignore the status still see no devices */
    if (cuda_error) *cuda_error = 0;
    NO_CUDA;
}
dgm4j_status dgm4j_device_name(int dev, char* buf, int64_t len) { (void) dev; (void) buf; (void) len; NO_CUDA; }
dgm4j_status dgm4j_device_memory(int dev, int64_t* f, int64_t* t) { (void) dev; (void) f; (void) t; NO_CUDA; }
dgm4j_status dgm4j_runtime_version(int* v) { (void) v; NO_CUDA; }
dgm4j_status dgm4j_driver_version(int* v) { (void) v; NO_CUDA; }
dgm4j_status dgm4j_set_device(int dev) { (void) dev; NO_CUDA; }
dgm4j_status dgm4j_malloc(void** p, int64_t n) { (void) p; (void) n; NO_CUDA; }
dgm4j_status dgm4j_free(void* p) { (void) p; NO_CUDA; }
dgm4j_status dgm4j_memcpy_h2d(void* d, const void* s, int64_t n, dgm4j_stream st) { (void) d; (void) s; (void) n; (void) st; NO_CUDA; }
dgm4j_status dgm4j_memcpy_d2h(void* d, const void* s, int64_t n, dgm4j_stream st) { (void) d; (void) s; (void) n; (void) st; NO_CUDA; }
dgm4j_status dgm4j_memcpy_d2d(void* d, const void* s, int64_t n, dgm4j_stream st) { (void) d; (void) s; (void) n; (void) st; NO_CUDA; }
dgm4j_status dgm4j_memset(void* d, int v, int64_t n, dgm4j_stream st) { (void) d; (void) v; (void) n; (void) st; NO_CUDA; }
dgm4j_status dgm4j_stream_create(dgm4j_stream* s) { (void) s; NO_CUDA; }
dgm4j_status dgm4j_stream_destroy(dgm4j_stream s) { (void) s; NO_CUDA; }
dgm4j_status dgm4j_stream_synchronize(dgm4j_stream s) { (void) s; NO_CUDA; }
