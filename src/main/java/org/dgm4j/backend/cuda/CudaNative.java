package org.dgm4j.backend.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of native/include/dgm4j/dgm4j.h (contracts are documented there). The javacpp
 * maven plugin generates and compiles the JNI glue at process-classes and copies libdgm4j_cuda next
 * to it. Only {@link CudaProbe} may touch this class first: a failed load leaves the class unusable
 * for the JVM's life, so the probe loads it once and keeps the reason. Kernel entry points take
 * device addresses as {@code long} (no Pointer object per operand) and shapes as {@code long[]}.
 */
@Platform(include = {"dgm4j/dgm4j.h", "dgm4j/elementwise.h", "dgm4j/random.h", "dgm4j/linalg.h",
        "dgm4j/reduce.h", "dgm4j/movement.h", "dgm4j/optim.h", "dgm4j/flow.h"}, link = "dgm4j_cuda")
public final class CudaNative {
    static {
        Loader.load();
    }

    private CudaNative() {}

    // Status codes, mirrored from dgm4j.h.
    public static final int DGM4J_OK = 0;
    public static final int DGM4J_ERR_NO_CUDA = 1;
    public static final int DGM4J_ERR_CUDA = 2;
    public static final int DGM4J_ERR_OOM = 3;
    public static final int DGM4J_ERR_ARG = 4;

    /** dgm4j_built_with_cuda(): 0 stub, 1 nvcc, 2 the host emulator. */
    public static final int BUILT_STUB = 0, BUILT_NVCC = 1, BUILT_EMULATOR = 2;

    // ---- build and diagnostics
    public static native int dgm4j_built_with_cuda();

    public static native @Cast("const char*") BytePointer dgm4j_last_error();

    // ---- devices
    public static native int dgm4j_device_count(IntPointer count, IntPointer cudaError);

    public static native int dgm4j_device_name(int dev, @Cast("char*") BytePointer buf, @Cast("int64_t") long len);

    public static native int dgm4j_device_memory(int dev, @Cast("int64_t*") LongPointer free, @Cast("int64_t*") LongPointer total);

    public static native int dgm4j_runtime_version(IntPointer version);

    public static native int dgm4j_driver_version(IntPointer version);

    public static native int dgm4j_set_device(int dev);

    // ---- memory (device pointers are plain Pointers; streams are opaque, null = default stream)
    public static native int dgm4j_malloc(@Cast("void**") PointerPointer ptr, @Cast("int64_t") long bytes);

    public static native int dgm4j_free(Pointer ptr);

