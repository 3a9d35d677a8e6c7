/*
 * Fused optimizer updates of the op table (Java: backend.Kernels sgdUpdate, adamUpdate), in place,
 * one pass over n parameters. Every element is computed in double and rounded once to dtype, in the
 * order CpuKernels writes it, without FMA contraction: bit-identical to the CPU. Exception: float32
 * Adam runs in float (the double arguments rounded to float once, then every operation of the
 * formula below rounded to float, in the same order), as CpuKernels.adamF32 and PyTorch do. Contract of
 * dgm4j.h; dtype DGM4J_F32 or DGM4J_F64 (all operands); pointers are device memory, shapes (n).
 */
#ifndef DGM4J_OPTIM_H
#define DGM4J_OPTIM_H

#include "dgm4j/dgm4j.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- SGD: g = grad + wd·θ; if buf != NULL: b = first_step ? g : momentum·buf + (1 - dampening)·g,
 * buf = b, step = nesterov ? g + momentum·b : b (else step = g); θ = θ - lr·step. --------------- */
DGM4J_API dgm4j_status dgm4j_sgd_update(int dtype, void* param, const void* grad, void* buf, int64_t n, double lr,
                                        double momentum, double dampening, double weight_decay, int nesterov,
                                        int first_step, dgm4j_stream stream);

/* ---- Adam / AdamW / Adamax: θ' = θ·decay, g = grad + l2·θ, m = β1·m + (1 - β1)·g;
 * Adam: v = β2·v + (1 - β2)·g·g, θ = θ' - step_size·m / (sqrt(v / bias_correction2) + eps);
 * Adamax (adamax != 0): v = max(β2·v, |g| + eps) (NaN wins), θ = θ' - step_size·m / v.
 * The host computes step_size = lr / (1 - β1^t), bias_correction2 = 1 - β2^t, decay (AdamW:
 * 1 - lr·wd, else 1) and l2 (Adam: wd, AdamW 0), so pow is Java's on both backends. ------------- */
DGM4J_API dgm4j_status dgm4j_adam_update(int dtype, void* param, const void* grad, void* m, void* v, int64_t n,
                                         double beta1, double beta2, double eps, double step_size,
                                         double bias_correction2, double decay, double l2, int adamax,
                                         dgm4j_stream stream);

#ifdef __cplusplus
}
#endif
#endif /* DGM4J_OPTIM_H */
