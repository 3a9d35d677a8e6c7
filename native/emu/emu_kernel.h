// Host emulation of the CUDA execution model our kernels use (included through emu/cuda_runtime.h).
// The threads of one block run concurrently on a pool of host threads, so barriers, shared memory,
// warp shuffles/votes and atomics behave as on a GPU; blocks run one after another. Launches go
// through DGM4J_LAUNCH (native/cuda/common.cuh), which calls dgm4j_emu::launch here.
#pragma once

#include <atomic>
#include <barrier>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <tuple>
#include <vector>

#define DGM4J_EMU 1

// Qualifiers have no meaning on the host. __shared__ becomes static: sound because the blocks of
// a grid run one at a time and launches are serialized, so one block owns the variable at a time.
#define __global__
#define __device__
#define __host__
#define __constant__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
#define __shared__ static

struct uint3 { unsigned x, y, z; };
struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
constexpr int warpSize = 32;

typedef struct CUstream_st* cudaStream_t;
typedef int cudaError_t;

namespace dgm4j_emu {

// The block being run; every thread of it points here.
struct Block {
    int nthreads = 0;
    std::barrier<>* sync = nullptr;                      // __syncthreads
    std::vector<std::unique_ptr<std::barrier<>>> warps;  // __syncwarp and the two phases of a shuffle
    std::vector<unsigned long long> exchange;            // one slot per thread for shuffles and votes
    void* dynamic_shared = nullptr;
};

inline thread_local Block* tl_block = nullptr;
inline thread_local int tl_tid = 0;  // linear thread index in the block

// Runs body(tid) for tid < block threads of every block of the grid; records the launch error.
void run_grid(const char* name, dim3 grid, dim3 block, size_t shmem, const std::function<void()>& body);

// The emulated <<<>>>: each thread gets its own copy of the converted arguments, as on a GPU.
template <class... P, class... A>
void launch(const char* name, void (*kernel)(P...), dim3 grid, dim3 block, size_t shmem, cudaStream_t,
            A&&... args) {
    std::tuple<std::decay_t<P>...> params(std::forward<A>(args)...);
    run_grid(name, grid, block, shmem, [&] { std::apply(kernel, params); });
}

inline void warp_sync() { tl_block->warps[tl_tid / warpSize]->arrive_and_wait(); }

// Lanes of the calling thread's warp present in the block (a last partial warp has fewer).
inline int warp_lanes() {
    int base = tl_tid - tl_tid % warpSize;
    return tl_block->nthreads - base < warpSize ? tl_block->nthreads - base : warpSize;
}

// Every lane publishes v, reads lane src's value (its own when src is out of range), and the
// second barrier keeps the slots until all lanes have read.
template <class T>
T shuffle(T v, int src_lane) {
    static_assert(sizeof(T) <= sizeof(unsigned long long), "shuffle of a type wider than 8 bytes");
    Block& b = *tl_block;
    int base = tl_tid - tl_tid % warpSize;
    std::memcpy(&b.exchange[tl_tid], &v, sizeof(T));
    warp_sync();
    T r = v;
    if (src_lane >= 0 && src_lane < warp_lanes()) std::memcpy(&r, &b.exchange[base + src_lane], sizeof(T));
    warp_sync();
    return r;
}

inline unsigned ballot(bool pred) {
    Block& b = *tl_block;
    int base = tl_tid - tl_tid % warpSize;
    b.exchange[tl_tid] = pred ? 1 : 0;
    warp_sync();
    unsigned bits = 0;
    for (int l = 0; l < warp_lanes(); l++) bits |= (unsigned) b.exchange[base + l] << l;
    warp_sync();
    return bits;
}

}  // namespace dgm4j_emu

inline thread_local uint3 threadIdx;
inline thread_local uint3 blockIdx;
inline thread_local dim3 blockDim;
inline thread_local dim3 gridDim;

inline void __syncthreads() { dgm4j_emu::tl_block->sync->arrive_and_wait(); }
inline void __syncwarp(unsigned = 0xffffffffu) { dgm4j_emu::warp_sync(); }

template <class T>
T __shfl_sync(unsigned, T v, int lane, int width = warpSize) {
    int l = dgm4j_emu::tl_tid % warpSize;
    return dgm4j_emu::shuffle(v, l - l % width + lane % width);
}
template <class T>
T __shfl_down_sync(unsigned, T v, unsigned delta, int width = warpSize) {
    int l = dgm4j_emu::tl_tid % warpSize;
    return dgm4j_emu::shuffle(v, l % width + (int) delta < width ? l + (int) delta : l);
}
template <class T>
T __shfl_up_sync(unsigned, T v, unsigned delta, int width = warpSize) {
    int l = dgm4j_emu::tl_tid % warpSize;
    return dgm4j_emu::shuffle(v, l % width >= (int) delta ? l - (int) delta : l);
}
template <class T>
T __shfl_xor_sync(unsigned, T v, int mask, int width = warpSize) {
    int l = dgm4j_emu::tl_tid % warpSize, src = l ^ mask;
    return dgm4j_emu::shuffle(v, src / width == l / width ? src : l);
}
inline unsigned __ballot_sync(unsigned, int pred) { return dgm4j_emu::ballot(pred != 0); }
inline int __any_sync(unsigned, int pred) { return dgm4j_emu::ballot(pred != 0) != 0; }
inline int __all_sync(unsigned, int pred) {
    int lanes = dgm4j_emu::warp_lanes();
    unsigned full = lanes == 32 ? 0xffffffffu : (1u << lanes) - 1;
    return dgm4j_emu::ballot(pred != 0) == full;
}

// Atomics on global or shared memory: std::atomic_ref gives the same read-modify-write semantics.
template <class T>
T atomicAdd(T* a, T v) { return std::atomic_ref<T>(*a).fetch_add(v); }
template <class T>
T atomicSub(T* a, T v) { return std::atomic_ref<T>(*a).fetch_sub(v); }
template <class T>
T atomicExch(T* a, T v) { return std::atomic_ref<T>(*a).exchange(v); }
template <class T>
T atomicCAS(T* a, T expected, T desired) {
    std::atomic_ref<T>(*a).compare_exchange_strong(expected, desired);
    return expected;  // the old value either way
}
template <class T>
T atomicMax(T* a, T v) {
    std::atomic_ref<T> r(*a);
    T old = r.load();
    while (old < v && !r.compare_exchange_weak(old, v)) {}
    return old;
}
template <class T>
T atomicMin(T* a, T v) {
    std::atomic_ref<T> r(*a);
    T old = r.load();
    while (v < old && !r.compare_exchange_weak(old, v)) {}
    return old;
}

// Device intrinsics our kernels use, with their host meaning.
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned) (((unsigned long long) a * b) >> 32); }
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
template <class T>
T __ldg(const T* p) { return *p; }
