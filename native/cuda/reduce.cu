// reduce (include/dgm4j/reduce.h). The host first simplifies the layout: size-1 axes dropped,
// neighbouring axes of the same kind (kept / reduced) merged, so x becomes alternating groups
// K R K R ... Two kernels, both accumulating in double:
//  - reduce_rows: one output per warp (count < kBlockRow) or per block (larger counts); its threads
//    stride over the reduced elements (index arithmetic over the reduced groups; stride 1 when the
//    reduced axes are the trailing ones), then a shuffle tree per warp and, per block, a
//    shared-memory step over the warps' partials.
//  - reduce_cols: layout (outer, R, inner) with inner > 1 (reduced axes followed by kept ones):
//    blocks of 32 x 8 threads, x over 32 consecutive inner outputs (coalesced), y splitting R,
//    then a shared-memory tree over y.
// LOGSUMEXP runs two passes (max, then Σ exp(x - max)); MAX / MIN follow Java's Math.max / min.
#include <math.h>

#include "common.cuh"
#include "dgm4j/reduce.h"

namespace {

using namespace dgm4j;

constexpr int kWarp = 32;           // lanes of a warp (warpSize is device-only under nvcc)
constexpr int64_t kBlockRow = 1024;  // reduced count from which a whole block reduces one output
constexpr int kColsY = 8;            // reduce_cols: threads splitting R per column

// Simplified layout: kept groups and reduced groups, each with its element stride in x.
struct Layout {
    int kr, rr;
    int64_t kdims[kMaxRank], kstr[kMaxRank];
    int64_t rdims[kMaxRank], rstr[kMaxRank];
    int64_t nout, count;
};

enum Kind { SUM_KIND, MAX_KIND, MIN_KIND };

__device__ __forceinline__ double identity(int kind) {
    return kind == SUM_KIND ? 0.0 : kind == MAX_KIND ? -INFINITY : INFINITY;
}

// Java's Math.max / min: NaN wins, +0 > -0. Commutative and associative, so any tree order agrees.
__device__ __forceinline__ double combine(int kind, double a, double b) {
    if (kind == SUM_KIND) return a + b;
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0 && b == 0) return (signbit(a) != 0) == (kind == MAX_KIND) ? b : a;
    return kind == MAX_KIND ? (a >= b ? a : b) : (a <= b ? a : b);
}

__device__ __forceinline__ double warp_reduce(int kind, double v) {
    for (int d = kWarp / 2; d > 0; d >>= 1) v = combine(kind, v, __shfl_down_sync(0xffffffffu, v, d));
    return v;
}

// Reduces v over the group (a warp, or the whole block when per_block) and gives the result to
// every thread of the group. partial: shared, one slot per warp.
__device__ double group_reduce(int kind, double v, bool per_block, double* partial) {
    v = warp_reduce(kind, v);
    if (!per_block) return __shfl_sync(0xffffffffu, v, 0);
    int lane = threadIdx.x % kWarp, warp = threadIdx.x / kWarp, nwarps = blockDim.x / kWarp;
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    if (warp == 0) {
        v = warp_reduce(kind, lane < nwarps ? partial[lane] : identity(kind));
        if (lane == 0) partial[0] = v;
    }
    __syncthreads();
    v = partial[0];
    __syncthreads();  // partial is written again by the next output
    return v;
}

__device__ __forceinline__ int64_t kept_offset(const Layout& L, int64_t o) {
    int64_t off = 0;
    for (int a = L.kr - 1; a >= 0; a--) {
        off += (o % L.kdims[a]) * L.kstr[a];
        o /= L.kdims[a];
    }
    return off;
}

__device__ __forceinline__ int64_t reduced_offset(const Layout& L, int64_t r) {
    if (L.rr == 1) return r * L.rstr[0];
    int64_t off = 0;
    for (int a = L.rr - 1; a >= 0; a--) {
        off += (r % L.rdims[a]) * L.rstr[a];
        r /= L.rdims[a];
    }
    return off;
}

// One pass of a thread over its share of the reduced elements: combine(kind) of x, or Σ exp(x - m).
template <class T>
__device__ double rows_pass(int kind, bool exp_shift, double m, const T* x, const Layout& L, int64_t first,
                            int64_t step) {
    double acc = identity(kind);
    for (int64_t r = first; r < L.count; r += step) {
        double v = x[reduced_offset(L, r)];
        acc = combine(kind, acc, exp_shift ? exp(v - m) : v);
    }
    return acc;
}

