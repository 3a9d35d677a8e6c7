/*
 * Data movement of the op table (Java: backend.Kernels permute, concat, slice, sliceAdd): index
 * arithmetic over contiguous row-major tensors, bit-exact copies (sliceAdd adds in double and
 * rounds once, as CpuMovement). Contract of dgm4j.h; dtype DGM4J_F32 or DGM4J_F64 (all operands);
 * pointers are device memory; no operand may overlap another.
 */
#ifndef DGM4J_MOVEMENT_H
#define DGM4J_MOVEMENT_H

#include "dgm4j/dgm4j.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- permute: out.dim(i) = x.dim(perm[i]); out[j0..jr] = x[i] with i[perm[k]] = j[k].
 * x: rank <= 8 (DGM4J_MAX_RANK), dims x_dims; perm: a permutation of [0, rank). ---------------- */
DGM4J_API dgm4j_status dgm4j_permute(int dtype, const void* x, const int64_t* x_dims, int rank, const int* perm,
                                     void* out, dgm4j_stream stream);

/* ---- concat along an axis, seen as (outer, len, inner): input k is (outer, lens[k], inner) and
 * lands in out (outer, Σ lens, inner) after the inputs before it. xs: count device pointers (an
 * input with no elements may be NULL). ------------------------------------------------------------ */
DGM4J_API dgm4j_status dgm4j_concat(int dtype, int count, const void* const* xs, const int64_t* lens, int64_t outer,
                                    int64_t inner, void* out, dgm4j_stream stream);

/* ---- slice: x (outer, full, inner), out (outer, count, inner);
 * out[o, i, j] = x[o, start + i·step, j]; step >= 1, start + (count - 1)·step < full. ------------ */
DGM4J_API dgm4j_status dgm4j_slice(int dtype, const void* x, int64_t outer, int64_t full, int64_t inner, int64_t start,
                                   int64_t step, int64_t count, void* out, dgm4j_stream stream);

/* ---- sliceAdd, the adjoint of slice: dst[o, start + i·step, j] += src[o, i, j] (same layouts as
 * slice: dst is x, src is out). One thread per src element: distinct elements hit distinct dst
 * elements since step >= 1, so no atomics and no races. ----------------------------------------- */
DGM4J_API dgm4j_status dgm4j_slice_add(int dtype, const void* src, int64_t outer, int64_t full, int64_t inner,
                                       int64_t start, int64_t step, int64_t count, void* dst, dgm4j_stream stream);

#ifdef __cplusplus
}
#endif
#endif /* DGM4J_MOVEMENT_H */
