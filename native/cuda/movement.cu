// permute, concat, slice, sliceAdd (include/dgm4j/movement.h): grid-stride loops, one thread per
// output element (per source element for sliceAdd), index arithmetic only.
//  - permute: out element i -> x offset through Strides (common.cuh); make_strides merges output
//    axes that stay contiguous in x, so an identity permutation is a flat copy.
//  - concat: one launch per input, a 2-D copy (outer, len·inner) into its column range of out.
//  - slice / sliceAdd: (outer, count, inner) <-> (outer, full, inner) at rows start + i·step.
#include "common.cuh"
#include "dgm4j/movement.h"

namespace {

using namespace dgm4j;

template <class T>
__global__ void permute_kernel(const T* x, T* out, int64_t n, Strides s) {
    DGM4J_FOR_EACH(i, n) {
        int64_t ix, unused;
        offsets(s, i, &ix, &unused);
        out[i] = x[ix];
    }
}

// out[o, at + j] = x[o, j] for o < outer, j < block; out rows are out_block long.
template <class T>
__global__ void concat_kernel(const T* x, T* out, int64_t outer, int64_t block, int64_t out_block, int64_t at) {
    DGM4J_FOR_EACH(i, outer * block) {
        int64_t o = i / block, j = i % block;
        out[o * out_block + at + j] = x[i];
    }
}

// Offset in the whole (outer, full, inner) of element i of the part (outer, count, inner).
__device__ __forceinline__ int64_t whole_offset(int64_t i, int64_t full, int64_t inner, int64_t start, int64_t step,
                                                int64_t count) {
    int64_t j = i % inner, row = i / inner, k = row % count, o = row / count;
    return (o * full + start + k * step) * inner + j;
}

template <class T>
__global__ void slice_kernel(const T* x, T* out, int64_t n, int64_t full, int64_t inner, int64_t start, int64_t step,
                             int64_t count) {
    DGM4J_FOR_EACH(i, n) out[i] = x[whole_offset(i, full, inner, start, step, count)];
}

// One thread per src element, and distinct src elements hit distinct dst elements: no races.
template <class T>
__global__ void slice_add_kernel(const T* src, T* dst, int64_t n, int64_t full, int64_t inner, int64_t start,
                                 int64_t step, int64_t count) {
    DGM4J_FOR_EACH(i, n) {
        int64_t w = whole_offset(i, full, inner, start, step, count);
        dst[w] = (T) ((double) dst[w] + (double) src[i]);
    }
}

template <class T>
dgm4j_status permute(const void* x, void* out, int64_t n, const Strides& st, dgm4j_stream s) {
    DGM4J_LAUNCH(permute_kernel<T>, blocks_for(n), kThreads, 0, stream(s), (const T*) x, (T*) out, n, st);
    return launched(sizeof(T) == 4 ? "permute_kernel<float>" : "permute_kernel<double>");
}

template <class T>
dgm4j_status concat(int count, const void* const* xs, const int64_t* lens, int64_t outer, int64_t inner, void* out,
                    dgm4j_stream s) {
    int64_t total = 0, at = 0;
    for (int k = 0; k < count; k++) total += lens[k];
    for (int k = 0; k < count; k++) {
        int64_t block = lens[k] * inner;
        if (block > 0 && outer > 0) {
            DGM4J_LAUNCH(concat_kernel<T>, blocks_for(outer * block), kThreads, 0, stream(s), (const T*) xs[k], (T*) out,
                         outer, block, total * inner, at);
            dgm4j_status st = launched(sizeof(T) == 4 ? "concat_kernel<float>" : "concat_kernel<double>");
            if (st != DGM4J_OK) return st;
        }
        at += block;
    }
    return DGM4J_OK;
}

template <class T, bool kAdd>
dgm4j_status slice(const void* from, void* to, int64_t n, int64_t full, int64_t inner, int64_t start, int64_t step,
                   int64_t count, dgm4j_stream s) {
    auto k = kAdd ? slice_add_kernel<T> : slice_kernel<T>;
    DGM4J_LAUNCH(k, blocks_for(n), kThreads, 0, stream(s), (const T*) from, (T*) to, n, full, inner, start, step, count);
    return launched(kAdd ? "slice_add_kernel" : "slice_kernel");
}

bool bad_slice(int dtype, int64_t outer, int64_t full, int64_t inner, int64_t start, int64_t step, int64_t count) {
    return !valid_dtype(dtype) || outer < 0 || full < 0 || inner < 0 || count < 0 || start < 0 || step < 1 ||
           (count > 0 && start + (count - 1) * step >= full);
}

}  // namespace

