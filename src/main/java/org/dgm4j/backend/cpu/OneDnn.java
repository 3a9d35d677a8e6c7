package org.dgm4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * oneDNN as the CPU engine for float32 matmul and 2-D convolution, on raw host pointers to
 * contiguous row-major data (a pointer's position is honoured, in its own element size).
 *
 * <p>Every distinct shape/parameter tuple gets a {@link OneDnnPlan} built once and kept for the JVM's life:
 * primitive descriptors, primitives, reorders and memory objects whose data handles are re-pointed
 * at the caller's buffers (and at a shared arena for reorder buffers and scratchpads) on each call,
 * so a repeated call only executes: no native allocation, nothing to free. Calls are serialized on
 * one lock: the plans' memory objects and the arena are shared state, and on a few cores oneDNN's
 * OpenMP pool already uses every core.
 *
 * <p>Threads: oneDNN uses OpenMP here, one thread per core unless {@code OMP_NUM_THREADS} says
 * otherwise; launchers should also set {@code OMP_WAIT_POLICY=passive} so idle OpenMP threads do not
 * spin against Java threads. The engine and stream are created by {@link #init()} (idempotent; any
 * call does it implicitly).
 */
public final class OneDnn {
    /** Convolution memory layout: ANY lets oneDNN pick (blocked) layouts and reorders to/from NCHW/OIHW; PLAIN uses NCHW/OIHW directly. */
    public enum ConvLayout { ANY, PLAIN }

    private static volatile ConvLayout convLayout =
            ConvLayout.valueOf(System.getProperty("dgm4j.onednn.convLayout", "ANY").toUpperCase(java.util.Locale.ROOT));

    static volatile boolean pointwiseAsMatmul = !Boolean.getBoolean("dgm4j.onednn.pointwiseAsConv");

    static volatile boolean narrowAsMatmul = !Boolean.getBoolean("dgm4j.onednn.narrowAsConv");

    /** Channels on the narrow side at or below which a "same" convolution runs as im2col + matmul. */
    static final long NARROW = 8;

    static final Object LOCK = new Object();
    private static final Map<Key, OneDnnPlan> PLANS = new HashMap<>();
    // one grow-only arena for every plan's reorder buffers and scratchpad: calls are serialized, so
    // only one plan's temporaries are ever live; memory stays O(largest plan), not O(all shapes)
    private static BytePointer arenaRaw;
    private static long arenaBase, arenaBytes;
    // the narrow path's own grow-only buffer (columns, reshaped weights): it outlives the plans it feeds
    private static BytePointer workRaw;
    private static long workBase, workBytes;

    private OneDnn() {}

    /** The engine and stream, created once when first needed (class-holder idiom: thread-safe). */
    static final class Rt {
        static final dnnl_engine ENGINE = new dnnl_engine();
        static final dnnl_stream STREAM = new dnnl_stream();
        static {
            check(dnnl_engine_create(ENGINE, dnnl_cpu, 0), "engine_create");
            check(dnnl_stream_create(STREAM, ENGINE, dnnl_stream_default_flags), "stream_create");
        }
    }

    /** Loads oneDNN and creates the CPU engine and stream; throws if the native library cannot load. */
    public static void init() {
        Rt.ENGINE.address();
    }

    /** Used for plans built after the call (plans are keyed by layout, so both can coexist). */
    public static void setConvLayout(ConvLayout layout) {
        convLayout = layout;
    }

    public static ConvLayout convLayout() {
        return convLayout;
    }

    /**
     * Whether 1x1 convolutions with stride 1 and no padding run as matmuls on the plain NCHW data (the
     * default) instead of as convolutions in oneDNN's blocked layouts, which would reorder the
     * activations in and out on every call. For tests and benchmarks; used for plans built after the call.
     */
    public static void setPointwiseAsMatmul(boolean on) {
        pointwiseAsMatmul = on;
    }

    public static boolean pointwiseAsMatmul() {
        return pointwiseAsMatmul;
    }

    /**
     * Whether "same" convolutions (stride 1, dilation 1, odd kernel, padding (r−1)/2) with at most
     * {@link #NARROW} channels on one side run as im2col + matmul on the NCHW data (the default) instead
     * of as oneDNN convolutions with reorders. For tests and benchmarks.
     */
    public static void setNarrowAsMatmul(boolean on) {
        narrowAsMatmul = on;
    }

    public static boolean narrowAsMatmul() {
        return narrowAsMatmul;
    }

    // ---- API ----------------------------------------------------------------------------------

    /**
     * c (batch, m, n) = op(a)·op(b); a is (batch, m, k), or (batch, k, m) when transA; b (batch, k, n),
     * or (batch, n, k) when transB. Empty shapes are allowed (k = 0 gives zeros; oneDNN rejects them).
     */
    public static void matmul(Pointer a, boolean transA, Pointer b, boolean transB, Pointer c, long batch, long m, long n, long k) {
        if (batch < 0 || m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("negative matmul dims: " + batch + "x" + m + "x" + n + "x" + k);
        if (batch == 0 || m == 0 || n == 0) return;
        if (k == 0) {
            Pointer.memset(c, 0, Math.multiplyExact(batch * m, n * 4));
            return;
        }
        Key key = new Key(0, batch, m, n, k, transA ? 1 : 0, transB ? 1 : 0);
        run(key, () -> buildMatmul(batch, m, n, k, transA, transB), a, b, c);
    }

    /**
     * y (m, n) = act(x (m, k)·w (n, k)ᵀ + bias (n)), bias may be null, act = ReLU when {@code relu}: one
     * matmul primitive with its bias argument (per column: the fast kernels take it) and an eltwise
     * ReLU post-op, so y is written once. k ≥ 1 (the caller handles k = 0).
     */
    public static void linear(Pointer x, Pointer w, Pointer bias, boolean relu, Pointer y, long m, long n, long k) {
        if (m < 0 || n < 0 || k < 1) throw new IllegalArgumentException("bad linear dims: " + m + "x" + n + "x" + k);
        if (m == 0 || n == 0) return;
        boolean hasBias = bias != null;
        Key key = new Key(7, m, n, k, hasBias ? 1 : 0, relu ? 1 : 0);
        if (hasBias) run(key, () -> buildLinear(m, n, k, true, relu), x, w, bias, y);
        else run(key, () -> buildLinear(m, n, k, false, relu), x, w, y);
    }

    /** y (n, k, P, Q) = conv(x (n, c, h, w), w (k, c, r, s)) + bias (k, may be null); PyTorch conv2d semantics (dilation 1 = dense). */
    public static void conv2dForward(Pointer x, Pointer w, Pointer bias, Pointer y, long n, long c, long h, long wdt, long k,
                                     long r, long s, int strideH, int strideW, int padH, int padW, int dilH, int dilW) {
        conv2dForward(x, w, bias, y, n, c, h, wdt, k, r, s, strideH, strideW, padH, padW, dilH, dilW, false, false);
    }

    /**
     * As above; with channelsLast x is (n, h, w, c) and y (n, P, Q, k), the weight still (k, c, r, s).
     * With {@code relu} oneDNN's own convolution applies a ReLU post-op; returns whether it did (the
     * matmul and narrow paths do not: the caller then applies it).
     */
    public static boolean conv2dForward(Pointer x, Pointer w, Pointer bias, Pointer y, long n, long c, long h, long wdt, long k, long r,
                                        long s, int strideH, int strideW, int padH, int padW, int dilH, int dilW, boolean channelsLast, boolean relu) {
        OneDnnConv g = new OneDnnConv(n, c, h, wdt, k, r, s, strideH, strideW, padH, padW, dilH, dilW, convLayout, channelsLast);
        boolean hasBias = bias != null;
        if (g.matmulForward()) {
            synchronized (LOCK) {
                requireData(x, w, y);
                if (g.nhwc()) g.narrowForwardNhwc(x, w, bias, y);
                else g.narrowForward(x, w, bias, y);
            }
            return false;
        } else if (g.asMatmul() && g.nhwc()) {
            if (hasBias) run(g.key(7, 1), () -> g.rowsForward(true), x, w, bias, y);
            else run(g.key(7, 0), () -> g.rowsForward(false), x, w, y);
            return false;
        } else if (g.asMatmul()) {
            if (hasBias) run(g.key(4, 1), () -> g.pointwiseForward(true), x, w, bias, y);
            else run(g.key(4, 0), () -> g.pointwiseForward(false), x, w, y);
            return false;
        }
        int variant = (hasBias ? 1 : 0) | (relu ? 2 : 0);
        if (hasBias) run(g.key(1, variant), () -> g.forward(true, relu), x, w, bias, y);
        else run(g.key(1, variant), () -> g.forward(false, relu), x, w, y);
        return relu;
    }

    /** gx (n, c, h, w) = ∂(y·gy)/∂x for gy (n, k, P, Q), w (k, c, r, s); also the forward pass of a transposed convolution. */
    public static void conv2dBackwardData(Pointer gy, Pointer w, Pointer gx, long n, long c, long h, long wdt, long k,
                                          long r, long s, int strideH, int strideW, int padH, int padW, int dilH, int dilW) {
        conv2dBackwardData(gy, w, gx, n, c, h, wdt, k, r, s, strideH, strideW, padH, padW, dilH, dilW, false);
    }

    /** As above; with channelsLast gy is (n, P, Q, k) and gx (n, h, w, c). */
    public static void conv2dBackwardData(Pointer gy, Pointer w, Pointer gx, long n, long c, long h, long wdt, long k,
                                          long r, long s, int strideH, int strideW, int padH, int padW, int dilH, int dilW, boolean channelsLast) {
        OneDnnConv g = new OneDnnConv(n, c, h, wdt, k, r, s, strideH, strideW, padH, padW, dilH, dilW, convLayout, channelsLast);
        if (g.matmulBackwardData()) {
            synchronized (LOCK) {
                requireData(gy, w, gx);
                if (g.nhwc()) g.narrowBackwardDataNhwc(gy, w, gx);
                else g.narrowBackwardData(gy, w, gx);
            }
        } else if (g.asMatmul() && g.nhwc()) run(g.key(8, 0), g::rowsBackwardData, gy, w, gx);
        else if (g.asMatmul()) run(g.key(5, 0), g::pointwiseBackwardData, gy, w, gx);
        else run(g.key(2, 0), g::backwardData, gy, w, gx);
    }

    /** gw (k, c, r, s) and gbias (k, may be null) of the convolution of x (n, c, h, w) with output gradient gy (n, k, P, Q); both are overwritten. */
    public static void conv2dBackwardWeights(Pointer x, Pointer gy, Pointer gw, Pointer gbias, long n, long c, long h, long wdt, long k,
                                             long r, long s, int strideH, int strideW, int padH, int padW, int dilH, int dilW) {
        conv2dBackwardWeights(x, gy, gw, gbias, n, c, h, wdt, k, r, s, strideH, strideW, padH, padW, dilH, dilW, false);
    }

    /** As above; with channelsLast x is (n, h, w, c) and gy (n, P, Q, k). */
    public static void conv2dBackwardWeights(Pointer x, Pointer gy, Pointer gw, Pointer gbias, long n, long c, long h, long wdt, long k,
                                             long r, long s, int strideH, int strideW, int padH, int padW, int dilH, int dilW, boolean channelsLast) {
        OneDnnConv g = new OneDnnConv(n, c, h, wdt, k, r, s, strideH, strideW, padH, padW, dilH, dilW, convLayout, channelsLast);
        boolean hasBias = gbias != null;
        if (g.matmulBackwardWeights()) {
            synchronized (LOCK) {
                requireData(x, gy, gw);
                if (g.nhwc()) g.narrowBackwardWeightsNhwc(x, gy, gw, gbias);
                else g.narrowBackwardWeights(x, gy, gw, gbias);
            }
        } else if (g.asMatmul() && g.nhwc()) {
            if (hasBias) run(g.key(9, 1), () -> g.rowsBackwardWeights(true), x, gy, gw, gbias);
            else run(g.key(9, 0), () -> g.rowsBackwardWeights(false), x, gy, gw);
        } else if (g.asMatmul()) {
            if (hasBias) run(g.key(6, 1), () -> g.pointwiseBackwardWeights(true), x, gy, gw, gbias);
            else run(g.key(6, 0), () -> g.pointwiseBackwardWeights(false), x, gy, gw);
        } else if (hasBias) run(g.key(3, 1), () -> g.backwardWeights(true), x, gy, gw, gbias);
        else run(g.key(3, 0), () -> g.backwardWeights(false), x, gy, gw);
    }

    /** Number of cached plans (tests: a repeated shape must not add one). */
    public static int planCount() {
        synchronized (LOCK) {
            return PLANS.size();
        }
    }

    // ---- execution ----------------------------------------------------------------------------

    static void requireData(Pointer... ptrs) {
        for (Pointer p : ptrs) if (p == null || p.isNull()) throw new IllegalArgumentException("null data pointer");
    }

    static void run(Key key, java.util.function.Supplier<OneDnnPlan> build, Pointer... ptrs) {
        requireData(ptrs);
        synchronized (LOCK) {
            OneDnnPlan plan = PLANS.get(key);
            if (plan == null) {
                plan = build.get();
                PLANS.put(key, plan);
            }
            plan.execute(ptrs);
        }
    }

    /** Every plan asks for a user-managed scratchpad so one shared, grow-only buffer serves them all. */
    static dnnl_primitive_attr userScratchpad() {
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        check(dnnl_primitive_attr_create(attr), "primitive_attr_create");
        check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "set_scratchpad_mode");
        return attr;
    }

    /** The arena's 64-byte aligned start (a cache line, an AVX-512 vector), grown to at least {@code bytes}. */
    static long arena(long bytes) {
        if (bytes > arenaBytes) {
            if (arenaRaw != null) arenaRaw.close();
            arenaRaw = new BytePointer(bytes + 64);
            arenaBase = (arenaRaw.address() + 63) & ~63L;
            arenaBytes = bytes;
        }
        return arenaBase;
    }

    /** The narrow path's buffer, 64-byte aligned, grown to at least {@code bytes} (callers hold LOCK). */
    static long work(long bytes) {
        if (bytes > workBytes) {
            if (workRaw != null) workRaw.close();
            workRaw = new BytePointer(bytes + 64);
            workBase = (workRaw.address() + 63) & ~63L;
            workBytes = bytes;
        }
        return workBase;
    }

    static Pointer ptr(long address) {
        return new OneDnnPlan.Addr().at(address);
    }

    /** Bytes held by the shared arena (reorder buffers and scratchpad of the largest plan so far). */
    public static long arenaBytes() {
        synchronized (LOCK) {
            return arenaBytes;
        }
    }

    static void check(int status, String what) {
        if (status != dnnl_success) {
            String name = status == dnnl_out_of_memory ? "out of memory" : status == dnnl_invalid_arguments ? "invalid arguments"
                    : status == dnnl_unimplemented ? "unimplemented" : "status " + status;
            throw new IllegalStateException("oneDNN " + what + " failed: " + name);
        }
    }

    // ---- plans --------------------------------------------------------------------------------

    private static OneDnnPlan buildMatmul(long batch, long m, long n, long k, boolean transA, boolean transB) {
        OneDnnPlan p = new OneDnnPlan();
        // transposes are strides on the logical (m, k) / (k, n) views: no copy
        long[] aS = transA ? new long[] {m * k, 1, m} : new long[] {m * k, k, 1};
        long[] bS = transB ? new long[] {k * n, 1, k} : new long[] {k * n, n, 1};
        long[] cS = {m * n, n, 1};
        int from = batch == 1 ? 1 : 0; // 2-D descriptors for the common unbatched case
        dnnl_memory_desc a = p.md(tail(new long[] {batch, m, k}, from), tail(aS, from));
        dnnl_memory_desc b = p.md(tail(new long[] {batch, k, n}, from), tail(bS, from));
        dnnl_memory_desc c = p.md(tail(new long[] {batch, m, n}, from), tail(cS, from));
        p.main = p.matmul(a, p.userMemory(a), b, p.userMemory(b), null, null, c, p.userMemory(c));
        return p.done();
    }

    /** Appends a ReLU to the primitive's output (the attribute keeps its own copy of the post-ops). */
    static void reluPostOp(dnnl_primitive_attr attr) {
        dnnl_post_ops ops = new dnnl_post_ops();
        check(dnnl_post_ops_create(ops), "post_ops_create");
        check(dnnl_post_ops_append_eltwise(ops, dnnl_eltwise_relu, 0f, 0f), "post_ops_append_eltwise");
        check(dnnl_primitive_attr_set_post_ops(attr, ops), "primitive_attr_set_post_ops");
        dnnl_post_ops_destroy(ops);
    }

    /** The plan of {@link #linear}: user memories x, w, [bias], y in that order. */
    private static OneDnnPlan buildLinear(long m, long n, long k, boolean bias, boolean relu) {
        OneDnnPlan p = new OneDnnPlan();
        dnnl_memory_desc x = p.md(new long[] {m, k}, new long[] {k, 1});
        dnnl_memory_desc w = p.md(new long[] {k, n}, new long[] {1, k}); // wᵀ as strides on (n, k) row-major
        dnnl_memory_desc b = bias ? p.md(new long[] {1, n}, new long[] {n, 1}) : null;
        dnnl_memory_desc y = p.md(new long[] {m, n}, new long[] {n, 1});
        dnnl_memory xm = p.userMemory(x), wm = p.userMemory(w), bm = bias ? p.userMemory(b) : null, ym = p.userMemory(y);
        dnnl_primitive_attr attr = userScratchpad();
        if (relu) reluPostOp(attr);
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_matmul_primitive_desc_create(pd, Rt.ENGINE, x, w, b, y, attr), "matmul_primitive_desc_create");
        dnnl_primitive_attr_destroy(attr);
        p.main = bias ? p.step(pd, DNNL_ARG_SRC, xm, DNNL_ARG_WEIGHTS, wm, DNNL_ARG_BIAS, bm, DNNL_ARG_DST, ym)
                : p.step(pd, DNNL_ARG_SRC, xm, DNNL_ARG_WEIGHTS, wm, DNNL_ARG_DST, ym);
        return p.done();
    }

    static long[] tail(long[] v, int from) {
        return Arrays.copyOfRange(v, from, v.length);
    }

    /** Cache key: op id and every dimension/parameter. */
    static final class Key {
        private final long[] v;

        Key(long... v) {
            this.v = v;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key other && Arrays.equals(v, other.v);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(v);
        }
    }
}