    public static native int dgm4j_memcpy_h2d(Pointer dst, @Const Pointer src, @Cast("int64_t") long bytes, @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_memcpy_d2h(Pointer dst, @Const Pointer src, @Cast("int64_t") long bytes, @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_memcpy_d2d(Pointer dst, @Const Pointer src, @Cast("int64_t") long bytes, @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_memset(Pointer dst, int value, @Cast("int64_t") long bytes, @Cast("dgm4j_stream") Pointer stream);

    // ---- streams
    public static native int dgm4j_stream_create(@Cast("dgm4j_stream*") PointerPointer stream);

    public static native int dgm4j_stream_destroy(@Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_stream_synchronize(@Cast("dgm4j_stream") Pointer stream);

    // ---- elementwise kernels (elementwise.h); dtype codes = DType ordinals, op codes = enum ordinals
    public static native int dgm4j_fill(int dtype, @Cast("void*") long out, @Cast("int64_t") long n, double value,
                                        @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_copy(int xDtype, @Cast("const void*") long x, int outDtype, @Cast("void*") long out,
                                        @Cast("int64_t") long n, @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_unary(int op, double p, int dtype, @Cast("const void*") long x, @Cast("void*") long out,
                                         @Cast("int64_t") long n, @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_unary_backward(int op, double p, int dtype, @Cast("const void*") long x,
                                                  @Cast("const void*") long y, @Cast("const void*") long gy,
                                                  @Cast("void*") long gx, @Cast("int64_t") long n,
                                                  @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_binary(int op, int dtype, @Cast("const void*") long a, @Cast("const int64_t*") long[] aStrides,
                                          @Cast("const void*") long b, @Cast("const int64_t*") long[] bStrides,
                                          @Cast("void*") long out, @Cast("const int64_t*") long[] outDims, int rank,
                                          @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_expand(int dtype, @Cast("const void*") long x, @Cast("const int64_t*") long[] xStrides,
                                          @Cast("void*") long out, @Cast("const int64_t*") long[] outDims, int rank,
                                          @Cast("dgm4j_stream") Pointer stream);

    // ---- random numbers (random.h)
    public static native int dgm4j_uniform(@Cast("uint64_t") long seed, @Cast("uint64_t") long offset, int dtype,
                                           @Cast("void*") long out, @Cast("int64_t") long n, @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_normal(@Cast("uint64_t") long seed, @Cast("uint64_t") long offset, int dtype,
                                          @Cast("void*") long out, @Cast("int64_t") long n, @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_bernoulli(@Cast("uint64_t") long seed, @Cast("uint64_t") long offset, int dtype,
                                             @Cast("const void*") long p, @Cast("const int64_t*") long[] pStrides,
                                             @Cast("void*") long out, @Cast("const int64_t*") long[] outDims, int rank,
                                             @Cast("dgm4j_stream") Pointer stream);

    // ---- matmul and convolution (linalg.h); conv = {strideH, strideW, padH, padW, dilH, dilW}
    public static native int dgm4j_matmul(int dtype, @Cast("const void*") long a, int transA, @Cast("const void*") long b,
                                          int transB, @Cast("void*") long out, @Cast("int64_t") long batch,
                                          @Cast("int64_t") long m, @Cast("int64_t") long n, @Cast("int64_t") long k,
                                          @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_conv2d(int dtype, @Cast("const void*") long x, @Cast("const void*") long w,
                                          @Cast("const void*") long bias, @Cast("void*") long y,
                                          @Cast("const int64_t*") long[] xDims, @Cast("const int64_t*") long[] wDims,
                                          @Cast("const int*") int[] conv, @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_conv2d_backward_data(int dtype, @Cast("const void*") long gy, @Cast("const void*") long w,
                                                        @Cast("void*") long gx, @Cast("const int64_t*") long[] gxDims,
                                                        @Cast("const int64_t*") long[] wDims, @Cast("const int*") int[] conv,
                                                        @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_conv2d_backward_weights(int dtype, @Cast("const void*") long x, @Cast("const void*") long gy,
                                                           @Cast("void*") long gw, @Cast("void*") long gbias,
                                                           @Cast("const int64_t*") long[] xDims, @Cast("const int64_t*") long[] wDims,
                                                           @Cast("const int*") int[] conv, @Cast("dgm4j_stream") Pointer stream);

    // ---- reductions, data movement, optimizer updates (reduce.h, movement.h, optim.h)
    public static native int dgm4j_reduce(int op, int dtype, @Cast("const void*") long x, @Cast("const int64_t*") long[] xDims,
                                          int rank, @Cast("const int*") int[] axes, int naxes, @Cast("void*") long out,
                                          @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_permute(int dtype, @Cast("const void*") long x, @Cast("const int64_t*") long[] xDims,
                                           int rank, @Cast("const int*") int[] perm, @Cast("void*") long out,
                                           @Cast("dgm4j_stream") Pointer stream);

    /** xs: device addresses of the inputs (void* is 64-bit on every supported platform). */
    public static native int dgm4j_concat(int dtype, int count, @Cast("const void* const*") long[] xs,
                                          @Cast("const int64_t*") long[] lens, @Cast("int64_t") long outer,
                                          @Cast("int64_t") long inner, @Cast("void*") long out,
                                          @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_slice(int dtype, @Cast("const void*") long x, @Cast("int64_t") long outer,
                                         @Cast("int64_t") long full, @Cast("int64_t") long inner, @Cast("int64_t") long start,
                                         @Cast("int64_t") long step, @Cast("int64_t") long count, @Cast("void*") long out,
                                         @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_slice_add(int dtype, @Cast("const void*") long src, @Cast("int64_t") long outer,
                                             @Cast("int64_t") long full, @Cast("int64_t") long inner,
                                             @Cast("int64_t") long start, @Cast("int64_t") long step,
                                             @Cast("int64_t") long count, @Cast("void*") long dst,
                                             @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_sgd_update(int dtype, @Cast("void*") long param, @Cast("const void*") long grad,
                                              @Cast("void*") long buf, @Cast("int64_t") long n, double lr, double momentum,
                                              double dampening, double weightDecay, int nesterov, int firstStep,
                                              @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_adam_update(int dtype, @Cast("void*") long param, @Cast("const void*") long grad,
                                               @Cast("void*") long m, @Cast("void*") long v, @Cast("int64_t") long n,
                                               double beta1, double beta2, double eps, double stepSize,
                                               double biasCorrection2, double decay, double l2, int adamax,
                                               @Cast("dgm4j_stream") Pointer stream);

    // ---- normalizing flows (flow.h); logdet, dlogdet and work are device doubles
    /** flow.h DGM4J_FLOW_PARTIALS: doubles of work per row and summed quantity (CudaAbiTest checks it). */
    public static final int DGM4J_FLOW_PARTIALS = 64;

    public static native int dgm4j_affine_coupling(int dtype, int inverse, @Cast("const void*") long in, @Cast("const void*") long raw,
                                                   @Cast("const void*") long shift, @Cast("void*") long out,
                                                   @Cast("double*") long logdet, @Cast("int64_t") long batch,
                                                   @Cast("int64_t") long n, @Cast("double*") long work,
                                                   @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_affine_coupling_backward(int dtype, @Cast("const void*") long x, @Cast("const void*") long raw,
                                                            @Cast("const void*") long shift, @Cast("const void*") long dy,
                                                            @Cast("const double*") long dlogdet, @Cast("void*") long dx,
                                                            @Cast("void*") long draw, @Cast("int64_t") long batch,
                                                            @Cast("int64_t") long n, @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_actnorm(int dtype, int inverse, @Cast("const void*") long in, @Cast("const void*") long logScale,
                                           @Cast("const void*") long bias, @Cast("void*") long out, @Cast("double*") long logdet,
                                           @Cast("int64_t") long batch, @Cast("int64_t") long channels,
                                           @Cast("int64_t") long spatial, @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_actnorm_backward(int dtype, @Cast("const void*") long x, @Cast("const void*") long logScale,
                                                    @Cast("const void*") long bias, @Cast("const void*") long dy,
                                                    @Cast("const double*") long dlogdet, @Cast("void*") long dx,
                                                    @Cast("void*") long dlogScale, @Cast("void*") long dbias,
                                                    @Cast("int64_t") long batch, @Cast("int64_t") long channels,
                                                    @Cast("int64_t") long spatial, @Cast("double*") long work,
                                                    @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_actnorm_stats(int dtype, @Cast("const void*") long x, @Cast("void*") long mean,
                                                 @Cast("void*") long std, @Cast("int64_t") long batch,
                                                 @Cast("int64_t") long channels, @Cast("int64_t") long spatial,
                                                 @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_lu_logabsdet(int dtype, @Cast("const void*") long w, @Cast("int64_t") long c,
                                                @Cast("double*") long work, @Cast("double*") long logdet,
                                                @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_lu_inverse(int dtype, @Cast("const void*") long w, @Cast("int64_t") long c,
                                              @Cast("double*") long work, @Cast("void*") long out,
                                              @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_squeeze2d(int dtype, @Cast("const void*") long x, @Cast("void*") long out,
                                             @Cast("int64_t") long batch, @Cast("int64_t") long c, @Cast("int64_t") long h,
                                             @Cast("int64_t") long w, @Cast("dgm4j_stream") Pointer stream);

    public static native int dgm4j_unsqueeze2d(int dtype, @Cast("const void*") long x, @Cast("void*") long out,
                                               @Cast("int64_t") long batch, @Cast("int64_t") long c, @Cast("int64_t") long h,
                                               @Cast("int64_t") long w, @Cast("dgm4j_stream") Pointer stream);
}
