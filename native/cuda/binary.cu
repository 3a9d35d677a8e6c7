// binary with broadcasting, and expand (include/dgm4j/elementwise.h). Two launch paths: flat
// (operands and out share one contiguous layout) and strided (any broadcast, rank <= 8).
#include <math.h>

#include "common.cuh"

namespace dgm4j {

bool make_strides(const int64_t* dims, const int64_t* a, const int64_t* b, int rank, Strides* out) {
    if (rank < 0 || rank > kMaxRank || (rank > 0 && (!dims || !a))) return false;
    int r = 0;
    for (int ax = 0; ax < rank; ax++) {
        if (dims[ax] < 0) return false;
        if (dims[ax] == 1) continue;  // a size-1 axis moves no operand
        int64_t sa = a[ax], sb = b ? b[ax] : 0;
        // Merge into the previous kept axis when both operands step through them as one axis.
        if (r > 0 && out->a[r - 1] == sa * dims[ax] && out->b[r - 1] == sb * dims[ax]) {
            out->dims[r - 1] *= dims[ax];
            out->a[r - 1] = sa;
            out->b[r - 1] = sb;
            continue;
        }
        out->dims[r] = dims[ax];
        out->a[r] = sa;
        out->b[r] = sb;
        r++;
    }
    if (r == 0) {  // a scalar, or all axes of size 1
        out->dims[0] = 1;
        out->a[0] = out->b[0] = 0;
        r = 1;
    }
    out->rank = r;
    return true;
}

}  // namespace dgm4j

namespace {

using namespace dgm4j;

// CpuElementwise.apply(BinaryOp) in double; Java's Math.max/min: NaN wins, +0 > -0.
__device__ __forceinline__ double apply(int op, double a, double b) {
    switch (op) {
        case DGM4J_BINARY_ADD: return a + b;
        case DGM4J_BINARY_SUB: return a - b;
        case DGM4J_BINARY_MUL: return a * b;
        case DGM4J_BINARY_DIV: return a / b;
        case DGM4J_BINARY_POW: return pow(a, b);
        case DGM4J_BINARY_MAXIMUM:
            if (a != a) return a;
            if (a == 0 && b == 0) return signbit(a) ? b : a;
            return a >= b ? a : b;
        case DGM4J_BINARY_MINIMUM:
            if (a != a) return a;
            if (a == 0 && b == 0) return signbit(b) ? b : a;
            return a <= b ? a : b;
        case DGM4J_BINARY_GT: return a > b ? 1 : 0;
        case DGM4J_BINARY_GE: return a >= b ? 1 : 0;
        case DGM4J_BINARY_LT: return a < b ? 1 : 0;
        case DGM4J_BINARY_LE: return a <= b ? 1 : 0;
        default: return a == b ? 1 : 0;  // DGM4J_BINARY_EQ; codes are checked on the host
    }
}

template <class T>
__global__ void binary_flat(int op, const T* a, const T* b, T* out, int64_t n) {
    DGM4J_FOR_EACH(i, n) out[i] = (T) apply(op, a[i], b[i]);
}

template <class T>
__global__ void binary_strided(int op, const T* a, const T* b, T* out, int64_t n, Strides s) {
    DGM4J_FOR_EACH(i, n) {
        int64_t ia, ib;
        offsets(s, i, &ia, &ib);
        out[i] = (T) apply(op, a[ia], b[ib]);
    }
}

template <class T>
__global__ void expand_kernel(const T* x, T* out, int64_t n, Strides s) {
    DGM4J_FOR_EACH(i, n) {
        int64_t ix, unused;
        offsets(s, i, &ix, &unused);
        out[i] = x[ix];
    }
}

int64_t count(const int64_t* dims, int rank) {
    int64_t n = 1;
    for (int i = 0; i < rank; i++) n *= dims[i];
    return n;
}

template <class T>
dgm4j_status binary(int op, const void* a, const void* b, void* out, int64_t n, const Strides& s, dgm4j_stream st) {
    if (s.rank == 1 && s.a[0] == 1 && s.b[0] == 1) {
        DGM4J_LAUNCH(binary_flat<T>, blocks_for(n), kThreads, 0, stream(st), op, (const T*) a, (const T*) b, (T*) out, n);
        return launched(sizeof(T) == 4 ? "binary_flat<float>" : "binary_flat<double>");
    }
    DGM4J_LAUNCH(binary_strided<T>, blocks_for(n), kThreads, 0, stream(st), op, (const T*) a, (const T*) b, (T*) out,
                 n, s);
    return launched(sizeof(T) == 4 ? "binary_strided<float>" : "binary_strided<double>");
}

}  // namespace

extern "C" {

dgm4j_status dgm4j_binary(int op, int dtype, const void* a, const int64_t* a_strides, const void* b,
                          const int64_t* b_strides, void* out, const int64_t* out_dims, int rank, dgm4j_stream s) {
    Strides st;
    if (op < 0 || op >= DGM4J_BINARY_COUNT || !valid_dtype(dtype) || (rank > 0 && !b_strides) ||
        !make_strides(out_dims, a_strides, b_strides, rank, &st))
        return bad_arg("dgm4j_binary", "bad op code, dtype, rank, dims or strides");
    int64_t n = count(out_dims, rank);
    if (n == 0) return DGM4J_OK;
    if (!a || !b || !out) return bad_arg("dgm4j_binary", "null pointer");
    return dtype == DGM4J_F32 ? binary<float>(op, a, b, out, n, st, s) : binary<double>(op, a, b, out, n, st, s);
}

dgm4j_status dgm4j_expand(int dtype, const void* x, const int64_t* x_strides, void* out, const int64_t* out_dims,
                          int rank, dgm4j_stream s) {
    Strides st;
    if (!valid_dtype(dtype) || !make_strides(out_dims, x_strides, nullptr, rank, &st))
        return bad_arg("dgm4j_expand", "bad dtype, rank, dims or strides");
    int64_t n = count(out_dims, rank);
    if (n == 0) return DGM4J_OK;
    if (!x || !out) return bad_arg("dgm4j_expand", "null pointer");
    if (dtype == DGM4J_F32) {
        DGM4J_LAUNCH(expand_kernel<float>, blocks_for(n), kThreads, 0, stream(s), (const float*) x, (float*) out, n, st);
        return launched("expand_kernel<float>");
    }
    DGM4J_LAUNCH(expand_kernel<double>, blocks_for(n), kThreads, 0, stream(s), (const double*) x, (double*) out, n, st);
    return launched("expand_kernel<double>");
}

}  // extern "C"
