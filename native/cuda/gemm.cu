// matmul (include/dgm4j/linalg.h) on the tiled GEMM core of gemm_tile.cuh.
#include "dgm4j/linalg.h"
#include "gemm_tile.cuh"

namespace {

using namespace dgm4j;

// out[b] (m, n) = op(a[b]) (m, k) · op(b[b]) (k, n); a is (m, k) or, transposed, (k, m); b is (k, n)
// or (n, k). Row-major, batches back to back.
template <class E>
struct Matmul {
    using T = E;
    using Acc = E;
    const E* pa;
    const E* pb;
    E* out;
    int batch, m, n, k;
    bool ta, tb;

    __device__ E a(int bi, int i, int kk) const {
        return pa[(int64_t) bi * m * k + (ta ? (int64_t) kk * m + i : (int64_t) i * k + kk)];
    }
    __device__ E b(int bi, int kk, int j) const {
        return pb[(int64_t) bi * k * n + (tb ? (int64_t) j * k + kk : (int64_t) kk * n + j)];
    }
    __device__ void store(int bi, int i, int j, Acc v) const { out[((int64_t) bi * m + i) * n + j] = v; }
};

template <class E>
dgm4j_status matmul(const void* a, int ta, const void* b, int tb, void* out, int64_t batch, int64_t m, int64_t n,
                    int64_t k, cudaStream_t s) {
    Matmul<E> p{(const E*) a, (const E*) b, (E*) out, (int) batch, (int) m, (int) n, (int) k, ta != 0, tb != 0};
    return run_gemm(p, s, sizeof(E) == 4 ? "gemm_tiles<Matmul<float>>" : "gemm_tiles<Matmul<double>>");
}

}  // namespace

extern "C" {

dgm4j_status dgm4j_matmul(int dtype, const void* a, int trans_a, const void* b, int trans_b, void* out, int64_t batch,
                          int64_t m, int64_t n, int64_t k, dgm4j_stream s) {
    if (!valid_dtype(dtype) || !fits_int(batch) || !fits_int(m) || !fits_int(n) || !fits_int(k))
        return bad_arg("dgm4j_matmul", "bad dtype, or a size negative or not below 2^31");
    if (batch == 0 || m == 0 || n == 0) return DGM4J_OK;
    if ((k > 0 && (!a || !b)) || !out) return bad_arg("dgm4j_matmul", "null pointer");
    return dtype == DGM4J_F32 ? matmul<float>(a, trans_a, b, trans_b, out, batch, m, n, k, stream(s))
                              : matmul<double>(a, trans_a, b, trans_b, out, batch, m, n, k, stream(s));
}

}  // extern "C"
