// conv2d, conv2dBackwardData, conv2dBackwardWeights (include/dgm4j/linalg.h) as implicit GEMMs on
// the core of gemm_tile.cuh: each Problem below gathers its GEMM operands from the NCHW / OIHW
// tensors on the fly (no im2col buffer); taps that fall into the padding read as 0.
#include "dgm4j/linalg.h"
#include "gemm_tile.cuh"

namespace {

using namespace dgm4j;

// Geometry: x (N, C, H, W), w (K, C, R, S), y (N, K, P, Q); input row of output row p, tap r is
// p·sh − ph + r·dh (likewise columns).
struct Geo {
    int n, c, h, w, k, r, s, p, q, sh, sw, ph, pw, dh, dw;
    __device__ int rs() const { return r * s; }
    __device__ int pq() const { return p * q; }
    __device__ int hw() const { return h * w; }
    __device__ int64_t x_at(int ni, int ci, int hi, int wi) const { return (((int64_t) ni * c + ci) * h + hi) * w + wi; }
    __device__ int64_t y_at(int ni, int ki, int pi, int qi) const { return (((int64_t) ni * k + ki) * p + pi) * q + qi; }
};

// Forward. GEMM rows i = k (out channel), cols j = (n, p, q), reduction kk = (c, r, s):
//   A(i, kk) = w[i, kk] (w is (K, C·R·S) row-major), B(kk, j) = x at the tap, store y[n, i, p, q] + bias[i].
// Output columns are y's contiguous pixels, so neighbouring threads store neighbouring words.
template <class E>
struct ConvFwd {
    using T = E;
    using Acc = E;
    const E* x;
    const E* w;
    const E* bias;
    E* y;
    Geo g;
    int batch, m, n, k;

    __device__ E a(int, int i, int kk) const { return w[(int64_t) i * k + kk]; }
    __device__ E b(int, int kk, int j) const {
        int ci = kk / g.rs(), ri = kk % g.rs() / g.s, si = kk % g.s;
        int ni = j / g.pq(), pi = j % g.pq() / g.q, qi = j % g.q;
        int hi = pi * g.sh - g.ph + ri * g.dh, wi = qi * g.sw - g.pw + si * g.dw;
        return hi >= 0 && hi < g.h && wi >= 0 && wi < g.w ? x[g.x_at(ni, ci, hi, wi)] : E(0);
    }
    __device__ void store(int, int i, int j, Acc v) const {
        int ni = j / g.pq(), pix = j % g.pq();
        y[((int64_t) ni * g.k + i) * g.pq() + pix] = bias ? v + bias[i] : v;
    }
};

// Backward data, gathered per input pixel (no atomics). GEMM rows i = c, cols j = (n, h, w),
// reduction kk = (k, r, s): A(i, kk) = w[k, i, r, s]; B(kk, j) = gy[n, k, p, q] when
// h + ph − r·dh = p·sh and w + pw − s·dw = q·sw for some 0 <= p < P, 0 <= q < Q, else 0.
template <class E>
struct ConvBwdData {
    using T = E;
    using Acc = E;
    const E* gy;
    const E* w;
    E* gx;
    Geo g;
    int batch, m, n, k;

    __device__ E a(int, int i, int kk) const {
        int ki = kk / g.rs(), rest = kk % g.rs();
        return w[((int64_t) ki * g.c + i) * g.rs() + rest];
    }
    __device__ E b(int, int kk, int j) const {
        int ki = kk / g.rs(), ri = kk % g.rs() / g.s, si = kk % g.s;
        int ni = j / g.hw(), hi = j % g.hw() / g.w, wi = j % g.w;
        int ph = hi + g.ph - ri * g.dh, pw = wi + g.pw - si * g.dw;  // p·sh and q·sw when they divide
        if (ph < 0 || pw < 0 || ph % g.sh != 0 || pw % g.sw != 0) return E(0);
        int pi = ph / g.sh, qi = pw / g.sw;
        return pi < g.p && qi < g.q ? gy[g.y_at(ni, ki, pi, qi)] : E(0);
    }
    __device__ void store(int, int i, int j, Acc v) const {
        int ni = j / g.hw(), pix = j % g.hw();
        gx[((int64_t) ni * g.c + i) * g.hw() + pix] = v;
    }
};

// Backward weights. GEMM rows i = k, cols j = (c, r, s) plus, with gbias, one more column of ones
// (j = C·R·S) whose result is Σ gy = gbias; reduction kk = (n, p, q): A(i, kk) = gy[n, i, p, q],
// B(kk, j) = x at the tap. Stores gw (K, C·R·S) row-major and gbias.
template <class E>
struct ConvBwdWeights {
    using T = E;
    using Acc = E;
    const E* x;
    const E* gy;
    E* gw;
    E* gbias;
    Geo g;
    int batch, m, n, k;

