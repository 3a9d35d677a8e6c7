/*
 * Normalizing-flow kernels of the op table (Java: backend.Kernels affineCoupling*, actnorm*,
 * logAbsDet, matrixInverse, squeeze2d, unsqueeze2d). Contract of dgm4j.h; the math is
 * backend.cpu.CpuFlow's, the reference. dtype DGM4J_F32 or DGM4J_F64 applies to every tensor
 * operand except logdet, dlogdet and work, which are always double. Pointers are device memory,
 * contiguous row-major; no operand may overlap another. Every value is computed in double and
 * rounded once to dtype. Sums over many elements run as a tree over threads and blocks, so they
 * agree with the CPU to rounding (tolerances in the test ParitySpecs.Flow); the LU, the inverse,
 * actnorm's logdet and squeeze are bit-identical to the CPU.
 */
#ifndef DGM4J_FLOW_H
#define DGM4J_FLOW_H

#include "dgm4j/dgm4j.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Per-sample (coupling) and per-channel (actnorm backward) sums are split over at most this many
 * blocks per sum; each block writes its partial sum to `work`, and a second kernel adds a row's
 * partials in a fixed order (deterministic, no atomics). A work argument holds
 * rows · DGM4J_FLOW_PARTIALS doubles per summed quantity. */
#define DGM4J_FLOW_PARTIALS 64

/* ---- affine coupling (Glow / RealNVP). in, raw, shift, out: (batch, n); logdet: (batch).
 * h = raw + 2, e = exp(-|h|), s = sigmoid(h) = (h >= 0 ? 1 : e) / (1 + e), 1 - s likewise,
 * log s = -((h < 0 ? -h : 0) + log1p(e)): one exp and one log1p per element, stable for any raw.
 * inverse = 0 (forward):  out = (in + shift)·s,           logdet[b] =  Σ_n log s
 * inverse = 1:            out = in·(1/s) - shift,          logdet[b] = -Σ_n log s
 *                         with 1/s = h >= 0 ? 1 + e : (1 + e) / e (= 1 + exp(-h)).
 * work: batch · DGM4J_FLOW_PARTIALS doubles. ------------------------------------------------- */
DGM4J_API dgm4j_status dgm4j_affine_coupling(int dtype, int inverse, const void* in, const void* raw, const void* shift,
                                             void* out, double* logdet, int64_t batch, int64_t n, double* work,
                                             dgm4j_stream stream);

/* ---- backward of the forward coupling, elementwise (shapes as above, dlogdet: (batch)):
 * dx = dy·s (also the gradient of shift), draw = (dy·(x + shift)·s + dlogdet[b])·(1 - s). ----- */
DGM4J_API dgm4j_status dgm4j_affine_coupling_backward(int dtype, const void* x, const void* raw, const void* shift,
                                                      const void* dy, const double* dlogdet, void* dx, void* draw,
                                                      int64_t batch, int64_t n, dgm4j_stream stream);

/* ---- actnorm. in, out: (batch, channels, spatial) (spatial = H·W; 1 for (B, C) tensors);
 * log_scale, bias: (channels); logdet: (batch). L = spatial · Σ_c log_scale[c], summed in
 * channel order (bit-identical to the CPU).
 * inverse = 0: out = (in + bias[c])·exp(log_scale[c]),   logdet[b] =  L
 * inverse = 1: out = in·exp(-log_scale[c]) - bias[c],    logdet[b] = -L ------------------------- */
DGM4J_API dgm4j_status dgm4j_actnorm(int dtype, int inverse, const void* in, const void* log_scale, const void* bias,
                                     void* out, double* logdet, int64_t batch, int64_t channels, int64_t spatial,
                                     dgm4j_stream stream);

/* ---- backward of the forward actnorm (layout as above, dlogdet: (batch)), e_c = exp(log_scale[c]):
 * dx = dy·e_c; dbias[c] = e_c·Σ_{b,p} dy; dlog_scale[c] = e_c·Σ_{b,p} dy·(x + bias[c]) + spatial·Σ_b dlogdet[b].
 * work: 2 · channels · DGM4J_FLOW_PARTIALS doubles. ------------------------------------------- */
DGM4J_API dgm4j_status dgm4j_actnorm_backward(int dtype, const void* x, const void* log_scale, const void* bias,
                                              const void* dy, const double* dlogdet, void* dx, void* dlog_scale,
                                              void* dbias, int64_t batch, int64_t channels, int64_t spatial,
                                              double* work, dgm4j_stream stream);

/* ---- actnorm statistics (data-dependent initialization), one block per channel. x: (batch,
 * channels, spatial) with batch·spatial >= 1; mean, std: (channels). Over the N = batch·spatial
 * values of channel c, with K = x[0, c, 0]: mean = K + Σ(x - K) / N, std = sqrt(Σ(x - mean)² / N)
 * (the population standard deviation). A constant channel gives exactly mean = K and std = 0. -- */
DGM4J_API dgm4j_status dgm4j_actnorm_stats(int dtype, const void* x, void* mean, void* std, int64_t batch,
                                           int64_t channels, int64_t spatial, dgm4j_stream stream);

/* ---- LU with partial pivoting of w (c, c), c >= 1, in double, by one block (no host round trip).
 * At step k the pivot is the first row i >= k with the largest |a_ik| (NaN counts as +inf); whole
 * rows are swapped; no FMA contraction, so the factors are bit-identical to the CPU's.
 * logabsdet: *logdet = log|det w| = Σ log|u_kk| (accumulated exactly as m·2^E by frexp, then
 *   log(m) + E·ln 2); -inf when a pivot is exactly zero (singular); NaN when w has a NaN or an
 *   infinite entry or a pivot overflows.
 * inverse: out = w⁻¹ (c, c) in dtype, one forward and one back substitution per column (each sum
 *   in index order); all NaN where logabsdet would give -inf or NaN.
 * work: DGM4J_LU_WORK(c) doubles for both. ---------------------------------------------------- */
#define DGM4J_LU_WORK(c) (2 * (c) * (c) + (c) + 1)
DGM4J_API dgm4j_status dgm4j_lu_logabsdet(int dtype, const void* w, int64_t c, double* work, double* logdet,
                                          dgm4j_stream stream);
DGM4J_API dgm4j_status dgm4j_lu_inverse(int dtype, const void* w, int64_t c, double* work, void* out,
                                        dgm4j_stream stream);

/* ---- Glow's squeeze by 2, between the unsqueezed layout (batch, c, h, w), h and w even, and the
 * squeezed layout (batch, 4c, h/2, w/2): squeezed[b, 4c' + 2i + j, p, q] = unsqueezed[b, c', 2p + i, 2q + j].
 * squeeze2d: x unsqueezed -> out squeezed; unsqueeze2d: x squeezed -> out unsqueezed. Both take
 * the dims (batch, c, h, w) of the unsqueezed layout. Bit-exact copies. ----------------------- */
DGM4J_API dgm4j_status dgm4j_squeeze2d(int dtype, const void* x, void* out, int64_t batch, int64_t c, int64_t h,
                                       int64_t w, dgm4j_stream stream);
DGM4J_API dgm4j_status dgm4j_unsqueeze2d(int dtype, const void* x, void* out, int64_t batch, int64_t c, int64_t h,
                                         int64_t w, dgm4j_stream stream);

#ifdef __cplusplus
}
#endif
#endif /* DGM4J_FLOW_H */
