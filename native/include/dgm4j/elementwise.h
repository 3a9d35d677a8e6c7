/*
 * Elementwise kernels of the op table (Java: backend.Kernels fill, copy, unary, unaryBackward,
 * binary, expand). Contract of dgm4j.h; the math of every op is CpuElementwise's, the reference.
 * dtype is DGM4J_F32 or DGM4J_F64; n is an element count; pointers are device memory.
 * Precision: float tensors compute arithmetic in double and round once (so +,-,*,/ and the scalar
 * ops equal the CPU's bit for bit); exp, log, tanh, log1p run in the tensor's own precision.
 */
#ifndef DGM4J_ELEMENTWISE_H
#define DGM4J_ELEMENTWISE_H

#include "dgm4j/dgm4j.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- fill: out[i] = value rounded to dtype, i < n. out: (n) ------------------------------------ */
DGM4J_API dgm4j_status dgm4j_fill(int dtype, void* out, int64_t n, double value, dgm4j_stream stream);

/* ---- copy: out[i] = x[i] converted from x_dtype to out_dtype (f64 -> f32 rounds to nearest).
 * x, out: (n); equal pointers with equal dtypes are a no-op; other overlaps are not allowed. ---- */
DGM4J_API dgm4j_status dgm4j_copy(int x_dtype, const void* x, int out_dtype, void* out, int64_t n,
                                  dgm4j_stream stream);

/* ---- unary: out[i] = f(x[i]; p), x, out: (n), out may equal x. Codes = Java UnaryOp ordinals. -- */
#define DGM4J_UNARY_NEG 0         /* -x */
#define DGM4J_UNARY_EXP 1         /* e^x */
#define DGM4J_UNARY_LOG 2         /* ln x */
#define DGM4J_UNARY_SQRT 3        /* sqrt x */
#define DGM4J_UNARY_ABS 4         /* |x| */
#define DGM4J_UNARY_SQUARE 5      /* x*x */
#define DGM4J_UNARY_RECIPROCAL 6  /* 1/x */
#define DGM4J_UNARY_RELU 7        /* x > 0 ? x : 0 */
#define DGM4J_UNARY_LEAKY_RELU 8  /* x > 0 ? x : p*x */
#define DGM4J_UNARY_SIGMOID 9     /* 1/(1+e^-x), evaluated as e^x/(1+e^x) for x < 0 */
#define DGM4J_UNARY_TANH 10       /* tanh x */
#define DGM4J_UNARY_SOFTPLUS 11   /* ln(1+e^x) = x > 0 ? x + log1p(e^-x) : log1p(e^x) */
#define DGM4J_UNARY_ADD_SCALAR 12 /* x + p */
#define DGM4J_UNARY_MUL_SCALAR 13 /* x * p */
#define DGM4J_UNARY_POW_SCALAR 14 /* x^p, in double */
#define DGM4J_UNARY_SIGN 15       /* 1, -1 or 0 (NaN stays NaN) */
#define DGM4J_UNARY_COUNT 16
DGM4J_API dgm4j_status dgm4j_unary(int op, double p, int dtype, const void* x, void* out, int64_t n,
                                   dgm4j_stream stream);

/* ---- unaryBackward: gx[i] = gy[i] * f'(x[i]) with y = f(x; p) given (sigmoid, tanh, exp and sqrt
 * use y). x, y, gy, gx: (n), one dtype; gx may equal gy. ----------------------------------------- */
DGM4J_API dgm4j_status dgm4j_unary_backward(int op, double p, int dtype, const void* x, const void* y,
                                            const void* gy, void* gx, int64_t n, dgm4j_stream stream);

/* ---- binary with NumPy broadcasting: out[i] = a[ia(i)] op b[ib(i)]. Codes = Java BinaryOp
 * ordinals; comparisons give 1 or 0. Layout: out has rank <= 8 (a scalar is rank 0) and dims
 * out_dims; a_strides / b_strides are the inputs' element strides aligned to out's axes, 0 on an
 * axis the input broadcasts along (size 1 or missing). out may equal a or b when they are not
 * broadcast. ------------------------------------------------------------------------------------ */
#define DGM4J_BINARY_ADD 0
#define DGM4J_BINARY_SUB 1
#define DGM4J_BINARY_MUL 2
#define DGM4J_BINARY_DIV 3
#define DGM4J_BINARY_POW 4     /* a^b, in double */
#define DGM4J_BINARY_MAXIMUM 5 /* NaN if either is NaN */
#define DGM4J_BINARY_MINIMUM 6
#define DGM4J_BINARY_GT 7
#define DGM4J_BINARY_GE 8
#define DGM4J_BINARY_LT 9
#define DGM4J_BINARY_LE 10
#define DGM4J_BINARY_EQ 11
#define DGM4J_BINARY_COUNT 12
#define DGM4J_MAX_RANK 8
DGM4J_API dgm4j_status dgm4j_binary(int op, int dtype, const void* a, const int64_t* a_strides, const void* b,
                                    const int64_t* b_strides, void* out, const int64_t* out_dims, int rank,
                                    dgm4j_stream stream);

/* ---- expand: out[i] = x[ix(i)], x broadcast to out (same stride layout as binary). ------------ */
DGM4J_API dgm4j_status dgm4j_expand(int dtype, const void* x, const int64_t* x_strides, void* out,
                                    const int64_t* out_dims, int rank, dgm4j_stream stream);

#ifdef __cplusplus
}
#endif
#endif /* DGM4J_ELEMENTWISE_H */
