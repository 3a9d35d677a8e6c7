// The tiled GEMM core shared by gemm.cu (matmul) and conv2d.cu (implicit GEMM).
//
//   out(b, i, j) = Σ_{kk < p.k} A(b, i, kk) · B(b, kk, j)    for b < p.batch, i < p.m, j < p.n
//
// A Problem P says where the operands live; the core never sees a layout:
//   using T (element) and Acc (accumulator); int batch, m, n, k;
//   T a(b, i, kk) const, T b(b, kk, j) const   called only for in-range indices (a conv returns 0
//                                               for taps in the padding);
//   void store(b, i, j, Acc v) const            called once per in-range output element.
//
// Tiling: one block of kGemmThreads = 64 threads computes a 64 x 64 tile of out. The reduction runs
// in steps of kTileK = 8: the block stages A's 64 x 8 and B's 8 x 64 slices in shared memory
// (zero-filled past the edges, so the inner loop has no branches), then each thread accumulates
// its 8 x 8 register tile: rows ty + 8·r, cols tx + 8·c (tx, ty < 8), so the 8 threads of a row read
// 8 consecutive shared words. Blocks walk the (batch, tile row, tile col) space in a grid-stride
// loop over a capped grid (4 blocks on the emulator, so its tests run the loop too).
#pragma once

#include "common.cuh"

namespace dgm4j {

constexpr int kTileM = 64, kTileN = 64, kTileK = 8;
constexpr int kGemmThreads = 64;  // an 8 x 8 grid of threads, 8 x 8 outputs each
constexpr int kMicro = 8;
#ifdef DGM4J_EMU
constexpr int64_t kMaxGemmBlocks = 4;
#else
constexpr int64_t kMaxGemmBlocks = 65535;
#endif

template <class P>
__global__ void __launch_bounds__(kGemmThreads) gemm_tiles(P p) {
    using T = typename P::T;
    using Acc = typename P::Acc;
    __shared__ T as[kTileK][kTileM];  // as[kk][i]: A's slice, transposed so rows are contiguous
    __shared__ T bs[kTileK][kTileN];  // bs[kk][j]
    const int tid = threadIdx.x, tx = tid % kMicro, ty = tid / kMicro;
    const int tiles_m = (p.m + kTileM - 1) / kTileM, tiles_n = (p.n + kTileN - 1) / kTileN;
    const int64_t tiles = (int64_t) p.batch * tiles_m * tiles_n;
    for (int64_t t = blockIdx.x; t < tiles; t += gridDim.x) {
        const int bi = (int) (t / ((int64_t) tiles_m * tiles_n));
        const int rest = (int) (t % ((int64_t) tiles_m * tiles_n));
        const int i0 = rest / tiles_n * kTileM, j0 = rest % tiles_n * kTileN;
        Acc acc[kMicro][kMicro];
        for (int r = 0; r < kMicro; r++)
            for (int c = 0; c < kMicro; c++) acc[r][c] = 0;
        for (int k0 = 0; k0 < p.k; k0 += kTileK) {
            // Stage the slices: element e of 512 -> (kk, i) with i fastest; zero past the edges.
            for (int e = tid; e < kTileK * kTileM; e += kGemmThreads) {
                int kk = e / kTileM, i = e % kTileM;
                as[kk][i] = (i0 + i < p.m && k0 + kk < p.k) ? p.a(bi, i0 + i, k0 + kk) : T(0);
            }
            for (int e = tid; e < kTileK * kTileN; e += kGemmThreads) {
                int kk = e / kTileN, j = e % kTileN;
                bs[kk][j] = (j0 + j < p.n && k0 + kk < p.k) ? p.b(bi, k0 + kk, j0 + j) : T(0);
            }
            __syncthreads();
            for (int kk = 0; kk < kTileK; kk++) {
                Acc av[kMicro], bv[kMicro];
                for (int r = 0; r < kMicro; r++) av[r] = as[kk][ty + kMicro * r];
                for (int c = 0; c < kMicro; c++) bv[c] = bs[kk][tx + kMicro * c];
                for (int r = 0; r < kMicro; r++)
                    for (int c = 0; c < kMicro; c++) acc[r][c] += av[r] * bv[c];
            }
            __syncthreads();  // the next slice overwrites as / bs
        }
        for (int r = 0; r < kMicro; r++) {
            int i = i0 + ty + kMicro * r;
            if (i >= p.m) break;
            for (int c = 0; c < kMicro; c++) {
                int j = j0 + tx + kMicro * c;
                if (j < p.n) p.store(bi, i, j, acc[r][c]);
            }
        }
    }
}

// Launches gemm_tiles<P> on stream s; name is the kernel's name for launch errors.
template <class P>
dgm4j_status run_gemm(const P& p, cudaStream_t s, const char* name) {
    int64_t tiles = (int64_t) p.batch * ((p.m + kTileM - 1) / kTileM) * ((p.n + kTileN - 1) / kTileN);
    if (tiles == 0) return DGM4J_OK;
    unsigned grid = (unsigned) (tiles < kMaxGemmBlocks ? tiles : kMaxGemmBlocks);
    DGM4J_LAUNCH(gemm_tiles<P>, grid, kGemmThreads, 0, s, p);
    return launched(name);
}

// Extents the int indexing of the kernels can hold.
inline bool fits_int(int64_t v) { return v >= 0 && v <= 0x7fffffff; }

}  // namespace dgm4j
