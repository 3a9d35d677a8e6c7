/*
 * Random numbers: Philox 4x32-10 streams identical to Java's backend.Philox (read it for the exact
 * definitions). Element i of a draw reads counter block offset + i, counter words (lo32, hi32, 0, 0),
 * key (seed lo32, seed hi32). Same seed and offset give the same numbers on the CPU and the GPU.
 * Contract of dgm4j.h; dtype DGM4J_F32 or DGM4J_F64; out: (n) device memory.
 */
#ifndef DGM4J_RANDOM_H
#define DGM4J_RANDOM_H

#include "dgm4j/dgm4j.h"

#ifdef __cplusplus
extern "C" {
#endif

/* out[i] ~ U[0, 1): float (w0 >> 8)·2^-24; double ((w0 << 21) | (w1 >> 11))·2^-53. Bit-exact. */
DGM4J_API dgm4j_status dgm4j_uniform(uint64_t seed, uint64_t offset, int dtype, void* out, int64_t n,
                                     dgm4j_stream stream);

/* out[i] ~ N(0, 1): Box-Muller in double, u1 = 1 - U53(w0, w1), u2 = U53(w2, w3),
 * sqrt(-2 ln u1)·cos(2π u2), rounded to dtype (log and cos may differ from Java's in the last bit). */
DGM4J_API dgm4j_status dgm4j_normal(uint64_t seed, uint64_t offset, int dtype, void* out, int64_t n,
                                    dgm4j_stream stream);

/* out[i] = uniform_dtype[i] < p[ip(i)] ? 1 : 0. p broadcasts to out: p_strides are its element
 * strides aligned to out's rank-dims out_dims (0 where broadcast), as for dgm4j_binary. Bit-exact. */
DGM4J_API dgm4j_status dgm4j_bernoulli(uint64_t seed, uint64_t offset, int dtype, const void* p,
                                       const int64_t* p_strides, void* out, const int64_t* out_dims, int rank,
                                       dgm4j_stream stream);

#ifdef __cplusplus
}
#endif
#endif /* DGM4J_RANDOM_H */
