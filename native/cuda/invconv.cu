// LU with partial pivoting for the invertible 1x1 convolution (include/dgm4j/flow.h): log|det w|
// and w⁻¹, the reference being CpuFlow.Lu, which does the same operations in the same order.
//  - lu_kernel: one block factors w (c, c) in double in work, step k: pivot search (each thread
//    scans its rows, then every thread picks the first largest of the candidates in shared
//    memory), row swap, multipliers,
//    rank-1 update of the trailing block (threads as 32 columns x blockDim/32 rows). Thread 0
//    accumulates |det| as m·2^E with frexp and writes log|det| (and the status the solve reads).
//  - lu_solve_kernel: one thread per column j of w⁻¹ (grid stride): forward substitution with the
//    unit L from P·e_j, back substitution with U, in double in work, then rounded into out.
// Products and differences go through rn_mul / rn_sub, so nvcc's FMAs cannot change a bit.
// Work layout (DGM4J_LU_WORK(c) doubles): a (c·c) | x (c·c, the solve) | pi (c int64) | status.
#include "flow_common.cuh"

namespace {

using namespace dgm4j;
using namespace dgm4j::flow;

// The emulator pays per barrier and per thread; its smaller solve blocks let c = 257 exceed its
// 4-block grid cap, so the grid-stride loop over columns runs there too.
#ifdef DGM4J_EMU
constexpr int kLuThreads = 64;
constexpr int kSolveThreads = 32;
#else
constexpr int kLuThreads = 256;
constexpr int kSolveThreads = 128;
#endif
constexpr double kLn2 = 0x1.62e42fefa39efp-1, kSqrtHalf = 0x1.6a09e667f3bcdp-1;  // as CpuFlow

// Pivot search key: |v|, NaN counting as +inf.
__device__ __forceinline__ double key(double v) { return v != v ? INFINITY : fabs(v); }

struct LuWork {
    double* a;
    double* x;
    int64_t* pi;  // row r of P·w is row pi[r] of w
    double* status;  // 0 ok, 1 singular, 2 non-finite
    __device__ __host__ LuWork(double* work, int64_t c)
        : a(work), x(work + c * c), pi(reinterpret_cast<int64_t*>(work + 2 * c * c)), status(work + 2 * c * c + c) {}
};

template <class T>
__global__ void lu_kernel(const T* w, int64_t c, double* work, double* logdet) {
    __shared__ double best_v[kLuThreads];
    __shared__ int64_t best_i[kLuThreads];
    __shared__ int non_finite_input;
    LuWork L(work, c);
    double* a = L.a;
    int tid = threadIdx.x, nt = blockDim.x;
    if (tid == 0) non_finite_input = 0;
    __syncthreads();
    for (int64_t i = tid; i < c * c; i += nt) {
        double v = w[i];
        a[i] = v;
        if (!isfinite(v)) atomicExch(&non_finite_input, 1);
    }
    for (int64_t r = tid; r < c; r += nt) L.pi[r] = r;
    __syncthreads();
    bool singular = false, non_finite = non_finite_input != 0;
    double m = 1;  // thread 0: |det| so far = m·2^big_e, m in [0.25, 1)
    int64_t big_e = 0;
    for (int64_t k = 0; k < c && !non_finite_input; k++) {
        double bv = -1;
        int64_t bi = c;
        for (int64_t i = k + tid; i < c; i += nt) {  // own rows in increasing order: strict > keeps the first
            double v = key(a[i * c + k]);
            if (v > bv) bv = v, bi = i;
        }
        best_v[tid] = bv;
        best_i[tid] = bi;
        __syncthreads();
        // Every thread reduces the candidates itself, in thread order (the same answer everywhere,
        // one barrier per step: the emulator pays per barrier and per thread).
        bv = -1, bi = c;
        for (int t = 0; t < nt; t++) {
            double v = best_v[t];
            if (v > bv || (v == bv && best_i[t] < bi)) bv = v, bi = best_i[t];
        }
        if (bv == 0) {  // the same value in every thread: a uniform exit
            singular = true;
            break;
        }
        int64_t p = bi;
        if (p != k) {
            for (int64_t j = tid; j < c; j += nt) {
                double t = a[k * c + j];
                a[k * c + j] = a[p * c + j];
                a[p * c + j] = t;
            }
            if (tid == 0) {
                int64_t t = L.pi[k];
                L.pi[k] = L.pi[p];
                L.pi[p] = t;
            }
        }
        __syncthreads();
        double piv = a[k * c + k];
        if (tid == 0) {
            double ap = fabs(piv);
            if (ap < INFINITY) {
                int e1, e2;
                m = frexp(rn_mul(m, frexp(ap, &e1)), &e2);
                big_e += e1 + e2;
            } else {
                non_finite = true;
            }
        }
        for (int64_t i = k + 1 + tid; i < c; i += nt) a[i * c + k] = a[i * c + k] / piv;
        __syncthreads();
        for (int64_t i = k + 1 + tid / kWarp; i < c; i += nt / kWarp) {
            double l = a[i * c + k];
            for (int64_t j = k + 1 + tid % kWarp; j < c; j += kWarp) a[i * c + j] = rn_sub(a[i * c + j], rn_mul(l, a[k * c + j]));
        }
        __syncthreads();
    }
    if (tid == 0) {
        double r;
        if (non_finite) {
            r = NAN;
        } else if (singular) {
            r = -INFINITY;
        } else {
            int e3;
            m = frexp(m, &e3);
            big_e += e3;
            if (m < kSqrtHalf) {
                m *= 2;
                big_e -= 1;
            }
            r = rn_add(log(m), rn_mul((double) big_e, kLn2));
        }
        *L.status = non_finite ? 2.0 : singular ? 1.0 : 0.0;
        if (logdet) *logdet = r;
    }
}

template <class T>
__global__ void lu_solve_kernel(double* work, int64_t c, T* out) {
    LuWork L(work, c);
    const double* a = L.a;
    double* x = L.x;
    bool bad = *L.status != 0;
    DGM4J_FOR_EACH(j, c) {
        if (bad) {
            for (int64_t r = 0; r < c; r++) out[r * c + j] = (T) NAN;
            continue;
        }
        for (int64_t r = 0; r < c; r++) {
            double acc = L.pi[r] == j ? 1.0 : 0.0;
            for (int64_t k = 0; k < r; k++) acc = rn_sub(acc, rn_mul(a[r * c + k], x[k * c + j]));
            x[r * c + j] = acc;
        }
        for (int64_t r = c - 1; r >= 0; r--) {
            double acc = x[r * c + j];
            for (int64_t k = r + 1; k < c; k++) acc = rn_sub(acc, rn_mul(a[r * c + k], x[k * c + j]));
            x[r * c + j] = acc / a[r * c + r];
        }
        for (int64_t r = 0; r < c; r++) out[r * c + j] = (T) x[r * c + j];
    }
}

template <class T>
dgm4j_status lu(const void* w, int64_t c, double* work, double* logdet, void* out, dgm4j_stream s) {
    DGM4J_LAUNCH(lu_kernel<T>, 1, kLuThreads, 0, stream(s), (const T*) w, c, work, logdet);
    dgm4j_status st = launched("lu_kernel");
    if (st != DGM4J_OK || !out) return st;
    int64_t blocks = (c + kSolveThreads - 1) / kSolveThreads;
    DGM4J_LAUNCH(lu_solve_kernel<T>, (unsigned) (blocks < kMaxBlocks ? blocks : kMaxBlocks), kSolveThreads, 0, stream(s),
                 work, c, (T*) out);
    return launched("lu_solve_kernel");
}

}  // namespace

extern "C" {

dgm4j_status dgm4j_lu_logabsdet(int dtype, const void* w, int64_t c, double* work, double* logdet, dgm4j_stream s) {
    if (!valid_dtype(dtype) || c < 1) return bad_arg("dgm4j_lu_logabsdet", "bad dtype or c < 1");
    if (!w || !work || !logdet) return bad_arg("dgm4j_lu_logabsdet", "null pointer");
    return dtype == DGM4J_F32 ? lu<float>(w, c, work, logdet, nullptr, s) : lu<double>(w, c, work, logdet, nullptr, s);
}

dgm4j_status dgm4j_lu_inverse(int dtype, const void* w, int64_t c, double* work, void* out, dgm4j_stream s) {
    if (!valid_dtype(dtype) || c < 1) return bad_arg("dgm4j_lu_inverse", "bad dtype or c < 1");
    if (!w || !work || !out) return bad_arg("dgm4j_lu_inverse", "null pointer");
    return dtype == DGM4J_F32 ? lu<float>(w, c, work, nullptr, out, s) : lu<double>(w, c, work, nullptr, out, s);
}

}  // extern "C"
