/*
 * Matmul and 2-D convolution (Java: backend.Kernels matmul, conv2d, conv2dBackwardData,
 * conv2dBackwardWeights). Contract of dgm4j.h; the reference math is the CPU backend's (JavaLinalg).
 * dtype is DGM4J_F32 or DGM4J_F64 for every operand; tensors are contiguous row-major device memory.
 * Accumulation is in the dtype (float32 sums in float, as oneDNN does; float64 in double), so
 * results differ from the CPU's by summation order only (tolerances: test ParitySpecs).
 * Every dimension and every GEMM extent (M, N, reduction length) must be below 2^31.
 */
#ifndef DGM4J_LINALG_H
#define DGM4J_LINALG_H

#include "dgm4j/dgm4j.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- matmul: out[b] = op(a[b]) · op(b[b]) for b < batch, op(x) = trans ? xᵀ : x.
 * op(a): (m, k), so a is (m, k), or (k, m) when trans_a; op(b): (k, n), so b is (k, n) or (n, k).
 * out: (batch, m, n); a: batch·m·k elements; b: batch·k·n. The 2-D form is batch = 1. k = 0 gives
 * zeros. out must not overlap a or b. -------------------------------------------------------- */
DGM4J_API dgm4j_status dgm4j_matmul(int dtype, const void* a, int trans_a, const void* b, int trans_b, void* out,
                                    int64_t batch, int64_t m, int64_t n, int64_t k, dgm4j_stream stream);

/* ---- conv2d (PyTorch cross-correlation, NCHW / OIHW). x_dims = {N, C, H, W}, w_dims = {K, C, R, S},
 * conv = {stride_h, stride_w, pad_h, pad_w, dil_h, dil_w} (stride, dil >= 1, pad >= 0).
 * P = (H + 2·pad_h − dil_h·(R − 1) − 1) / stride_h + 1, Q likewise; both must be >= 1.
 *   y[n, k, p, q] = bias[k] + Σ_{c, r, s} x[n, c, p·stride_h − pad_h + r·dil_h, q·stride_w − pad_w + s·dil_w]
 *                                         · w[k, c, r, s]      (x outside the image counts as 0)
 * y: (N, K, P, Q); bias: (K) or NULL. ------------------------------------------------------------ */
DGM4J_API dgm4j_status dgm4j_conv2d(int dtype, const void* x, const void* w, const void* bias, void* y,
                                    const int64_t* x_dims, const int64_t* w_dims, const int* conv, dgm4j_stream stream);

/* ---- conv2dBackwardData: gx = the adjoint of conv2d in x applied to gy (also transposed conv):
 *   gx[n, c, h, w] = Σ_{k, r, s} gy[n, k, p, q] · w[k, c, r, s] over the (p, q) with
 *   p·stride_h = h + pad_h − r·dil_h, q·stride_w = w + pad_w − s·dil_w, 0 <= p < P, 0 <= q < Q.
 * gx_dims = {N, C, H, W} (gx is overwritten), w_dims, conv as for conv2d; gy: (N, K, P, Q). ------- */
DGM4J_API dgm4j_status dgm4j_conv2d_backward_data(int dtype, const void* gy, const void* w, void* gx,
                                                  const int64_t* gx_dims, const int64_t* w_dims, const int* conv,
                                                  dgm4j_stream stream);

/* ---- conv2dBackwardWeights: gw[k, c, r, s] = Σ_{n, p, q} gy[n, k, p, q] · x[n, c, h(p, r), w(q, s)],
 * and gbias[k] = Σ_{n, p, q} gy[n, k, p, q] when gbias is not NULL. Both overwritten.
 * x_dims = {N, C, H, W}, w_dims = {K, C, R, S} (the shape of gw), conv as for conv2d. ------------ */
DGM4J_API dgm4j_status dgm4j_conv2d_backward_weights(int dtype, const void* x, const void* gy, void* gw, void* gbias,
                                                     const int64_t* x_dims, const int64_t* w_dims, const int* conv,
                                                     dgm4j_stream stream);

#ifdef __cplusplus
}
#endif
#endif /* DGM4J_LINALG_H */
