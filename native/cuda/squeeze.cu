// Glow's squeeze by 2 and its inverse (include/dgm4j/flow.h), the reference being CpuFlow.squeeze:
// one grid-stride loop over the squeezed layout (batch, 4c, h/2, w/2); element i maps to
// unsqueezed[b, c', 2p + i', 2q + j'] with 4c' + 2i' + j' its channel. squeeze gathers (coalesced
// writes), unsqueeze scatters the same pairs (coalesced reads). Bit-exact copies.
#include "common.cuh"
#include "dgm4j/flow.h"

namespace {

using namespace dgm4j;

template <class T, bool kSqueeze>
__global__ void squeeze_kernel(const T* x, T* out, int64_t total, int64_t h2, int64_t w2) {
    DGM4J_FOR_EACH(i, total) {
        int64_t q = i % w2, row = i / w2, p = row % h2, bc4 = row / h2, r = bc4 % 4, bc = bc4 / 4;  // bc = b·c + c'
        int64_t big = (bc * 2 * h2 + 2 * p + r / 2) * (2 * w2) + 2 * q + r % 2;
        if (kSqueeze) out[i] = x[big];
        else out[big] = x[i];
    }
}

template <class T>
dgm4j_status squeeze(bool sq, const void* x, void* out, int64_t total, int64_t h2, int64_t w2, dgm4j_stream s) {
    auto k = sq ? squeeze_kernel<T, true> : squeeze_kernel<T, false>;
    DGM4J_LAUNCH(k, blocks_for(total), kThreads, 0, stream(s), (const T*) x, (T*) out, total, h2, w2);
    return launched(sq ? "squeeze_kernel" : "unsqueeze_kernel");
}

dgm4j_status run(const char* name, bool sq, int dtype, const void* x, void* out, int64_t batch, int64_t c, int64_t h,
                 int64_t w, dgm4j_stream s) {
    if (!valid_dtype(dtype) || batch < 0 || c < 0 || h < 0 || w < 0 || h % 2 != 0 || w % 2 != 0)
        return bad_arg(name, "bad dtype or sizes (h and w must be even)");
    int64_t total = batch * c * h * w;
    if (total == 0) return DGM4J_OK;
    if (!x || !out) return bad_arg(name, "null pointer");
    return dtype == DGM4J_F32 ? squeeze<float>(sq, x, out, total, h / 2, w / 2, s)
                              : squeeze<double>(sq, x, out, total, h / 2, w / 2, s);
}

}  // namespace

extern "C" {

dgm4j_status dgm4j_squeeze2d(int dtype, const void* x, void* out, int64_t batch, int64_t c, int64_t h, int64_t w,
                             dgm4j_stream s) {
    return run("dgm4j_squeeze2d", true, dtype, x, out, batch, c, h, w, s);
}

dgm4j_status dgm4j_unsqueeze2d(int dtype, const void* x, void* out, int64_t batch, int64_t c, int64_t h, int64_t w,
                               dgm4j_stream s) {
    return run("dgm4j_unsqueeze2d", false, dtype, x, out, batch, c, h, w, s);
}

}  // extern "C"
