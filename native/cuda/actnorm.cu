// Actnorm (include/dgm4j/flow.h), the reference being CpuFlow.actnorm*. Tensors are seen as
// (batch, channels, spatial):
//  - forward / inverse: elementwise, grid-stride, channel (i / spatial) % channels; actnorm_logdet
//    sums log_scale in channel order per sample (bit-identical to the CPU).
//  - backward: a 2-D grid, blockIdx.x = chunk of a channel's batch·spatial elements, blockIdx.y
//    (grid stride) = channel; each block writes dx for its elements and two partial sums to work,
//    then actnorm_backward_finish adds each channel's partials in chunk order.
//  - stats: one block per channel (grid stride), two passes over the channel (shifted mean, then
//    Σ (x - mean)²), each a block-wide double sum. A one-off initialization step.
#include "flow_common.cuh"

namespace {

using namespace dgm4j;
using namespace dgm4j::flow;

// Element j of channel c's batch·spatial values.
__device__ __forceinline__ int64_t channel_index(int64_t j, int64_t c, int64_t channels, int64_t spatial) {
    return (j / spatial * channels + c) * spatial + j % spatial;
}

template <class T, bool kInverse>
__global__ void actnorm_kernel(const T* in, const T* log_scale, const T* bias, T* out, int64_t total, int64_t channels,
                               int64_t spatial) {
    DGM4J_FOR_EACH(i, total) {
        int64_t c = i / spatial % channels;
        double l = log_scale[c];
        out[i] = (T) (kInverse ? (double) in[i] * exp(-l) - (double) bias[c] : ((double) in[i] + (double) bias[c]) * exp(l));
    }
}

// logdet[b] = sign · (spatial · Σ_c log_scale[c]), each thread summing in channel order.
template <class T>
__global__ void actnorm_logdet(const T* log_scale, double* logdet, int64_t batch, int64_t channels, int64_t spatial,
                               double sign) {
    DGM4J_FOR_EACH(b, batch) {
        double sum = 0;
        for (int64_t c = 0; c < channels; c++) sum += (double) log_scale[c];
        logdet[b] = sign * ((double) spatial * sum);
    }
}

// partials: [2][channels][DGM4J_FLOW_PARTIALS]: Σ dy, then Σ dy·(x + bias).
template <class T>
__global__ void actnorm_backward_kernel(const T* x, const T* log_scale, const T* bias, const T* dy, T* dx,
                                        double* partials, int64_t channels, int64_t spatial, int64_t len, int chunks) {
    __shared__ double partial[32];
    int64_t lo = chunk_start(len, blockIdx.x, chunks), hi = chunk_start(len, blockIdx.x + 1, chunks);
    for (int64_t c = blockIdx.y; c < channels; c += gridDim.y) {
        double e = exp((double) log_scale[c]), bias_c = bias[c], sum_dy = 0, sum_dyx = 0;
        for (int64_t j = lo + threadIdx.x; j < hi; j += blockDim.x) {
            int64_t i = channel_index(j, c, channels, spatial);
            double g = dy[i];
            dx[i] = (T) (g * e);
            sum_dy += g;
            sum_dyx += g * ((double) x[i] + bias_c);
        }
        sum_dy = block_sum(sum_dy, partial);
        sum_dyx = block_sum(sum_dyx, partial);
        if (threadIdx.x == 0) {
            partials[c * DGM4J_FLOW_PARTIALS + blockIdx.x] = sum_dy;
            partials[(channels + c) * DGM4J_FLOW_PARTIALS + blockIdx.x] = sum_dyx;
        }
    }
}

template <class T>
__global__ void actnorm_backward_finish(const T* log_scale, const double* dlogdet, const double* partials, T* dlog_scale,
                                        T* dbias, int64_t batch, int64_t channels, int64_t spatial, int chunks) {
    DGM4J_FOR_EACH(c, channels) {
        double e = exp((double) log_scale[c]), sum_dy = 0, sum_dyx = 0, sum_dl = 0;
        for (int k = 0; k < chunks; k++) {
            sum_dy += partials[c * DGM4J_FLOW_PARTIALS + k];
            sum_dyx += partials[(channels + c) * DGM4J_FLOW_PARTIALS + k];
        }
        for (int64_t b = 0; b < batch; b++) sum_dl += dlogdet[b];
        dbias[c] = (T) (e * sum_dy);
        dlog_scale[c] = (T) (e * sum_dyx + (double) spatial * sum_dl);
    }
}

template <class T>
__global__ void actnorm_stats_kernel(const T* x, T* mean, T* std, int64_t channels, int64_t spatial, int64_t len) {
    __shared__ double partial[32];
    double n = (double) len;
    for (int64_t c = blockIdx.x; c < channels; c += gridDim.x) {
        double k = x[c * spatial], sum = 0;  // K = x[0, c, 0]: a constant channel sums exact zeros
        for (int64_t j = threadIdx.x; j < len; j += blockDim.x) sum += (double) x[channel_index(j, c, channels, spatial)] - k;
        double m = k + block_sum(sum, partial) / n, sq = 0;
        for (int64_t j = threadIdx.x; j < len; j += blockDim.x) {
            double d = (double) x[channel_index(j, c, channels, spatial)] - m;
            sq += d * d;
        }
        sq = block_sum(sq, partial);
        if (threadIdx.x == 0) {
            mean[c] = (T) m;
            std[c] = (T) sqrt(sq / n);
        }
    }
}

template <class T>
dgm4j_status actnorm(bool inverse, const void* in, const void* log_scale, const void* bias, void* out, double* logdet,
                     int64_t batch, int64_t channels, int64_t spatial, dgm4j_stream s) {
    int64_t total = batch * channels * spatial;
    if (total > 0) {
        auto k = inverse ? actnorm_kernel<T, true> : actnorm_kernel<T, false>;
        DGM4J_LAUNCH(k, blocks_for(total), kThreads, 0, stream(s), (const T*) in, (const T*) log_scale, (const T*) bias,
                     (T*) out, total, channels, spatial);
        dgm4j_status st = launched("actnorm_kernel");
        if (st != DGM4J_OK) return st;
    }
    DGM4J_LAUNCH(actnorm_logdet<T>, blocks_for(batch), kThreads, 0, stream(s), (const T*) log_scale, logdet, batch,
                 channels, spatial, inverse ? -1.0 : 1.0);
    return launched("actnorm_logdet");
}

template <class T>
dgm4j_status actnorm_backward(const void* x, const void* log_scale, const void* bias, const void* dy,
                              const double* dlogdet, void* dx, void* dlog_scale, void* dbias, int64_t batch,
                              int64_t channels, int64_t spatial, double* work, dgm4j_stream s) {
    int64_t len = batch * spatial;
    int chunks = 0;
    if (len > 0) {
        chunks = chunks_for(len);
        dim3 grid((unsigned) chunks, row_blocks(channels));
        DGM4J_LAUNCH(actnorm_backward_kernel<T>, grid, kSumThreads, 0, stream(s), (const T*) x, (const T*) log_scale,
                     (const T*) bias, (const T*) dy, (T*) dx, work, channels, spatial, len, chunks);
        dgm4j_status st = launched("actnorm_backward_kernel");
        if (st != DGM4J_OK) return st;
    }
    DGM4J_LAUNCH(actnorm_backward_finish<T>, blocks_for(channels), kThreads, 0, stream(s), (const T*) log_scale, dlogdet,
                 (const double*) work, (T*) dlog_scale, (T*) dbias, batch, channels, spatial, chunks);
    return launched("actnorm_backward_finish");
}

bool bad_layout(int dtype, int64_t batch, int64_t channels, int64_t spatial) {
    return !valid_dtype(dtype) || batch < 0 || channels < 0 || spatial < 0;
}

}  // namespace

