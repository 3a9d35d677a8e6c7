// sgdUpdate and adamUpdate (include/dgm4j/optim.h): one grid-stride pass, each element in CpuKernels'
// order: in double, except float32 Adam, which runs in float as CpuKernels.adamF32 does. nvcc would
// contract a·b + c into an FMA (one rounding instead of two) and break bit-parity with the CPU, so
// products and sums go through the _rn intrinsics, which it never fuses.
#include <math.h>

#include "common.cuh"
#include "dgm4j/optim.h"

namespace {

using namespace dgm4j;

#ifdef DGM4J_EMU  // g++ in ISO C++ mode does not contract
__device__ __forceinline__ double mul(double a, double b) { return a * b; }
__device__ __forceinline__ double add(double a, double b) { return a + b; }
__device__ __forceinline__ float mul(float a, float b) { return a * b; }
__device__ __forceinline__ float add(float a, float b) { return a + b; }
__device__ __forceinline__ float sub(float a, float b) { return a - b; }
__device__ __forceinline__ float div(float a, float b) { return a / b; }
__device__ __forceinline__ float root(float a) { return sqrtf(a); }
#else
__device__ __forceinline__ double mul(double a, double b) { return __dmul_rn(a, b); }
__device__ __forceinline__ double add(double a, double b) { return __dadd_rn(a, b); }
__device__ __forceinline__ float mul(float a, float b) { return __fmul_rn(a, b); }
__device__ __forceinline__ float add(float a, float b) { return __fadd_rn(a, b); }
__device__ __forceinline__ float sub(float a, float b) { return __fsub_rn(a, b); }
__device__ __forceinline__ float div(float a, float b) { return __fdiv_rn(a, b); }
__device__ __forceinline__ float root(float a) { return __fsqrt_rn(a); }
#endif

// Java's Math.max: NaN wins, +0 > -0.
__device__ __forceinline__ double java_max(double a, double b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0 && b == 0) return signbit(a) ? b : a;
    return a >= b ? a : b;
}

// Java's Math.max on floats.
__device__ __forceinline__ float java_max(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0 && b == 0) return signbit(a) ? b : a;
    return a >= b ? a : b;
}

template <class T>
__global__ void sgd_kernel(T* param, const T* grad, T* buf, int64_t n, double lr, double momentum, double dampening,
                           double wd, int nesterov, int first_step) {
    DGM4J_FOR_EACH(i, n) {
        double th = param[i], g = add(grad[i], mul(wd, th)), step = g;
        if (buf) {
            double b = first_step ? g : add(mul(momentum, buf[i]), mul(1 - dampening, g));
            buf[i] = (T) b;
            step = nesterov ? add(g, mul(momentum, b)) : b;
        }
        param[i] = (T) (th - mul(lr, step));
    }
}

template <class T>
__global__ void adam_kernel(T* param, const T* grad, T* m, T* v, int64_t n, double b1, double b2, double eps,
                            double step_size, double corr2, double decay, double l2, int adamax) {
    DGM4J_FOR_EACH(i, n) {
        double p = param[i], th = mul(p, decay), g = add(grad[i], mul(l2, p));
        double mi = add(mul(b1, m[i]), mul(1 - b1, g));
        double vi, denom;
        if (adamax) {
            vi = java_max(mul(b2, v[i]), fabs(g) + eps);
            denom = vi;
        } else {
            vi = add(mul(b2, v[i]), mul(mul(1 - b2, g), g));
            denom = sqrt(vi / corr2) + eps;
        }
        m[i] = (T) mi;
        v[i] = (T) vi;
        param[i] = (T) (th - mul(step_size, mi) / denom);
    }
}

// float32 Adam in float (CpuKernels.adamF32): the host's doubles rounded to float once, then the
// double kernel's operations in its order, each rounded to float.
__global__ void adam_kernel_f32(float* param, const float* grad, float* m, float* v, int64_t n, double b1d, double b2d,
                                double epsd, double step_sized, double corr2d, double decayd, double l2d, int adamax) {
    const float b1 = (float) b1d, c1 = (float) (1 - b1d), b2 = (float) b2d, c2 = (float) (1 - b2d), eps = (float) epsd,
                step_size = (float) step_sized, corr2 = (float) corr2d, decay = (float) decayd, l2 = (float) l2d;
    DGM4J_FOR_EACH(i, n) {
        float p = param[i], g = add(grad[i], mul(l2, p));
        float mi = add(mul(b1, m[i]), mul(c1, g));
        float vi, denom;
        if (adamax) {
            vi = java_max(mul(b2, v[i]), add(fabsf(g), eps));
            denom = vi;
        } else {
            vi = add(mul(b2, v[i]), mul(mul(c2, g), g));
            denom = add(root(div(vi, corr2)), eps);
        }
        m[i] = mi;
        v[i] = vi;
        param[i] = sub(mul(p, decay), div(mul(step_size, mi), denom));
    }
}

}  // namespace

extern "C" {

dgm4j_status dgm4j_sgd_update(int dtype, void* param, const void* grad, void* buf, int64_t n, double lr, double momentum,
                              double dampening, double weight_decay, int nesterov, int first_step, dgm4j_stream s) {
    if (!valid_dtype(dtype) || n < 0) return bad_arg("dgm4j_sgd_update", "bad dtype or size");
    if (n == 0) return DGM4J_OK;
    if (!param || !grad) return bad_arg("dgm4j_sgd_update", "null pointer");
    if (dtype == DGM4J_F32) {
        DGM4J_LAUNCH(sgd_kernel<float>, blocks_for(n), kThreads, 0, stream(s), (float*) param, (const float*) grad,
                     (float*) buf, n, lr, momentum, dampening, weight_decay, nesterov, first_step);
        return launched("sgd_kernel<float>");
    }
    DGM4J_LAUNCH(sgd_kernel<double>, blocks_for(n), kThreads, 0, stream(s), (double*) param, (const double*) grad,
                 (double*) buf, n, lr, momentum, dampening, weight_decay, nesterov, first_step);
    return launched("sgd_kernel<double>");
}

dgm4j_status dgm4j_adam_update(int dtype, void* param, const void* grad, void* m, void* v, int64_t n, double beta1,
                               double beta2, double eps, double step_size, double bias_correction2, double decay,
                               double l2, int adamax, dgm4j_stream s) {
    if (!valid_dtype(dtype) || n < 0) return bad_arg("dgm4j_adam_update", "bad dtype or size");
    if (n == 0) return DGM4J_OK;
    if (!param || !grad || !m || !v) return bad_arg("dgm4j_adam_update", "null pointer");
    if (dtype == DGM4J_F32) {
        DGM4J_LAUNCH(adam_kernel_f32, blocks_for(n), kThreads, 0, stream(s), (float*) param, (const float*) grad,
                     (float*) m, (float*) v, n, beta1, beta2, eps, step_size, bias_correction2, decay, l2, adamax);
        return launched("adam_kernel_f32");
    }
    DGM4J_LAUNCH(adam_kernel<double>, blocks_for(n), kThreads, 0, stream(s), (double*) param, (const double*) grad,
                 (double*) m, (double*) v, n, beta1, beta2, eps, step_size, bias_correction2, decay, l2, adamax);
    return launched("adam_kernel<double>");
}

}  // extern "C"