template <class T>
__global__ void reduce_rows(int op, const T* x, T* out, Layout L, int per_block) {
    __shared__ double partial[32];
    int nwarps = blockDim.x / kWarp;
    int64_t group = per_block ? blockIdx.x : (int64_t) blockIdx.x * nwarps + threadIdx.x / kWarp;
    int64_t groups = per_block ? gridDim.x : (int64_t) gridDim.x * nwarps;
    int gtid = per_block ? threadIdx.x : threadIdx.x % kWarp;
    int gsize = per_block ? blockDim.x : kWarp;
    for (int64_t o = group; o < L.nout; o += groups) {
        const T* base = x + kept_offset(L, o);
        double r;
        if (op == DGM4J_REDUCE_MAX || op == DGM4J_REDUCE_MIN) {
            int kind = op == DGM4J_REDUCE_MAX ? MAX_KIND : MIN_KIND;
            r = group_reduce(kind, rows_pass(kind, false, 0, base, L, gtid, gsize), per_block, partial);
        } else if (op == DGM4J_REDUCE_LOGSUMEXP) {
            double m = group_reduce(MAX_KIND, rows_pass(MAX_KIND, false, 0, base, L, gtid, gsize), per_block, partial);
            if (isinf(m)) {
                r = m;
            } else {
                double s = group_reduce(SUM_KIND, rows_pass(SUM_KIND, true, m, base, L, gtid, gsize), per_block, partial);
                r = m + log(s);
            }
        } else {
            r = group_reduce(SUM_KIND, rows_pass(SUM_KIND, false, 0, base, L, gtid, gsize), per_block, partial);
            if (op == DGM4J_REDUCE_MEAN) r = r / (double) L.count;
        }
        if (gtid == 0) out[o] = (T) r;
    }
}

// Tree over threadIdx.y of sh[y][x]; every thread of the column gets the result.
__device__ double column_reduce(int kind, double v, double (*sh)[33]) {
    int tx = threadIdx.x, ty = threadIdx.y;
    sh[ty][tx] = v;
    __syncthreads();
    for (int s = kColsY / 2; s > 0; s >>= 1) {
        if (ty < s) sh[ty][tx] = combine(kind, sh[ty][tx], sh[ty + s][tx]);
        __syncthreads();
    }
    v = sh[0][tx];
    __syncthreads();  // sh is written again by the next pass
    return v;
}

template <class T>
__device__ double cols_pass(int kind, bool exp_shift, double m, const T* col, int64_t count, int64_t inner, bool valid) {
    double acc = identity(kind);
    if (!valid) return acc;
    for (int64_t r = threadIdx.y; r < count; r += kColsY) {
        double v = col[r * inner];
        acc = combine(kind, acc, exp_shift ? exp(v - m) : v);
    }
    return acc;
}

// x (outer, count, inner) -> out (outer, inner); block (32, kColsY) per tile of 32 columns.
template <class T>
__global__ void reduce_cols(int op, const T* x, T* out, int64_t outer, int64_t count, int64_t inner) {
    __shared__ double sh[kColsY][33];
    int64_t tiles_x = (inner + kWarp - 1) / kWarp;
    for (int64_t t = blockIdx.x; t < outer * tiles_x; t += gridDim.x) {
        int64_t o = t / tiles_x, i = (t % tiles_x) * kWarp + threadIdx.x;
        bool valid = i < inner;
        const T* col = x + o * count * inner + i;
        double r;
        if (op == DGM4J_REDUCE_MAX || op == DGM4J_REDUCE_MIN) {
            int kind = op == DGM4J_REDUCE_MAX ? MAX_KIND : MIN_KIND;
            r = column_reduce(kind, cols_pass(kind, false, 0, col, count, inner, valid), sh);
        } else if (op == DGM4J_REDUCE_LOGSUMEXP) {
            double m = column_reduce(MAX_KIND, cols_pass(MAX_KIND, false, 0, col, count, inner, valid), sh);
            // m is per column: threads of one column agree, so the barriers inside stay uniform
            double s = column_reduce(SUM_KIND, cols_pass(SUM_KIND, true, m, col, count, inner, valid && !isinf(m)), sh);
            r = isinf(m) ? m : m + log(s);
        } else {
            r = column_reduce(SUM_KIND, cols_pass(SUM_KIND, false, 0, col, count, inner, valid), sh);
            if (op == DGM4J_REDUCE_MEAN) r = r / (double) count;
        }
        if (valid && threadIdx.y == 0) out[o * inner + i] = (T) r;
    }
}

