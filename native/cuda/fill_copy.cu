// fill and copy (include/dgm4j/elementwise.h): the simplest kernels, and dtype conversion.
#include "common.cuh"

namespace {

using namespace dgm4j;

template <class T>
__global__ void fill_kernel(T* out, int64_t n, T value) {
    DGM4J_FOR_EACH(i, n) out[i] = value;
}

template <class S, class D>
__global__ void convert_kernel(const S* x, D* out, int64_t n) {
    DGM4J_FOR_EACH(i, n) out[i] = (D) x[i];
}

}  // namespace

extern "C" {

dgm4j_status dgm4j_fill(int dtype, void* out, int64_t n, double value, dgm4j_stream s) {
    if (!valid_dtype(dtype) || n < 0 || (!out && n > 0)) return bad_arg("dgm4j_fill", "bad dtype, size or pointer");
    if (n == 0) return DGM4J_OK;
    if (dtype == DGM4J_F32) {
        DGM4J_LAUNCH(fill_kernel<float>, blocks_for(n), kThreads, 0, stream(s), (float*) out, n, (float) value);
        return launched("fill_kernel<float>");
    }
    DGM4J_LAUNCH(fill_kernel<double>, blocks_for(n), kThreads, 0, stream(s), (double*) out, n, value);
    return launched("fill_kernel<double>");
}

dgm4j_status dgm4j_copy(int x_dtype, const void* x, int out_dtype, void* out, int64_t n, dgm4j_stream s) {
    if (!valid_dtype(x_dtype) || !valid_dtype(out_dtype) || n < 0 || ((!x || !out) && n > 0))
        return bad_arg("dgm4j_copy", "bad dtype, size or pointer");
    if (n == 0 || (x == out && x_dtype == out_dtype)) return DGM4J_OK;
    if (x_dtype == out_dtype) {  // no conversion: the copy engine
        size_t bytes = (size_t) n * (x_dtype == DGM4J_F32 ? sizeof(float) : sizeof(double));
        cudaError_t e = cudaMemcpyAsync(out, x, bytes, cudaMemcpyDeviceToDevice, stream(s));
        return e == cudaSuccess ? DGM4J_OK : fail("dgm4j_copy: cudaMemcpyAsync(d2d)", e);
    }
    if (x_dtype == DGM4J_F32) {
        auto k = convert_kernel<float, double>;
        DGM4J_LAUNCH(k, blocks_for(n), kThreads, 0, stream(s), (const float*) x, (double*) out, n);
        return launched("convert_kernel<float, double>");
    }
    auto k = convert_kernel<double, float>;
    DGM4J_LAUNCH(k, blocks_for(n), kThreads, 0, stream(s), (const double*) x, (float*) out, n);
    return launched("convert_kernel<double, float>");
}

}  // extern "C"