    __device__ int crs() const { return g.c * g.rs(); }
    __device__ E a(int, int i, int kk) const {
        int ni = kk / g.pq(), pix = kk % g.pq();
        return gy[((int64_t) ni * g.k + i) * g.pq() + pix];
    }
    __device__ E b(int, int kk, int j) const {
        if (j == crs()) return E(1);  // the gbias column
        int ci = j / g.rs(), ri = j % g.rs() / g.s, si = j % g.s;
        int ni = kk / g.pq(), pi = kk % g.pq() / g.q, qi = kk % g.q;
        int hi = pi * g.sh - g.ph + ri * g.dh, wi = qi * g.sw - g.pw + si * g.dw;
        return hi >= 0 && hi < g.h && wi >= 0 && wi < g.w ? x[g.x_at(ni, ci, hi, wi)] : E(0);
    }
    __device__ void store(int, int i, int j, Acc v) const {
        if (j < crs()) gw[(int64_t) i * crs() + j] = v;
        else gbias[i] = v;
    }
};

// Reads and checks the geometry; P and Q from the conv formula. False on bad input.
bool geometry(const int64_t* xd, const int64_t* wd, const int* conv, Geo* g) {
    if (!xd || !wd || !conv) return false;
    for (int i = 0; i < 4; i++)
        if (!fits_int(xd[i]) || !fits_int(wd[i])) return false;
    if (xd[1] != wd[1] || conv[0] < 1 || conv[1] < 1 || conv[2] < 0 || conv[3] < 0 || conv[4] < 1 || conv[5] < 1)
        return false;
    int64_t p = (xd[2] + 2 * (int64_t) conv[2] - (int64_t) conv[4] * (wd[2] - 1) - 1) / conv[0] + 1;
    int64_t q = (xd[3] + 2 * (int64_t) conv[3] - (int64_t) conv[5] * (wd[3] - 1) - 1) / conv[1] + 1;
    if (wd[2] < 1 || wd[3] < 1 || p < 1 || q < 1 || !fits_int(p) || !fits_int(q)) return false;
    *g = Geo{(int) xd[0], (int) xd[1], (int) xd[2], (int) xd[3], (int) wd[0], (int) wd[2], (int) wd[3], (int) p, (int) q,
             conv[0], conv[1], conv[2], conv[3], conv[4], conv[5]};
    // Every GEMM extent below: N·P·Q, N·H·W, C·R·S + 1, K·R·S.
    return fits_int((int64_t) g->n * p * q) && fits_int((int64_t) g->n * g->h * g->w) &&
           fits_int((int64_t) g->c * g->r * g->s + 1) && fits_int((int64_t) g->k * g->r * g->s);
}

template <class E>
dgm4j_status fwd(const void* x, const void* w, const void* bias, void* y, const Geo& g, cudaStream_t s) {
    ConvFwd<E> p{(const E*) x, (const E*) w, (const E*) bias, (E*) y, g, 1, g.k, g.n * g.p * g.q, g.c * g.r * g.s};
    return run_gemm(p, s, sizeof(E) == 4 ? "gemm_tiles<ConvFwd<float>>" : "gemm_tiles<ConvFwd<double>>");
}

template <class E>
dgm4j_status bwd_data(const void* gy, const void* w, void* gx, const Geo& g, cudaStream_t s) {
    ConvBwdData<E> p{(const E*) gy, (const E*) w, (E*) gx, g, 1, g.c, g.n * g.h * g.w, g.k * g.r * g.s};
    return run_gemm(p, s, sizeof(E) == 4 ? "gemm_tiles<ConvBwdData<float>>" : "gemm_tiles<ConvBwdData<double>>");
}

template <class E>
dgm4j_status bwd_weights(const void* x, const void* gy, void* gw, void* gbias, const Geo& g, cudaStream_t s) {
    int crs = g.c * g.r * g.s;
    ConvBwdWeights<E> p{(const E*) x, (const E*) gy, (E*) gw, (E*) gbias, g, 1, g.k, crs + (gbias ? 1 : 0), g.n * g.p * g.q};
    return run_gemm(p, s, sizeof(E) == 4 ? "gemm_tiles<ConvBwdWeights<float>>" : "gemm_tiles<ConvBwdWeights<double>>");
}

int64_t numel(const Geo& g, char which) {
    switch (which) {
        case 'x': return (int64_t) g.n * g.c * g.h * g.w;
        case 'w': return (int64_t) g.k * g.c * g.r * g.s;
        default: return (int64_t) g.n * g.k * g.p * g.q;  // 'y'
    }
}

}  // namespace