extern "C" {

dgm4j_status dgm4j_actnorm(int dtype, int inverse, const void* in, const void* log_scale, const void* bias, void* out,
                           double* logdet, int64_t batch, int64_t channels, int64_t spatial, dgm4j_stream s) {
    if (bad_layout(dtype, batch, channels, spatial)) return bad_arg("dgm4j_actnorm", "bad dtype or sizes");
    if (batch == 0) return DGM4J_OK;
    if (!logdet || (channels > 0 && !log_scale) || (channels * spatial > 0 && (!in || !bias || !out)))
        return bad_arg("dgm4j_actnorm", "null pointer");
    return dtype == DGM4J_F32
               ? actnorm<float>(inverse != 0, in, log_scale, bias, out, logdet, batch, channels, spatial, s)
               : actnorm<double>(inverse != 0, in, log_scale, bias, out, logdet, batch, channels, spatial, s);
}

dgm4j_status dgm4j_actnorm_backward(int dtype, const void* x, const void* log_scale, const void* bias, const void* dy,
                                    const double* dlogdet, void* dx, void* dlog_scale, void* dbias, int64_t batch,
                                    int64_t channels, int64_t spatial, double* work, dgm4j_stream s) {
    if (bad_layout(dtype, batch, channels, spatial)) return bad_arg("dgm4j_actnorm_backward", "bad dtype or sizes");
    if (channels == 0) return DGM4J_OK;
    if (!log_scale || !bias || !dlog_scale || !dbias || (batch > 0 && !dlogdet) ||
        (batch * spatial > 0 && (!x || !dy || !dx || !work)))
        return bad_arg("dgm4j_actnorm_backward", "null pointer");
    return dtype == DGM4J_F32 ? actnorm_backward<float>(x, log_scale, bias, dy, dlogdet, dx, dlog_scale, dbias, batch,
                                                        channels, spatial, work, s)
                              : actnorm_backward<double>(x, log_scale, bias, dy, dlogdet, dx, dlog_scale, dbias, batch,
                                                         channels, spatial, work, s);
}

dgm4j_status dgm4j_actnorm_stats(int dtype, const void* x, void* mean, void* std, int64_t batch, int64_t channels,
                                 int64_t spatial, dgm4j_stream s) {
    if (bad_layout(dtype, batch, channels, spatial) || (channels > 0 && batch * spatial == 0))
        return bad_arg("dgm4j_actnorm_stats", "bad dtype or sizes (a channel needs at least one value)");
    if (channels == 0) return DGM4J_OK;
    if (!x || !mean || !std) return bad_arg("dgm4j_actnorm_stats", "null pointer");
    if (dtype == DGM4J_F32) {
        DGM4J_LAUNCH(actnorm_stats_kernel<float>, (unsigned) (channels < kMaxBlocks ? channels : kMaxBlocks), kSumThreads,
                     0, stream(s), (const float*) x, (float*) mean, (float*) std, channels, spatial, batch * spatial);
        return launched("actnorm_stats_kernel<float>");
    }
    DGM4J_LAUNCH(actnorm_stats_kernel<double>, (unsigned) (channels < kMaxBlocks ? channels : kMaxBlocks), kSumThreads, 0,
                 stream(s), (const double*) x, (double*) mean, (double*) std, channels, spatial, batch * spatial);
    return launched("actnorm_stats_kernel<double>");
}

}  // extern "C"
