// Affine coupling (include/dgm4j/flow.h), the reference being CpuFlow.affineCoupling*:
//  - forward / inverse: a 2-D grid, blockIdx.x = chunk of a sample's n elements, blockIdx.y (grid
//    stride) = sample. Each block writes its elements and the partial Σ log s of its chunk to work;
//    coupling_finish then adds each sample's partials in chunk order (deterministic, no atomics).
//  - backward: elementwise, grid-stride; dlogdet[b] is read per element.
// Everything in double: one exp and one log1p per element (flow_common.cuh).
#include "flow_common.cuh"

namespace {

using namespace dgm4j;
using namespace dgm4j::flow;

template <class T, bool kInverse>
__global__ void coupling_kernel(const T* in, const T* raw, const T* shift, T* out, double* partials, int64_t batch,
                                int64_t n, int chunks) {
    __shared__ double partial[32];
    int64_t lo = chunk_start(n, blockIdx.x, chunks), hi = chunk_start(n, blockIdx.x + 1, chunks);
    for (int64_t b = blockIdx.y; b < batch; b += gridDim.y) {
        double acc = 0;
        for (int64_t i = b * n + lo + threadIdx.x; i < b * n + hi; i += blockDim.x) {
            double h = (double) raw[i] + 2.0, e = exp(-fabs(h));
            out[i] = (T) (kInverse ? (double) in[i] * inverse_sigmoid(h, e) - (double) shift[i]
                                   : ((double) in[i] + (double) shift[i]) * sigmoid(h, e));
            acc += log_sigmoid(h, e);
        }
        acc = block_sum(acc, partial);
        if (threadIdx.x == 0) partials[b * DGM4J_FLOW_PARTIALS + blockIdx.x] = acc;
    }
}

// logdet[b] = sign · Σ_k partials[b, k], k in chunk order.
__global__ void coupling_finish(const double* partials, double* logdet, int64_t batch, int chunks, double sign) {
    DGM4J_FOR_EACH(b, batch) {
        double acc = 0;
        for (int k = 0; k < chunks; k++) acc += partials[b * DGM4J_FLOW_PARTIALS + k];
        logdet[b] = sign * acc;
    }
}

template <class T>
__global__ void coupling_backward_kernel(const T* x, const T* raw, const T* shift, const T* dy, const double* dlogdet,
                                         T* dx, T* draw, int64_t total, int64_t n) {
    DGM4J_FOR_EACH(i, total) {
        double h = (double) raw[i] + 2.0, e = exp(-fabs(h)), s = sigmoid(h, e), g = dy[i];
        dx[i] = (T) (g * s);
        draw[i] = (T) ((g * ((double) x[i] + (double) shift[i]) * s + dlogdet[i / n]) * one_minus_sigmoid(h, e));
    }
}

template <class T>
dgm4j_status coupling(bool inverse, const void* in, const void* raw, const void* shift, void* out, double* logdet,
                      int64_t batch, int64_t n, double* work, dgm4j_stream s) {
    int chunks = chunks_for(n);
    if (n > 0) {
        dim3 grid((unsigned) chunks, row_blocks(batch));
        auto k = inverse ? coupling_kernel<T, true> : coupling_kernel<T, false>;
        DGM4J_LAUNCH(k, grid, kSumThreads, 0, stream(s), (const T*) in, (const T*) raw, (const T*) shift, (T*) out, work,
                     batch, n, chunks);
        dgm4j_status st = launched("coupling_kernel");
        if (st != DGM4J_OK) return st;
    } else {
        chunks = 0;  // no elements: every logdet is an empty sum
    }
    DGM4J_LAUNCH(coupling_finish, blocks_for(batch), kThreads, 0, stream(s), (const double*) work, logdet, batch, chunks,
                 inverse ? -1.0 : 1.0);
    return launched("coupling_finish");
}

}  // namespace

extern "C" {

dgm4j_status dgm4j_affine_coupling(int dtype, int inverse, const void* in, const void* raw, const void* shift, void* out,
                                   double* logdet, int64_t batch, int64_t n, double* work, dgm4j_stream s) {
    if (!valid_dtype(dtype) || batch < 0 || n < 0) return bad_arg("dgm4j_affine_coupling", "bad dtype or sizes");
    if (batch == 0) return DGM4J_OK;
    if (!logdet || (n > 0 && (!in || !raw || !shift || !out || !work)))
        return bad_arg("dgm4j_affine_coupling", "null pointer");
    return dtype == DGM4J_F32 ? coupling<float>(inverse != 0, in, raw, shift, out, logdet, batch, n, work, s)
                              : coupling<double>(inverse != 0, in, raw, shift, out, logdet, batch, n, work, s);
}

dgm4j_status dgm4j_affine_coupling_backward(int dtype, const void* x, const void* raw, const void* shift, const void* dy,
                                            const double* dlogdet, void* dx, void* draw, int64_t batch, int64_t n,
                                            dgm4j_stream s) {
    if (!valid_dtype(dtype) || batch < 0 || n < 0) return bad_arg("dgm4j_affine_coupling_backward", "bad dtype or sizes");
    int64_t total = batch * n;
    if (total == 0) return DGM4J_OK;
    if (!x || !raw || !shift || !dy || !dlogdet || !dx || !draw)
        return bad_arg("dgm4j_affine_coupling_backward", "null pointer");
    if (dtype == DGM4J_F32) {
        DGM4J_LAUNCH(coupling_backward_kernel<float>, blocks_for(total), kThreads, 0, stream(s), (const float*) x,
                     (const float*) raw, (const float*) shift, (const float*) dy, dlogdet, (float*) dx, (float*) draw,
                     total, n);
        return launched("coupling_backward_kernel<float>");
    }
    DGM4J_LAUNCH(coupling_backward_kernel<double>, blocks_for(total), kThreads, 0, stream(s), (const double*) x,
                 (const double*) raw, (const double*) shift, (const double*) dy, dlogdet, (double*) dx, (double*) draw,
                 total, n);
    return launched("coupling_backward_kernel<double>");
}

}  // extern "C"
