// Shared by every .cu of native/cuda, under both compilers: nvcc, and g++ against native/emu (whose
// cuda_runtime.h is found first on that build's include path and defines DGM4J_EMU).
#pragma once

#include <cuda_runtime.h>
#include <stdint.h>

#include "dgm4j/dgm4j.h"
#include "dgm4j/elementwise.h"
#include "dgm4j/random.h"

// The one way to launch a kernel, so the same source serves both compilers. A kernel whose name
// holds a template comma (k<float, 2>) must be bound to a local function pointer first.
#ifdef DGM4J_EMU
#define DGM4J_LAUNCH(kernel, grid, block, shmem, stream, ...) \
    ::dgm4j_emu::launch(#kernel, kernel, grid, block, shmem, stream, __VA_ARGS__)
// Dynamic shared memory: on the host, the buffer run_grid allocates for each block.
#define DGM4J_DYNAMIC_SHARED(type, name) type* name = static_cast<type*>(::dgm4j_emu::tl_block->dynamic_shared)
#else
#define DGM4J_LAUNCH(kernel, grid, block, shmem, stream, ...) kernel<<<grid, block, shmem, stream>>>(__VA_ARGS__)
#define DGM4J_DYNAMIC_SHARED(type, name) extern __shared__ type name[]
#endif

namespace dgm4j {

// Error reporting of the C ABI (runtime.cu): each records the message dgm4j_last_error returns.
dgm4j_status fail(const char* call, cudaError_t err);  // CUDA failed; OOM maps to DGM4J_ERR_OOM
dgm4j_status bad_arg(const char* call, const char* what);
// After a launch: the launch error (bad configuration, missing kernel image) named after kernel.
dgm4j_status launched(const char* kernel);

inline cudaStream_t stream(dgm4j_stream s) { return reinterpret_cast<cudaStream_t>(s); }

// Elementwise launches: 256 threads per block and grid-stride loops over a grid capped at
// kMaxBlocks (on a GPU enough to fill any current one several times over). The emulator pays about
// 0.5 ms per block of 256 threads, so it caps grids at 4 blocks: the parity suite's sizes (up to
// 4099) then make every thread loop, the branch a GPU takes only above 1024 * 256 elements.
constexpr int kThreads = 256;
#ifdef DGM4J_EMU
constexpr int64_t kMaxBlocks = 4;
#else
constexpr int64_t kMaxBlocks = 1024;
#endif
inline unsigned blocks_for(int64_t n) {
    int64_t b = (n + kThreads - 1) / kThreads;
    return (unsigned) (b < kMaxBlocks ? b : kMaxBlocks);
}

// Rank and layout limits of the broadcasting ops (binary, expand, bernoulli).
constexpr int kMaxRank = 8;

// Out dims and the element strides of up to two inputs aligned to them (0 = broadcast axis),
// passed to kernels by value.
struct Strides {
    int rank;
    int64_t dims[kMaxRank];
    int64_t a[kMaxRank];
    int64_t b[kMaxRank];
};

// Offsets into a and b of output element i (row-major over dims).
__device__ __forceinline__ void offsets(const Strides& s, int64_t i, int64_t* oa, int64_t* ob) {
    int64_t a = 0, b = 0;
    for (int ax = s.rank - 1; ax >= 0; ax--) {
        int64_t d = s.dims[ax], k = i % d;
        i /= d;
        a += k * s.a[ax];
        b += k * s.b[ax];
    }
    *oa = a;
    *ob = b;
}

// Validates and simplifies a broadcast layout: drops size-1 axes and merges neighbours that are
// contiguous in every operand, so an unbroadcast op becomes rank 1. Returns false on bad input.
bool make_strides(const int64_t* dims, const int64_t* a, const int64_t* b, int rank, Strides* out);

}  // namespace dgm4j

namespace dgm4j {

inline bool valid_dtype(int d) { return d == DGM4J_F32 || d == DGM4J_F64; }

// The grid-stride loop of the elementwise kernels: i runs over [0, n) across the whole grid.
#define DGM4J_FOR_EACH(i, n)                                                         \
    for (int64_t i = (int64_t) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (int64_t) gridDim.x * blockDim.x)

// Same sign convention as Java's Math.signum: ±1, and x itself for ±0 and NaN.
__device__ __forceinline__ double signum(double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : x; }

}  // namespace dgm4j
