// unary and unaryBackward (include/dgm4j/elementwise.h). The math is CpuElementwise's, op for op
// and in the same order, so the parity suite can demand bit equality wherever no transcendental
// function is involved: arithmetic runs in double and is rounded once to the tensor's type.
#include <math.h>

#include "common.cuh"

namespace {

using namespace dgm4j;

// Transcendentals in the tensor's precision (float math for float tensors, as a GPU should).
__device__ __forceinline__ float t_exp(float x) { return expf(x); }
__device__ __forceinline__ double t_exp(double x) { return exp(x); }
__device__ __forceinline__ float t_log(float x) { return logf(x); }
__device__ __forceinline__ double t_log(double x) { return log(x); }
__device__ __forceinline__ float t_log1p(float x) { return log1pf(x); }
__device__ __forceinline__ double t_log1p(double x) { return log1p(x); }
__device__ __forceinline__ float t_tanh(float x) { return tanhf(x); }
__device__ __forceinline__ double t_tanh(double x) { return tanh(x); }

template <class T>
__device__ __forceinline__ T sigmoid(T x) {
    if (x >= 0) return T(1) / (T(1) + t_exp(-x));
    T e = t_exp(x);
    return e / (T(1) + e);
}

template <class T>
__device__ double forward(int op, double p, T xt) {
    double x = xt;
    switch (op) {
        case DGM4J_UNARY_NEG: return -x;
        case DGM4J_UNARY_EXP: return t_exp(xt);
        case DGM4J_UNARY_LOG: return t_log(xt);
        case DGM4J_UNARY_SQRT: return sqrt(x);  // correctly rounded in double, then to T: exact
        case DGM4J_UNARY_ABS: return fabs(x);
        case DGM4J_UNARY_SQUARE: return x * x;
        case DGM4J_UNARY_RECIPROCAL: return 1.0 / x;
        case DGM4J_UNARY_RELU: return x > 0 ? x : 0.0;
        case DGM4J_UNARY_LEAKY_RELU: return x > 0 ? x : p * x;
        case DGM4J_UNARY_SIGMOID: return sigmoid(xt);
        case DGM4J_UNARY_TANH: return t_tanh(xt);
        case DGM4J_UNARY_SOFTPLUS: return xt > 0 ? xt + t_log1p(t_exp(-xt)) : t_log1p(t_exp(xt));
        case DGM4J_UNARY_ADD_SCALAR: return x + p;
        case DGM4J_UNARY_MUL_SCALAR: return x * p;
        case DGM4J_UNARY_POW_SCALAR: return pow(x, p);
        default: return signum(x);  // DGM4J_UNARY_SIGN; codes are checked on the host
    }
}

// gy · f'(x), written as CpuElementwise.derivative writes it.
template <class T>
__device__ double backward(int op, double p, T xt, double y, double gy) {
    double x = xt;
    switch (op) {
        case DGM4J_UNARY_NEG: return -gy;
        case DGM4J_UNARY_EXP: return gy * y;
        case DGM4J_UNARY_LOG: return gy / x;
        case DGM4J_UNARY_SQRT: return gy * 0.5 / y;
        case DGM4J_UNARY_ABS: return gy * signum(x);
        case DGM4J_UNARY_SQUARE: return gy * 2.0 * x;
        case DGM4J_UNARY_RECIPROCAL: return -gy * y * y;
        case DGM4J_UNARY_RELU: return x > 0 ? gy : 0.0;
        case DGM4J_UNARY_LEAKY_RELU: return x > 0 ? gy : gy * p;
        case DGM4J_UNARY_SIGMOID: return gy * y * (1.0 - y);
        case DGM4J_UNARY_TANH: return gy * (1.0 - y * y);
        case DGM4J_UNARY_SOFTPLUS: return gy * (double) sigmoid(xt);
        case DGM4J_UNARY_ADD_SCALAR: return gy;
        case DGM4J_UNARY_MUL_SCALAR: return gy * p;
        case DGM4J_UNARY_POW_SCALAR: return gy * p * pow(x, p - 1.0);
        default: return 0.0;  // DGM4J_UNARY_SIGN
    }
}

// No __restrict__: out may be x (and gx may be gy).
template <class T>
__global__ void unary_kernel(int op, double p, const T* x, T* out, int64_t n) {
    DGM4J_FOR_EACH(i, n) out[i] = (T) forward(op, p, x[i]);
}

template <class T>
__global__ void unary_backward_kernel(int op, double p, const T* x, const T* y, const T* gy, T* gx, int64_t n) {
    DGM4J_FOR_EACH(i, n) gx[i] = (T) backward(op, p, x[i], (double) y[i], (double) gy[i]);
}

bool bad(int op, int dtype, int64_t n) { return op < 0 || op >= DGM4J_UNARY_COUNT || !valid_dtype(dtype) || n < 0; }

}  // namespace

extern "C" {

dgm4j_status dgm4j_unary(int op, double p, int dtype, const void* x, void* out, int64_t n, dgm4j_stream s) {
    if (bad(op, dtype, n) || ((!x || !out) && n > 0)) return bad_arg("dgm4j_unary", "bad op code, dtype, size or pointer");
    if (n == 0) return DGM4J_OK;
    if (dtype == DGM4J_F32) {
        DGM4J_LAUNCH(unary_kernel<float>, blocks_for(n), kThreads, 0, stream(s), op, p, (const float*) x, (float*) out, n);
        return launched("unary_kernel<float>");
    }
    DGM4J_LAUNCH(unary_kernel<double>, blocks_for(n), kThreads, 0, stream(s), op, p, (const double*) x, (double*) out, n);
    return launched("unary_kernel<double>");
}

dgm4j_status dgm4j_unary_backward(int op, double p, int dtype, const void* x, const void* y, const void* gy, void* gx,
                                  int64_t n, dgm4j_stream s) {
    if (bad(op, dtype, n) || ((!x || !y || !gy || !gx) && n > 0))
        return bad_arg("dgm4j_unary_backward", "bad op code, dtype, size or pointer");
    if (n == 0) return DGM4J_OK;
    if (dtype == DGM4J_F32) {
        DGM4J_LAUNCH(unary_backward_kernel<float>, blocks_for(n), kThreads, 0, stream(s), op, p, (const float*) x,
                     (const float*) y, (const float*) gy, (float*) gx, n);
        return launched("unary_backward_kernel<float>");
    }
    DGM4J_LAUNCH(unary_backward_kernel<double>, blocks_for(n), kThreads, 0, stream(s), op, p, (const double*) x,
                 (const double*) y, (const double*) gy, (double*) gx, n);
    return launched("unary_backward_kernel<double>");
}

}  // extern "C"