// Drops size-1 axes and merges neighbours of the same kind; false on bad input.
bool make_layout(const int64_t* dims, int rank, const int* axes, int naxes, Layout* L, bool* last_kept) {
    if (rank < 0 || rank > kMaxRank || naxes < 0 || naxes > rank || (rank > 0 && !dims) || (naxes > 0 && !axes))
        return false;
    bool red[kMaxRank] = {};
    for (int k = 0; k < naxes; k++) {
        if (axes[k] < 0 || axes[k] >= rank || (k > 0 && axes[k] <= axes[k - 1])) return false;
        red[axes[k]] = true;
    }
    int64_t gdims[kMaxRank];
    bool gred[kMaxRank];
    int g = 0;
    for (int a = 0; a < rank; a++) {
        if (dims[a] < 0) return false;
        if (dims[a] == 1) continue;
        if (g > 0 && gred[g - 1] == red[a]) {
            gdims[g - 1] *= dims[a];
        } else {
            gdims[g] = dims[a];
            gred[g++] = red[a];
        }
    }
    L->kr = L->rr = 0;
    L->nout = L->count = 1;
    int64_t stride = 1;
    for (int k = g - 1; k >= 0; k--) {  // strides from the back; groups listed back to front first
        if (gred[k]) {
            L->rdims[L->rr] = gdims[k];
            L->rstr[L->rr++] = stride;
            L->count *= gdims[k];
        } else {
            L->kdims[L->kr] = gdims[k];
            L->kstr[L->kr++] = stride;
            L->nout *= gdims[k];
        }
        stride *= gdims[k];
    }
    for (int i = 0; i < L->kr / 2; i++) {  // back to row-major order
        int j = L->kr - 1 - i;
        int64_t d = L->kdims[i], s = L->kstr[i];
        L->kdims[i] = L->kdims[j], L->kstr[i] = L->kstr[j], L->kdims[j] = d, L->kstr[j] = s;
    }
    for (int i = 0; i < L->rr / 2; i++) {
        int j = L->rr - 1 - i;
        int64_t d = L->rdims[i], s = L->rstr[i];
        L->rdims[i] = L->rdims[j], L->rstr[i] = L->rstr[j], L->rdims[j] = d, L->rstr[j] = s;
    }
    *last_kept = g > 0 && !gred[g - 1];
    return true;
}

unsigned capped(int64_t blocks) { return (unsigned) (blocks < kMaxBlocks ? blocks : kMaxBlocks); }

template <class T>
dgm4j_status reduce(int op, const T* x, T* out, const Layout& L, bool last_kept, dgm4j_stream s) {
    // (outer, R, inner > 1): groups R K or K R K
    if (L.rr == 1 && last_kept && L.kr >= 1 && L.kr <= 2 && L.rstr[0] == L.kdims[L.kr - 1]) {
        int64_t inner = L.kdims[L.kr - 1], outer = L.nout / inner;
        int64_t tiles = outer * ((inner + kWarp - 1) / kWarp);
        DGM4J_LAUNCH(reduce_cols<T>, capped(tiles), dim3(kWarp, kColsY), 0, stream(s), op, x, out, outer, L.count,
                     inner);
        return launched(sizeof(T) == 4 ? "reduce_cols<float>" : "reduce_cols<double>");
    }
    bool per_block = L.count >= kBlockRow;
    int64_t blocks = per_block ? L.nout : (L.nout + kThreads / kWarp - 1) / (kThreads / kWarp);
    DGM4J_LAUNCH(reduce_rows<T>, capped(blocks), kThreads, 0, stream(s), op, x, out, L, (int) per_block);
    return launched(sizeof(T) == 4 ? "reduce_rows<float>" : "reduce_rows<double>");
}

}  // namespace

extern "C" {

dgm4j_status dgm4j_reduce(int op, int dtype, const void* x, const int64_t* x_dims, int rank, const int* axes,
                          int naxes, void* out, dgm4j_stream s) {
    Layout L;
    bool last_kept = false;
    if (op < 0 || op >= DGM4J_REDUCE_COUNT || !valid_dtype(dtype) || !make_layout(x_dims, rank, axes, naxes, &L, &last_kept))
        return bad_arg("dgm4j_reduce", "bad op code, dtype, rank, dims or axes");
    if (L.nout == 0) return DGM4J_OK;
    if ((!x && L.count > 0) || !out) return bad_arg("dgm4j_reduce", "null pointer");
    if (dtype == DGM4J_F32) return reduce<float>(op, (const float*) x, (float*) out, L, last_kept, s);
    return reduce<double>(op, (const double*) x, (double*) out, L, last_kept, s);
}

}  // extern "C"
