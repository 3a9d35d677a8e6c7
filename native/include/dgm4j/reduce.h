/*
 * Reductions of the op table (Java: backend.Kernels reduce). Contract of dgm4j.h; the math is
 * CpuReduce's, the reference. dtype DGM4J_F32 or DGM4J_F64; x and out device memory.
 */
#ifndef DGM4J_REDUCE_H
#define DGM4J_REDUCE_H

#include "dgm4j/dgm4j.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- reduce: out = op over the axes `axes` of x, reduced axes kept with size 1.
 * x: rank <= 8 (0 = a scalar), dims x_dims, contiguous row-major; axes: naxes distinct sorted axes
 * in [0, rank) (naxes = 0: out = x, through op); out: x_dims with 1 on every reduced axis.
 * Accumulation is in double whatever the dtype, the result rounded once to dtype.
 * SUM Σx; MEAN Σx / count (0/0 = NaN when count = 0); MAX, MIN as Java's Math.max/min (NaN wins,
 * +0 > -0; -inf / +inf when count = 0); LOGSUMEXP m + ln Σ exp(x - m) with m = MAX, and m itself when
 * m = ±inf (a row of -inf gives -inf). Codes = Java ReduceOp ordinals. Summation order differs from
 * the CPU's sequential one (a tree over threads), so sums agree to rounding, not bit for bit. ---- */
#define DGM4J_REDUCE_SUM 0
#define DGM4J_REDUCE_MEAN 1
#define DGM4J_REDUCE_MAX 2
#define DGM4J_REDUCE_MIN 3
#define DGM4J_REDUCE_LOGSUMEXP 4
#define DGM4J_REDUCE_COUNT 5
DGM4J_API dgm4j_status dgm4j_reduce(int op, int dtype, const void* x, const int64_t* x_dims, int rank, const int* axes,
                                    int naxes, void* out, dgm4j_stream stream);

#ifdef __cplusplus
}
#endif
#endif /* DGM4J_REDUCE_H */
