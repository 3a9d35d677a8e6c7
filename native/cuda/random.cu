// uniform, normal and bernoulli (include/dgm4j/random.h): Philox 4x32-10 exactly as Java's
// backend.Philox, one counter block per element, so any element is computed independently.
#include <math.h>

#include "common.cuh"

namespace {

using namespace dgm4j;

struct Words {
    uint32_t w[4];
};

// Block `counter` of key `seed`: counter words (lo, hi, 0, 0), key (seed lo, seed hi), ten rounds.
__device__ __forceinline__ Words philox(uint64_t seed, uint64_t counter) {
    const uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
    uint32_t c0 = (uint32_t) counter, c1 = (uint32_t) (counter >> 32), c2 = 0, c3 = 0;
    uint32_t k0 = (uint32_t) seed, k1 = (uint32_t) (seed >> 32);
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += W0;
            k1 += W1;
        }
        uint64_t p0 = (uint64_t) M0 * c0, p1 = (uint64_t) M1 * c2;
        uint32_t n0 = (uint32_t) (p1 >> 32) ^ c1 ^ k0;
        uint32_t n2 = (uint32_t) (p0 >> 32) ^ c3 ^ k1;
        c1 = (uint32_t) p1;
        c3 = (uint32_t) p0;
        c0 = n0;
        c2 = n2;
    }
    return Words{{c0, c1, c2, c3}};
}

__device__ __forceinline__ float uniform24(uint32_t w0) { return (float) (w0 >> 8) * 0x1.0p-24f; }

__device__ __forceinline__ double uniform53(uint32_t w0, uint32_t w1) {
    return (double) (((uint64_t) w0 << 21) | (w1 >> 11)) * 0x1.0p-53;
}

// The tensor type's uniform: 24 bits for float, 53 for double.
template <class T>
__device__ __forceinline__ T uniform(const Words& r);
template <>
__device__ __forceinline__ float uniform<float>(const Words& r) { return uniform24(r.w[0]); }
template <>
__device__ __forceinline__ double uniform<double>(const Words& r) { return uniform53(r.w[0], r.w[1]); }

template <class T>
__global__ void uniform_kernel(uint64_t seed, uint64_t offset, T* out, int64_t n) {
    DGM4J_FOR_EACH(i, n) out[i] = uniform<T>(philox(seed, offset + (uint64_t) i));
}

template <class T>
__global__ void normal_kernel(uint64_t seed, uint64_t offset, T* out, int64_t n) {
    DGM4J_FOR_EACH(i, n) {
        Words r = philox(seed, offset + (uint64_t) i);
        double u1 = 1.0 - uniform53(r.w[0], r.w[1]);  // (0, 1]: the log is finite
        double u2 = uniform53(r.w[2], r.w[3]);
        out[i] = (T) (sqrt(-2.0 * log(u1)) * cos(2.0 * 3.141592653589793 * u2));
    }
}

template <class T>
__global__ void bernoulli_kernel(uint64_t seed, uint64_t offset, const T* p, T* out, int64_t n, Strides s) {
    DGM4J_FOR_EACH(i, n) {
        int64_t ip, unused;
        offsets(s, i, &ip, &unused);
        out[i] = uniform<T>(philox(seed, offset + (uint64_t) i)) < p[ip] ? T(1) : T(0);
    }
}

bool bad(int dtype, void* out, int64_t n) { return !valid_dtype(dtype) || n < 0 || (!out && n > 0); }

}  // namespace

extern "C" {

dgm4j_status dgm4j_uniform(uint64_t seed, uint64_t offset, int dtype, void* out, int64_t n, dgm4j_stream s) {
    if (bad(dtype, out, n)) return bad_arg("dgm4j_uniform", "bad dtype, size or pointer");
    if (n == 0) return DGM4J_OK;
    if (dtype == DGM4J_F32) {
        DGM4J_LAUNCH(uniform_kernel<float>, blocks_for(n), kThreads, 0, stream(s), seed, offset, (float*) out, n);
        return launched("uniform_kernel<float>");
    }
    DGM4J_LAUNCH(uniform_kernel<double>, blocks_for(n), kThreads, 0, stream(s), seed, offset, (double*) out, n);
    return launched("uniform_kernel<double>");
}

dgm4j_status dgm4j_normal(uint64_t seed, uint64_t offset, int dtype, void* out, int64_t n, dgm4j_stream s) {
    if (bad(dtype, out, n)) return bad_arg("dgm4j_normal", "bad dtype, size or pointer");
    if (n == 0) return DGM4J_OK;
    if (dtype == DGM4J_F32) {
        DGM4J_LAUNCH(normal_kernel<float>, blocks_for(n), kThreads, 0, stream(s), seed, offset, (float*) out, n);
        return launched("normal_kernel<float>");
    }
    DGM4J_LAUNCH(normal_kernel<double>, blocks_for(n), kThreads, 0, stream(s), seed, offset, (double*) out, n);
    return launched("normal_kernel<double>");
}

dgm4j_status dgm4j_bernoulli(uint64_t seed, uint64_t offset, int dtype, const void* p, const int64_t* p_strides,
                             void* out, const int64_t* out_dims, int rank, dgm4j_stream s) {
    Strides st;
    if (!valid_dtype(dtype) || !make_strides(out_dims, p_strides, nullptr, rank, &st))
        return bad_arg("dgm4j_bernoulli", "bad dtype, rank, dims or strides");
    int64_t n = 1;
    for (int i = 0; i < rank; i++) n *= out_dims[i];
    if (n == 0) return DGM4J_OK;
    if (!p || !out) return bad_arg("dgm4j_bernoulli", "null pointer");
    if (dtype == DGM4J_F32) {
        DGM4J_LAUNCH(bernoulli_kernel<float>, blocks_for(n), kThreads, 0, stream(s), seed, offset, (const float*) p,
                     (float*) out, n, st);
        return launched("bernoulli_kernel<float>");
    }
    DGM4J_LAUNCH(bernoulli_kernel<double>, blocks_for(n), kThreads, 0, stream(s), seed, offset, (const double*) p,
                 (double*) out, n, st);
    return launched("bernoulli_kernel<double>");
}

}  // extern "C"
