// Shared by the normalizing-flow kernels (coupling.cu, actnorm.cu, invconv.cu): double arithmetic
// that nvcc may not contract, a block-wide double sum, the sigmoid family, and the geometry of the
// split per-row sums (flow.h: DGM4J_FLOW_PARTIALS).
#pragma once

#include <math.h>

#include "common.cuh"
#include "dgm4j/flow.h"

namespace dgm4j {
namespace flow {

// Products and sums that must round exactly like the CPU's (nvcc would fuse a·b + c into an FMA).
#ifdef DGM4J_EMU  // g++ in ISO C++ mode does not contract
__device__ __forceinline__ double rn_mul(double a, double b) { return a * b; }
__device__ __forceinline__ double rn_add(double a, double b) { return a + b; }
__device__ __forceinline__ double rn_sub(double a, double b) { return a - b; }
#else
__device__ __forceinline__ double rn_mul(double a, double b) { return __dmul_rn(a, b); }
__device__ __forceinline__ double rn_add(double a, double b) { return __dadd_rn(a, b); }
__device__ __forceinline__ double rn_sub(double a, double b) { return __dsub_rn(a, b); }
#endif

constexpr int kWarp = 32;

// Σ v over the block (blockDim.x a multiple of 32); every thread gets the sum. partial: __shared__
// double[32]. All threads of the block must call it; it may be called again right after.
__device__ __forceinline__ double block_sum(double v, double* partial) {
    for (int d = kWarp / 2; d > 0; d >>= 1) v += __shfl_down_sync(0xffffffffu, v, d);
    int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp, nwarps = blockDim.x / kWarp;
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    if (warp == 0) {
        v = lane < nwarps ? partial[lane] : 0.0;
        for (int d = kWarp / 2; d > 0; d >>= 1) v += __shfl_down_sync(0xffffffffu, v, d);
        if (lane == 0) partial[0] = v;
    }
    __syncthreads();
    v = partial[0];
    __syncthreads();  // partial is written again by the next call
    return v;
}

// The sigmoid family from e = exp(-|h|) (CpuFlow has the same formulas): no overflow for any h.
__device__ __forceinline__ double sigmoid(double h, double e) { return h >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e); }
__device__ __forceinline__ double one_minus_sigmoid(double h, double e) { return h >= 0 ? e / (1.0 + e) : 1.0 / (1.0 + e); }
__device__ __forceinline__ double inverse_sigmoid(double h, double e) { return h >= 0 ? 1.0 + e : (1.0 + e) / e; }
__device__ __forceinline__ double log_sigmoid(double h, double e) { return -((h < 0 ? -h : 0.0) + log1p(e)); }

// Split per-row sums: a row of len elements is cut into chunks_for(len) contiguous chunks, one
// block each (gridDim.x), rows spread over gridDim.y = row_blocks(rows) with a grid-stride loop.
// The emulator's small blocks, chunks and caps make the parity suite's sizes take every path
// (several chunks per row, several rows per block row, threads looping inside a chunk, more than
// one warp per block) at a quarter of the emulated threads; the code reads blockDim, not these.
#ifdef DGM4J_EMU
constexpr int kSumThreads = 64;
constexpr int64_t kChunkMin = 128;
constexpr int64_t kChunksMax = 4;
constexpr int64_t kRowBlocksMax = 4;
#else
constexpr int kSumThreads = 256;
constexpr int64_t kChunkMin = 4096;
constexpr int64_t kChunksMax = DGM4J_FLOW_PARTIALS;
constexpr int64_t kRowBlocksMax = 65535;
#endif
static_assert(kChunksMax <= DGM4J_FLOW_PARTIALS, "partials of a row must fit in work");

inline int chunks_for(int64_t len) {
    int64_t k = (len + kChunkMin - 1) / kChunkMin;
    return (int) (k < 1 ? 1 : k > kChunksMax ? kChunksMax : k);
}

inline unsigned row_blocks(int64_t rows) { return (unsigned) (rows < kRowBlocksMax ? rows : kRowBlocksMax); }

// [lo, hi) of chunk k of chunks over a row of len elements.
__device__ __forceinline__ int64_t chunk_start(int64_t len, int64_t k, int64_t chunks) { return len * k / chunks; }

}  // namespace flow
}  // namespace dgm4j