extern "C" {

dgm4j_status dgm4j_permute(int dtype, const void* x, const int64_t* x_dims, int rank, const int* perm, void* out,
                           dgm4j_stream s) {
    if (!valid_dtype(dtype) || rank < 0 || rank > kMaxRank || (rank > 0 && (!x_dims || !perm)))
        return bad_arg("dgm4j_permute", "bad dtype, rank or null dims");
    int64_t strides[kMaxRank], out_dims[kMaxRank], src[kMaxRank], n = 1;
    bool seen[kMaxRank] = {};
    for (int a = rank - 1; a >= 0; a--) {
        if (x_dims[a] < 0) return bad_arg("dgm4j_permute", "negative dim");
        strides[a] = n;
        n *= x_dims[a];
    }
    for (int i = 0; i < rank; i++) {
        if (perm[i] < 0 || perm[i] >= rank || seen[perm[i]]) return bad_arg("dgm4j_permute", "perm is not a permutation");
        seen[perm[i]] = true;
        out_dims[i] = x_dims[perm[i]];
        src[i] = strides[perm[i]];
    }
    Strides st;
    if (!make_strides(out_dims, src, nullptr, rank, &st)) return bad_arg("dgm4j_permute", "bad layout");
    if (n == 0) return DGM4J_OK;
    if (!x || !out) return bad_arg("dgm4j_permute", "null pointer");
    return dtype == DGM4J_F32 ? permute<float>(x, out, n, st, s) : permute<double>(x, out, n, st, s);
}

dgm4j_status dgm4j_concat(int dtype, int count, const void* const* xs, const int64_t* lens, int64_t outer,
                          int64_t inner, void* out, dgm4j_stream s) {
    if (!valid_dtype(dtype) || count < 0 || outer < 0 || inner < 0 || (count > 0 && (!xs || !lens)))
        return bad_arg("dgm4j_concat", "bad dtype, count or sizes");
    bool any = false;
    for (int k = 0; k < count; k++) {
        if (lens[k] < 0) return bad_arg("dgm4j_concat", "negative length");
        if (lens[k] > 0 && inner > 0 && outer > 0) {
            if (!xs[k]) return bad_arg("dgm4j_concat", "null input pointer");
            any = true;
        }
    }
    if (!any) return DGM4J_OK;
    if (!out) return bad_arg("dgm4j_concat", "null pointer");
    return dtype == DGM4J_F32 ? concat<float>(count, xs, lens, outer, inner, out, s)
                              : concat<double>(count, xs, lens, outer, inner, out, s);
}

dgm4j_status dgm4j_slice(int dtype, const void* x, int64_t outer, int64_t full, int64_t inner, int64_t start,
                         int64_t step, int64_t count, void* out, dgm4j_stream s) {
    if (bad_slice(dtype, outer, full, inner, start, step, count)) return bad_arg("dgm4j_slice", "bad dtype or sizes");
    int64_t n = outer * count * inner;
    if (n == 0) return DGM4J_OK;
    if (!x || !out) return bad_arg("dgm4j_slice", "null pointer");
    return dtype == DGM4J_F32 ? slice<float, false>(x, out, n, full, inner, start, step, count, s)
                              : slice<double, false>(x, out, n, full, inner, start, step, count, s);
}

dgm4j_status dgm4j_slice_add(int dtype, const void* src, int64_t outer, int64_t full, int64_t inner, int64_t start,
                             int64_t step, int64_t count, void* dst, dgm4j_stream s) {
    if (bad_slice(dtype, outer, full, inner, start, step, count)) return bad_arg("dgm4j_slice_add", "bad dtype or sizes");
    int64_t n = outer * count * inner;
    if (n == 0) return DGM4J_OK;
    if (!src || !dst) return bad_arg("dgm4j_slice_add", "null pointer");
    return dtype == DGM4J_F32 ? slice<float, true>(src, dst, n, full, inner, start, step, count, s)
                              : slice<double, true>(src, dst, n, full, inner, start, step, count, s);
}

}  // extern "C"