extern "C" {

dgm4j_status dgm4j_conv2d(int dtype, const void* x, const void* w, const void* bias, void* y, const int64_t* x_dims,
                          const int64_t* w_dims, const int* conv, dgm4j_stream s) {
    Geo g;
    if (!valid_dtype(dtype) || !geometry(x_dims, w_dims, conv, &g)) return bad_arg("dgm4j_conv2d", "bad dtype, dims or conv");
    if (numel(g, 'y') == 0) return DGM4J_OK;
    if (!y || (numel(g, 'w') > 0 && (!x || !w))) return bad_arg("dgm4j_conv2d", "null pointer");
    return dtype == DGM4J_F32 ? fwd<float>(x, w, bias, y, g, stream(s)) : fwd<double>(x, w, bias, y, g, stream(s));
}

dgm4j_status dgm4j_conv2d_backward_data(int dtype, const void* gy, const void* w, void* gx, const int64_t* gx_dims,
                                        const int64_t* w_dims, const int* conv, dgm4j_stream s) {
    Geo g;
    if (!valid_dtype(dtype) || !geometry(gx_dims, w_dims, conv, &g))
        return bad_arg("dgm4j_conv2d_backward_data", "bad dtype, dims or conv");
    if (numel(g, 'x') == 0) return DGM4J_OK;
    if (!gx || (numel(g, 'y') > 0 && (!gy || !w))) return bad_arg("dgm4j_conv2d_backward_data", "null pointer");
    return dtype == DGM4J_F32 ? bwd_data<float>(gy, w, gx, g, stream(s)) : bwd_data<double>(gy, w, gx, g, stream(s));
}

dgm4j_status dgm4j_conv2d_backward_weights(int dtype, const void* x, const void* gy, void* gw, void* gbias,
                                           const int64_t* x_dims, const int64_t* w_dims, const int* conv, dgm4j_stream s) {
    Geo g;
    if (!valid_dtype(dtype) || !geometry(x_dims, w_dims, conv, &g))
        return bad_arg("dgm4j_conv2d_backward_weights", "bad dtype, dims or conv");
    if (numel(g, 'w') == 0 && (!gbias || g.k == 0)) return DGM4J_OK;
    if ((!gw && numel(g, 'w') > 0) || (numel(g, 'y') > 0 && (!x || !gy)))
        return bad_arg("dgm4j_conv2d_backward_weights", "null pointer");
    return dtype == DGM4J_F32 ? bwd_weights<float>(x, gy, gw, gbias, g, stream(s))
                              : bwd_weights<double>(x, gy, gw, gbias, g, stream(s));
}

}  // extern "C"
