package org.dgm4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * oneDNN as the CPU engine for float32 matmul and 2-D convolution, on raw host pointers to
 * contiguous row-major data (a pointer's position is honoured, in its own element size).
 *
 * <p>Every distinct shape/parameter tuple gets a {@link Plan} built once and kept for the JVM's life:
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

    private static volatile boolean pointwiseAsMatmul = !Boolean.getBoolean("dgm4j.onednn.pointwiseAsConv");

    private static volatile boolean narrowAsMatmul = !Boolean.getBoolean("dgm4j.onednn.narrowAsConv");

    /** Channels on the narrow side at or below which a "same" convolution runs as im2col + matmul. */
    static final long NARROW = 8;

    private static final Object LOCK = new Object();
    private static final Map<Key, Plan> PLANS = new HashMap<>();
    // one grow-only arena for every plan's reorder buffers and scratchpad: calls are serialized, so
    // only one plan's temporaries are ever live; memory stays O(largest plan), not O(all shapes)
    private static BytePointer arenaRaw;
    private static long arenaBase, arenaBytes;
    // the narrow path's own grow-only buffer (columns, reshaped weights): it outlives the plans it feeds
    private static BytePointer workRaw;
    private static long workBase, workBytes;

    private OneDnn() {}

    /** The engine and stream, created once when first needed (class-holder idiom: thread-safe). */
    private static final class Rt {
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
        conv2dForward(x, w, bias, y, n, c, h, wdt, k, r, s, strideH, strideW, padH, padW, dilH, dilW, false);
    }

    /** As above; with channelsLast x is (n, h, w, c) and y (n, P, Q, k), the weight still (k, c, r, s). */
    public static void conv2dForward(Pointer x, Pointer w, Pointer bias, Pointer y, long n, long c, long h, long wdt, long k,
                                     long r, long s, int strideH, int strideW, int padH, int padW, int dilH, int dilW, boolean channelsLast) {
        Conv g = new Conv(n, c, h, wdt, k, r, s, strideH, strideW, padH, padW, dilH, dilW, convLayout, channelsLast);
        boolean hasBias = bias != null;
        if (g.narrow() < 0) { // few input channels: oneDNN's blocked forward beats im2col + a matmul with K = c·r·s
            synchronized (LOCK) {
                requireData(x, w, y);
                if (g.nhwc()) g.narrowForwardNhwc(x, w, bias, y);
                else g.narrowForward(x, w, bias, y);
            }
        } else if (g.asMatmul() && g.nhwc()) {
            if (hasBias) run(g.key(7, 1), () -> g.rowsForward(true), x, w, bias, y);
            else run(g.key(7, 0), () -> g.rowsForward(false), x, w, y);
        } else if (g.asMatmul()) {
            if (hasBias) run(g.key(4, 1), () -> g.pointwiseForward(true), x, w, bias, y);
            else run(g.key(4, 0), () -> g.pointwiseForward(false), x, w, y);
        } else if (hasBias) run(g.key(1, 1), () -> g.forward(true), x, w, bias, y);
        else run(g.key(1, 0), () -> g.forward(false), x, w, y);
    }

    /** gx (n, c, h, w) = ∂(y·gy)/∂x for gy (n, k, P, Q), w (k, c, r, s); also the forward pass of a transposed convolution. */
    public static void conv2dBackwardData(Pointer gy, Pointer w, Pointer gx, long n, long c, long h, long wdt, long k,
                                          long r, long s, int strideH, int strideW, int padH, int padW, int dilH, int dilW) {
        conv2dBackwardData(gy, w, gx, n, c, h, wdt, k, r, s, strideH, strideW, padH, padW, dilH, dilW, false);
    }

    /** As above; with channelsLast gy is (n, P, Q, k) and gx (n, h, w, c). */
    public static void conv2dBackwardData(Pointer gy, Pointer w, Pointer gx, long n, long c, long h, long wdt, long k,
                                          long r, long s, int strideH, int strideW, int padH, int padW, int dilH, int dilW, boolean channelsLast) {
        Conv g = new Conv(n, c, h, wdt, k, r, s, strideH, strideW, padH, padW, dilH, dilW, convLayout, channelsLast);
        if (g.narrow() != 0) {
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
        Conv g = new Conv(n, c, h, wdt, k, r, s, strideH, strideW, padH, padW, dilH, dilW, convLayout, channelsLast);
        boolean hasBias = gbias != null;
        if (g.narrow() != 0) {
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

    private static void requireData(Pointer... ptrs) {
        for (Pointer p : ptrs) if (p == null || p.isNull()) throw new IllegalArgumentException("null data pointer");
    }

    private static void run(Key key, java.util.function.Supplier<Plan> build, Pointer... ptrs) {
        requireData(ptrs);
        synchronized (LOCK) {
            Plan plan = PLANS.get(key);
            if (plan == null) {
                plan = build.get();
                PLANS.put(key, plan);
            }
            plan.execute(ptrs);
        }
    }

    /** One primitive with its arguments; scratch is non-null when it needs a scratchpad. */
    private record Step(dnnl_primitive prim, dnnl_exec_arg_t args, int nargs, dnnl_memory scratch) {}

    /** A second memory object (another descriptor) on the caller's {@code index}-th pointer. */
    private record UserAlias(dnnl_memory mem, int index) {}

    /** A plan's own memory object placed in the arena at {@code offset} (a reorder buffer). */
    private record Temp(dnnl_memory mem, long offset) {}

    /** Everything one shape needs, kept for the JVM's life; user[i] is bound to the i-th pointer of a call. */
    private static final class Plan {
        final List<dnnl_memory> user = new ArrayList<>();
        final List<UserAlias> userAliases = new ArrayList<>();
        final List<Step> pre = new ArrayList<>(), post = new ArrayList<>();
        final List<Temp> temps = new ArrayList<>();
        long tempBytes, scratchBytes; // arena layout: reorder buffers, then the largest scratchpad
        final List<Object> keep = new ArrayList<>(); // pds, argument arrays: reachable for the plan's life
        final List<dnnl_memory_desc> descs = new ArrayList<>(); // our own descriptors, destroyed after building
        Step main;
        final Addr addr = new Addr();
        long scratchAt;

        void execute(Pointer[] ptrs) {
            for (int i = 0; i < ptrs.length; i++) {
                Pointer p = ptrs[i];
                check(dnnl_memory_set_data_handle(user.get(i), addr.at(p.address() + p.position() * p.sizeof())), "set_data_handle");
            }
            for (UserAlias a : userAliases) {
                Pointer p = ptrs[a.index()];
                check(dnnl_memory_set_data_handle(a.mem(), addr.at(p.address() + p.position() * p.sizeof())), "set_data_handle");
            }
            long base = arena(tempBytes + scratchBytes);
            for (Temp t : temps) check(dnnl_memory_set_data_handle(t.mem(), addr.at(base + t.offset())), "set_data_handle");
            scratchAt = base + tempBytes;
            for (Step s : pre) exec(s);
            exec(main);
            for (Step s : post) exec(s);
            check(dnnl_stream_wait(Rt.STREAM), "stream_wait");
        }

        private void exec(Step s) {
            if (s.scratch() != null) check(dnnl_memory_set_data_handle(s.scratch(), addr.at(scratchAt)), "set_data_handle");
            check(dnnl_primitive_execute(s.prim(), Rt.STREAM, s.nargs(), s.args()), "primitive_execute");
        }

        dnnl_memory_desc md(long[] dims, int tag) {
            dnnl_memory_desc md = new dnnl_memory_desc();
            check(dnnl_memory_desc_create_with_tag(md, dims.length, dims, dnnl_f32, tag), "memory_desc_create_with_tag");
            descs.add(md);
            return md;
        }

        dnnl_memory_desc md(long[] dims, long[] strides) {
            dnnl_memory_desc md = new dnnl_memory_desc();
            check(dnnl_memory_desc_create_with_strides(md, dims.length, dims, dnnl_f32, strides), "memory_desc_create_with_strides");
            descs.add(md);
            return md;
        }

        /** A memory object with no data yet: user buffers are attached per call. */
        dnnl_memory userMemory(dnnl_memory_desc md) {
            dnnl_memory m = new dnnl_memory();
            check(dnnl_memory_create(m, md, Rt.ENGINE, null), "memory_create");
            user.add(m);
            return m;
        }

        /**
         * The memory the primitive reads (input) or writes (output) for the caller's plain buffer:
         * the user memory itself when the primitive's layout is the plain one, else an internal
         * buffer with a reorder before (input) or after (output) the primitive.
         */
        dnnl_memory bind(dnnl_memory_desc plain, dnnl_primitive_desc pd, int query, boolean output) {
            dnnl_memory u = userMemory(plain);
            dnnl_memory_desc chosen = dnnl_primitive_desc_query_md(pd, query, 0);
            if (dnnl_memory_desc_equal(plain, chosen) != 0) return u;
            dnnl_memory inner = temp(chosen);
            List<Step> where = output ? post : pre;
            where.add(reorder(output ? chosen : plain, output ? inner : u, output ? plain : chosen, output ? u : inner));
            return inner;
        }

        private Step reorder(dnnl_memory_desc fromMd, dnnl_memory from, dnnl_memory_desc toMd, dnnl_memory to) {
            dnnl_primitive_attr attr = userScratchpad();
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_reorder_primitive_desc_create(pd, fromMd, Rt.ENGINE, toMd, Rt.ENGINE, attr), "reorder_primitive_desc_create");
            dnnl_primitive_attr_destroy(attr);
            return step(pd, DNNL_ARG_FROM, from, DNNL_ARG_TO, to);
        }

        /** The primitive of pd with (arg id, memory) pairs, plus a scratchpad memory when pd asks for one. */
        Step step(dnnl_primitive_desc pd, Object... argPairs) {
            keep.add(pd);
            dnnl_primitive prim = new dnnl_primitive();
            check(dnnl_primitive_create(prim, pd), "primitive_create");
            dnnl_memory_desc smd = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
            long ssize = smd == null || smd.isNull() ? 0 : dnnl_memory_desc_get_size(smd);
            dnnl_memory scratch = null;
            int nargs = argPairs.length / 2 + (ssize > 0 ? 1 : 0);
            dnnl_exec_arg_t args = new dnnl_exec_arg_t(nargs);
            keep.add(args);
            for (int i = 0; i < argPairs.length / 2; i++) {
                args.position(i).arg((Integer) argPairs[2 * i]).memory((dnnl_memory) argPairs[2 * i + 1]);
            }
            if (ssize > 0) {
                scratch = new dnnl_memory();
                check(dnnl_memory_create(scratch, smd, Rt.ENGINE, null), "memory_create");
                scratchBytes = Math.max(scratchBytes, ssize); // steps run one after another: one region
                args.position(nargs - 1).arg(DNNL_ARG_SCRATCHPAD).memory(scratch);
            }
            args.position(0);
            return new Step(prim, args, nargs, scratch);
        }

        /**
         * A matmul step dst = src·weights (+ addend), every operand a memory of this plan. The addend (may be
         * null) is any tensor that broadcasts to dst, e.g. a per-row bias (1, m, 1): a binary post-op, which
         * the fast matmul kernels take where their own bias argument (per column only) would fall back to
         * the reference implementation.
         */
        Step matmul(dnnl_memory_desc src, dnnl_memory srcMem, dnnl_memory_desc wei, dnnl_memory weiMem,
                    dnnl_memory_desc addend, dnnl_memory addendMem, dnnl_memory_desc dst, dnnl_memory dstMem) {
            dnnl_primitive_attr attr = userScratchpad();
            dnnl_post_ops ops = null;
            if (addend != null) {
                ops = new dnnl_post_ops();
                check(dnnl_post_ops_create(ops), "post_ops_create");
                check(dnnl_post_ops_append_binary(ops, dnnl_binary_add, addend), "post_ops_append_binary");
                check(dnnl_primitive_attr_set_post_ops(attr, ops), "primitive_attr_set_post_ops");
            }
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_matmul_primitive_desc_create(pd, Rt.ENGINE, src, wei, null, dst, attr), "matmul_primitive_desc_create");
            dnnl_primitive_attr_destroy(attr);
            if (ops != null) dnnl_post_ops_destroy(ops);
            return addend == null ? step(pd, DNNL_ARG_SRC, srcMem, DNNL_ARG_WEIGHTS, weiMem, DNNL_ARG_DST, dstMem)
                    : step(pd, DNNL_ARG_SRC, srcMem, DNNL_ARG_WEIGHTS, weiMem, DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE | DNNL_ARG_SRC_1, addendMem,
                            DNNL_ARG_DST, dstMem);
        }

        /** A memory object of this plan in the arena (a temporary between its steps). */
        dnnl_memory temp(dnnl_memory_desc md) {
            dnnl_memory m = new dnnl_memory();
            check(dnnl_memory_create(m, md, Rt.ENGINE, null), "memory_create");
            temps.add(new Temp(m, tempBytes));
            tempBytes += (dnnl_memory_desc_get_size(md) + 63) & ~63L; // keep each buffer 64-byte aligned
            return m;
        }

        /** Another view (descriptor) of the caller's buffer that {@code of} (a user memory of this plan) is bound to. */
        dnnl_memory alias(dnnl_memory_desc md, dnnl_memory of) {
            dnnl_memory m = new dnnl_memory();
            check(dnnl_memory_create(m, md, Rt.ENGINE, null), "memory_create");
            userAliases.add(new UserAlias(m, user.indexOf(of)));
            return m;
        }

        /** Another view (descriptor) of the temporary made last, e.g. (n, k, c) seen as (n, k·c). */
        dnnl_memory alias(dnnl_memory_desc md) {
            Temp last = temps.get(temps.size() - 1);
            dnnl_memory m = new dnnl_memory();
            check(dnnl_memory_create(m, md, Rt.ENGINE, null), "memory_create");
            temps.add(new Temp(m, last.offset()));
            return m;
        }

        /** A constant memory of {@code count} ones owned by this plan (sums as matmuls: ones (1, n)·x (n, m)). */
        dnnl_memory ones(dnnl_memory_desc md, long count) {
            FloatPointer data = new FloatPointer(count);
            keep.add(data);
            for (long i = 0; i < count; i++) data.put(i, 1f);
            dnnl_memory m = new dnnl_memory();
            check(dnnl_memory_create(m, md, Rt.ENGINE, data), "memory_create");
            return m;
        }

        Plan done() {
            for (dnnl_memory_desc md : descs) dnnl_memory_desc_destroy(md);
            descs.clear();
            return this;
        }
    }

    /** A reusable pointer at an arbitrary address (calls are serialized, so one per plan suffices). */
    private static final class Addr extends Pointer {
        Pointer at(long a) {
            address = a;
            return this;
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
    private static long arena(long bytes) {
        if (bytes > arenaBytes) {
            if (arenaRaw != null) arenaRaw.close();
            arenaRaw = new BytePointer(bytes + 64);
            arenaBase = (arenaRaw.address() + 63) & ~63L;
            arenaBytes = bytes;
        }
        return arenaBase;
    }

    /** The narrow path's buffer, 64-byte aligned, grown to at least {@code bytes} (callers hold LOCK). */
    private static long work(long bytes) {
        if (bytes > workBytes) {
            if (workRaw != null) workRaw.close();
            workRaw = new BytePointer(bytes + 64);
            workBase = (workRaw.address() + 63) & ~63L;
            workBytes = bytes;
        }
        return workBase;
    }

    private static Pointer ptr(long address) {
        return new Addr().at(address);
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

    private static Plan buildMatmul(long batch, long m, long n, long k, boolean transA, boolean transB) {
        Plan p = new Plan();
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

    /** The plan of {@link #linear}: user memories x, w, [bias], y in that order. */
    private static Plan buildLinear(long m, long n, long k, boolean bias, boolean relu) {
        Plan p = new Plan();
        dnnl_memory_desc x = p.md(new long[] {m, k}, new long[] {k, 1});
        dnnl_memory_desc w = p.md(new long[] {k, n}, new long[] {1, k}); // wᵀ as strides on (n, k) row-major
        dnnl_memory_desc b = bias ? p.md(new long[] {1, n}, new long[] {n, 1}) : null;
        dnnl_memory_desc y = p.md(new long[] {m, n}, new long[] {n, 1});
        dnnl_memory xm = p.userMemory(x), wm = p.userMemory(w), bm = bias ? p.userMemory(b) : null, ym = p.userMemory(y);
        dnnl_primitive_attr attr = userScratchpad();
        dnnl_post_ops ops = null;
        if (relu) {
            ops = new dnnl_post_ops();
            check(dnnl_post_ops_create(ops), "post_ops_create");
            check(dnnl_post_ops_append_eltwise(ops, dnnl_eltwise_relu, 0f, 0f), "post_ops_append_eltwise");
            check(dnnl_primitive_attr_set_post_ops(attr, ops), "primitive_attr_set_post_ops");
        }
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_matmul_primitive_desc_create(pd, Rt.ENGINE, x, w, b, y, attr), "matmul_primitive_desc_create");
        dnnl_primitive_attr_destroy(attr);
        if (ops != null) dnnl_post_ops_destroy(ops);
        p.main = bias ? p.step(pd, DNNL_ARG_SRC, xm, DNNL_ARG_WEIGHTS, wm, DNNL_ARG_BIAS, bm, DNNL_ARG_DST, ym)
                : p.step(pd, DNNL_ARG_SRC, xm, DNNL_ARG_WEIGHTS, wm, DNNL_ARG_DST, ym);
        return p.done();
    }

    private static long[] tail(long[] v, int from) {
        return Arrays.copyOfRange(v, from, v.length);
    }

    /** Geometry of one convolution; builds its forward and backward plans. */
    private record Conv(long n, long c, long h, long w, long k, long r, long s, int sh, int sw, int ph, int pw, int dh, int dw,
                        ConvLayout layout, boolean nhwc, boolean asMatmul) {
        Conv(long n, long c, long h, long w, long k, long r, long s, int sh, int sw, int ph, int pw, int dh, int dw, ConvLayout layout, boolean nhwc) {
            this(n, c, h, w, k, r, s, sh, sw, ph, pw, dh, dw, layout, nhwc,
                    pointwiseAsMatmul && r == 1 && s == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0);
        }

        Conv {
            if (n < 1 || c < 1 || h < 1 || w < 1 || k < 1 || r < 1 || s < 1 || sh < 1 || sw < 1 || ph < 0 || pw < 0 || dh < 1 || dw < 1) {
                throw new IllegalArgumentException("bad conv2d geometry");
            }
            // fields are assigned after this body: compute the output size from the parameters
            if (h + 2L * ph - (long) dh * (r - 1) - 1 < 0 || w + 2L * pw - (long) dw * (s - 1) - 1 < 0) throw new IllegalArgumentException("conv2d output would be empty");
        }

        /**
         * 1 when the convolution runs as im2col of x + matmul (few input channels), −1 when as matmul +
         * col2im of the output (few output channels), 0 when oneDNN convolves: only "same" convolutions.
         */
        int narrow() {
            boolean same = sh == 1 && sw == 1 && dh == 1 && dw == 1 && r % 2 == 1 && s % 2 == 1 && r * s > 1
                    && 2L * ph == r - 1 && 2L * pw == s - 1;
            if (!narrowAsMatmul || !same || Math.min(c, k) > NARROW) return 0;
            return c <= k ? 1 : -1;
        }

        long outH() { return (h + 2L * ph - (long) dh * (r - 1) - 1) / sh + 1; }
        long outW() { return (w + 2L * pw - (long) dw * (s - 1) - 1) / sw + 1; }

        Key key(int op, int bias) {
            return new Key(op, n, c, h, w, k, r, s, sh, sw, ph, pw, dh, dw, bias, layout.ordinal(), nhwc ? 1 : 0);
        }

        long[] src() { return new long[] {n, c, h, w}; }
        long[] wei() { return new long[] {k, c, r, s}; }
        long[] dst() { return new long[] {n, k, outH(), outW()}; }
        long[] strides() { return new long[] {sh, sw}; }
        long[] dil() { return new long[] {dh - 1, dw - 1}; } // oneDNN counts dilation from 0
        long[] pad() { return new long[] {ph, pw}; } // same right padding: oneDNN then floors like PyTorch

        /** The caller's activation layout: nchw, or nhwc when channels-last. */
        int act() { return nhwc ? dnnl_nhwc : dnnl_nchw; }

        /**
         * The descriptor the primitive is created with: "any" or the plain one. Channels-last activations are
         * given as nhwc, which oneDNN's jit convolutions take as they are (no reorders); weights may be "any".
         */
        dnnl_memory_desc prim(Plan p, long[] dims, int plainTag) {
            boolean fixed = layout == ConvLayout.PLAIN || (nhwc && plainTag == dnnl_nhwc);
            return p.md(dims, fixed ? plainTag : dnnl_format_tag_any);
        }

        dnnl_primitive_desc forwardPd(Plan p, boolean bias, dnnl_primitive_attr attr) {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_convolution_forward_primitive_desc_create(pd, Rt.ENGINE, dnnl_forward_training, dnnl_convolution_direct,
                    prim(p, src(), act()), prim(p, wei(), dnnl_oihw), bias ? p.md(new long[] {k}, dnnl_a) : null,
                    prim(p, dst(), act()), strides(), dil(), pad(), pad(), attr), "convolution_forward_primitive_desc_create");
            return pd;
        }

        Plan forward(boolean bias) {
            Plan p = new Plan();
            dnnl_primitive_attr attr = userScratchpad();
            dnnl_primitive_desc pd = forwardPd(p, bias, attr);
            dnnl_primitive_attr_destroy(attr);
            dnnl_memory x = p.bind(p.md(src(), act()), pd, dnnl_query_src_md, false);
            dnnl_memory wt = p.bind(p.md(wei(), dnnl_oihw), pd, dnnl_query_weights_md, false);
            dnnl_memory b = bias ? p.userMemory(p.md(new long[] {k}, dnnl_a)) : null;
            dnnl_memory y = p.bind(p.md(dst(), act()), pd, dnnl_query_dst_md, true);
            p.main = bias ? p.step(pd, DNNL_ARG_SRC, x, DNNL_ARG_WEIGHTS, wt, DNNL_ARG_BIAS, b, DNNL_ARG_DST, y)
                    : p.step(pd, DNNL_ARG_SRC, x, DNNL_ARG_WEIGHTS, wt, DNNL_ARG_DST, y);
            return p.done();
        }

        Plan backwardData() {
            Plan p = new Plan();
            dnnl_primitive_desc hint = forwardPd(p, false, null);
            p.keep.add(hint);
            dnnl_primitive_attr attr = userScratchpad();
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_convolution_backward_data_primitive_desc_create(pd, Rt.ENGINE, dnnl_convolution_direct,
                    prim(p, src(), act()), prim(p, wei(), dnnl_oihw), prim(p, dst(), act()),
                    strides(), dil(), pad(), pad(), hint, attr), "convolution_backward_data_primitive_desc_create");
            dnnl_primitive_attr_destroy(attr);
            dnnl_memory gy = p.bind(p.md(dst(), act()), pd, dnnl_query_diff_dst_md, false);
            dnnl_memory wt = p.bind(p.md(wei(), dnnl_oihw), pd, dnnl_query_weights_md, false);
            dnnl_memory gx = p.bind(p.md(src(), act()), pd, dnnl_query_diff_src_md, true);
            p.main = p.step(pd, DNNL_ARG_DIFF_DST, gy, DNNL_ARG_WEIGHTS, wt, DNNL_ARG_DIFF_SRC, gx);
            return p.done();
        }

        Plan backwardWeights(boolean bias) {
            Plan p = new Plan();
            dnnl_primitive_desc hint = forwardPd(p, bias, null);
            p.keep.add(hint);
            dnnl_primitive_attr attr = userScratchpad();
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_convolution_backward_weights_primitive_desc_create(pd, Rt.ENGINE, dnnl_convolution_direct,
                    prim(p, src(), act()), prim(p, wei(), dnnl_oihw), bias ? p.md(new long[] {k}, dnnl_a) : null,
                    prim(p, dst(), act()), strides(), dil(), pad(), pad(), hint, attr),
                    "convolution_backward_weights_primitive_desc_create");
            dnnl_primitive_attr_destroy(attr);
            dnnl_memory x = p.bind(p.md(src(), act()), pd, dnnl_query_src_md, false);
            dnnl_memory gy = p.bind(p.md(dst(), act()), pd, dnnl_query_diff_dst_md, false);
            dnnl_memory gw = p.bind(p.md(wei(), dnnl_oihw), pd, dnnl_query_diff_weights_md, true);
            dnnl_memory gb = bias ? p.userMemory(p.md(new long[] {k}, dnnl_a)) : null;
            p.main = bias ? p.step(pd, DNNL_ARG_SRC, x, DNNL_ARG_DIFF_DST, gy, DNNL_ARG_DIFF_WEIGHTS, gw, DNNL_ARG_DIFF_BIAS, gb)
                    : p.step(pd, DNNL_ARG_SRC, x, DNNL_ARG_DIFF_DST, gy, DNNL_ARG_DIFF_WEIGHTS, gw);
            return p.done();
        }
        // ---- "same" convolutions with a narrow side, as matmuls (callers hold LOCK) --------------
        //
        // Few input channels: the backward passes take col = im2col(x) (n, c·r·s, hw) and the 1x1 plans with
        // c·r·s input channels and the OIHW weight as it is, (k, c·r·s); the forward stays oneDNN's
        // convolution (1.3 ms against 1.6 ms for im2col + matmul at 2 → 128, 16x16, B = 64). Few output channels: the weight reshaped to
        // wr (k·r·s, c) (tap-major rows), z = wr·x[i] (n, k·r·s, hw) by the 1x1 plans, y = col2im(z) with
        // the opposite tap sign; the backward passes take im2col(gy) with that sign. See Im2col.

        /** The 1x1 geometry (n, cc → kk, h, w) whose plans do the matmuls. */
        Conv pointwise(long cc, long kk) {
            return new Conv(n, cc, h, w, kk, 1, 1, 1, 1, 0, 0, 1, 1, layout, false, true);
        }

        long rs() { return r * s; }
        long floats(long count) { return (count * 4 + 63) & ~63L; }

        /** Few output channels only (narrow() < 0): with few input channels oneDNN's forward convolution wins. */
        void narrowForward(Pointer x, Pointer wt, Pointer bias, Pointer y) {
            long wr = work(floats(k * rs() * c) + floats(n * k * rs() * h * w)), z = wr + floats(k * rs() * c);
            Im2col.swapLast(Im2col.address(wt), wr, (int) k, (int) c, (int) rs());
            Conv pw = pointwise(c, k * rs());
            run(pw.key(4, 0), () -> pw.pointwiseForward(false), x, ptr(wr), ptr(z));
            Im2col.col2im(z, Im2col.address(bias), Im2col.address(y), n, (int) k, (int) h, (int) w, (int) r, (int) s, -1);
        }

        void narrowBackwardData(Pointer gy, Pointer wt, Pointer gx) {
            if (narrow() > 0) {
                long gcol = work(floats(n * c * rs() * h * w));
                Conv pw = pointwise(c * rs(), k);
                run(pw.key(5, 0), pw::pointwiseBackwardData, gy, wt, ptr(gcol));
                Im2col.col2im(gcol, 0, Im2col.address(gx), n, (int) c, (int) h, (int) w, (int) r, (int) s, 1);
            } else {
                long wr = work(floats(k * rs() * c) + floats(n * k * rs() * h * w)), col = wr + floats(k * rs() * c);
                Im2col.swapLast(Im2col.address(wt), wr, (int) k, (int) c, (int) rs());
                Im2col.im2col(Im2col.address(gy), col, n, (int) k, (int) h, (int) w, (int) r, (int) s, -1);
                Conv pw = pointwise(c, k * rs());
                run(pw.key(5, 0), pw::pointwiseBackwardData, ptr(col), ptr(wr), gx);
            }
        }

        void narrowBackwardWeights(Pointer x, Pointer gy, Pointer gw, Pointer gbias) {
            boolean b = gbias != null;
            if (narrow() > 0) {
                long col = work(floats(n * c * rs() * h * w));
                Im2col.im2col(Im2col.address(x), col, n, (int) c, (int) h, (int) w, (int) r, (int) s, 1);
                Conv pw = pointwise(c * rs(), k);
                if (b) run(pw.key(6, 1), () -> pw.pointwiseBackwardWeights(true), ptr(col), gy, gw, gbias);
                else run(pw.key(6, 0), () -> pw.pointwiseBackwardWeights(false), ptr(col), gy, gw);
            } else {
                long gwr = work(floats(k * rs() * c) + floats(n * k * rs() * h * w)), col = gwr + floats(k * rs() * c);
                Im2col.im2col(Im2col.address(gy), col, n, (int) k, (int) h, (int) w, (int) r, (int) s, -1);
                Conv pw = pointwise(c, k * rs());
                run(pw.key(6, 0), () -> pw.pointwiseBackwardWeights(false), x, ptr(col), ptr(gwr));
                Im2col.swapLast(gwr, Im2col.address(gw), (int) k, (int) rs(), (int) c);
                if (b) Im2col.biasGrad(Im2col.address(gy), Im2col.address(gbias), n, (int) k, (int) (h * w));
            }
        }

        // ---- 1x1, stride 1, no padding: per image y[i] (k, hw) = w (k, c)·x[i] (c, hw), on the NCHW data as it is

        long[] rows(long a, long b) { return new long[] {a * b, b, 1}; } // strides of a plain (batch, a, b)

        /** x (n, c, hw), w (1, k, c) broadcast over the images, bias (1, k, 1) → y (n, k, hw). */
        Plan pointwiseForward(boolean bias) {
            Plan p = new Plan();
            long hw = h * w;
            dnnl_memory_desc xd = p.md(new long[] {n, c, hw}, rows(c, hw)), wd = p.md(new long[] {1, k, c}, rows(k, c));
            dnnl_memory_desc bd = bias ? p.md(new long[] {1, k, 1}, rows(k, 1)) : null, yd = p.md(new long[] {n, k, hw}, rows(k, hw));
            dnnl_memory x = p.userMemory(xd), wt = p.userMemory(wd), b = bias ? p.userMemory(bd) : null, y = p.userMemory(yd);
            p.main = p.matmul(wd, wt, xd, x, bd, b, yd, y);
            return p.done();
        }

        /** gx[i] (c, hw) = wᵀ (c, k)·gy[i] (k, hw); wᵀ is a strided view of w. */
        Plan pointwiseBackwardData() {
            Plan p = new Plan();
            long hw = h * w;
            dnnl_memory_desc gyd = p.md(new long[] {n, k, hw}, rows(k, hw)), wtd = p.md(new long[] {1, c, k}, new long[] {k * c, 1, c});
            dnnl_memory_desc gxd = p.md(new long[] {n, c, hw}, rows(c, hw));
            dnnl_memory gy = p.userMemory(gyd), wt = p.userMemory(wtd), gx = p.userMemory(gxd);
            p.main = p.matmul(wtd, wt, gyd, gy, null, null, gxd, gx);
            return p.done();
        }

        /**
         * gw (k, c) = Σ_i gy[i] (k, hw)·x[i]ᵀ (hw, c): a batched matmul into a temporary (n, k, c), then the
         * sum over the images as ones (1, n)·(n, k·c). gbias (k) = Σ gy over pixels, gy (n, k, hw)·ones (1, hw, 1),
         * then over images, ones (1, n)·(n, k). Sums as matmuls: oneDNN's reduction primitive has only its
         * reference implementation for these shapes.
         */
        Plan pointwiseBackwardWeights(boolean bias) {
            Plan p = new Plan();
            long hw = h * w;
            dnnl_memory_desc xtd = p.md(new long[] {n, hw, c}, new long[] {c * hw, 1, hw}), gyd = p.md(new long[] {n, k, hw}, rows(k, hw));
            dnnl_memory_desc gwd = p.md(new long[] {1, k * c}, new long[] {k * c, 1}), gbd = bias ? p.md(new long[] {1, k}, new long[] {k, 1}) : null;
            dnnl_memory x = p.userMemory(xtd), gy = p.userMemory(gyd), gw = p.userMemory(gwd), gb = bias ? p.userMemory(gbd) : null;
            dnnl_memory_desc perImage = p.md(new long[] {n, k, c}, rows(k, c)), perImageRows = p.md(new long[] {n, k * c}, new long[] {k * c, 1});
            dnnl_memory_desc onesN = p.md(new long[] {1, n}, new long[] {n, 1});
            dnnl_memory tmp = p.temp(perImage), tmpRows = p.alias(perImageRows), onesMem = p.ones(onesN, n);
            p.main = p.matmul(gyd, gy, xtd, x, null, null, perImage, tmp);
            p.post.add(p.matmul(onesN, onesMem, perImageRows, tmpRows, null, null, gwd, gw));
            if (bias) {
                dnnl_memory_desc onesHw = p.md(new long[] {1, hw, 1}, rows(hw, 1));
                dnnl_memory_desc perImageB = p.md(new long[] {n, k, 1}, rows(k, 1)), perImageBRows = p.md(new long[] {n, k}, new long[] {k, 1});
                dnnl_memory tb = p.temp(perImageB), tbRows = p.alias(perImageBRows), onesP = p.ones(onesHw, hw);
                p.post.add(p.matmul(gyd, gy, onesHw, onesP, null, null, perImageB, tb));
                p.post.add(p.matmul(onesN, onesMem, perImageBRows, tbRows, null, null, gbd, gb));
            }
            return p.done();
        }

        // ---- "same" convolutions with a narrow side, channels-last (callers hold LOCK) ----------------
        //
        // The narrow tensor (few channels: cheap to move) is transposed per image to planar (n, ch, hw), so
        // Im2col's planar loops serve as in NCHW, and the matmuls are per image with the wide NHWC side read
        // through a transposed view: the shapes oneDNN runs well (one matmul over all pixels with 18 or 36
        // output columns, or a K of n·hw, measured 2-3x slower). Few input channels (q = c·r·s, the OIHW
        // weight as it is is (k, q)): the forward stays oneDNN's nhwc convolution; gcol[i] (q, hw) =
        // wᵀ·gy[i]ᵀ, gx = col2im(gcol); gwᵀ (q, k) = Σ_i im2col(x)[i] (q, hw)·gy[i] (hw, k). Few output
        // channels (q = k·r·s, w2 (q, c) the weight with its last two axes swapped): z[i] = w2·x[i]ᵀ, y =
        // col2im(z) with the opposite tap sign; gx[i] = col[i]ᵀ·w2 and gw2 = Σ_i col[i]·x[i] with col =
        // im2col(gy) of that sign.

        long hw() { return h * w; }

        /** Few output channels only (narrow() < 0): with few input channels oneDNN's nhwc forward wins. */
        void narrowForwardNhwc(Pointer x, Pointer wt, Pointer bias, Pointer y) {
            long q = k * rs(), w2 = work(floats(q * c) + floats(n * q * hw()) + floats(n * k * hw()));
            long z = w2 + floats(q * c), yc = z + floats(n * q * hw());
            Im2col.swapLast(Im2col.address(wt), w2, (int) k, (int) c, (int) rs());
            run(key(10, 0), () -> planarFromWide(q, c, false), ptr(w2), x, ptr(z));
            Im2col.col2im(z, Im2col.address(bias), yc, n, (int) k, (int) h, (int) w, (int) r, (int) s, -1);
            Im2col.swapLast(yc, Im2col.address(y), (int) n, (int) k, (int) hw());
        }

        void narrowBackwardDataNhwc(Pointer gy, Pointer wt, Pointer gx) {
            if (narrow() > 0) {
                long q = c * rs(), gcol = work(floats(n * q * hw()) + floats(n * c * hw())), gxc = gcol + floats(n * q * hw());
                run(key(11, 0), () -> planarFromWide(q, k, true), wt, gy, ptr(gcol));
                Im2col.col2im(gcol, 0, gxc, n, (int) c, (int) h, (int) w, (int) r, (int) s, 1);
                Im2col.swapLast(gxc, Im2col.address(gx), (int) n, (int) c, (int) hw());
            } else {
                long q = k * rs(), w2 = work(floats(q * c) + floats(n * k * hw()) + floats(n * q * hw()));
                long gyc = w2 + floats(q * c), col = gyc + floats(n * k * hw());
                Im2col.swapLast(Im2col.address(wt), w2, (int) k, (int) c, (int) rs());
                Im2col.swapLast(Im2col.address(gy), gyc, (int) n, (int) hw(), (int) k);
                Im2col.im2col(gyc, col, n, (int) k, (int) h, (int) w, (int) r, (int) s, -1);
                run(key(12, 0), () -> wideFromPlanar(q, c), ptr(col), ptr(w2), gx);
            }
        }

        void narrowBackwardWeightsNhwc(Pointer x, Pointer gy, Pointer gw, Pointer gbias) {
            boolean b = gbias != null;
            if (narrow() > 0) {
                long q = c * rs(), g = work(floats(q * k) + floats(n * c * hw()) + floats(n * q * hw()));
                long xc = g + floats(q * k), col = xc + floats(n * c * hw());
                Im2col.swapLast(Im2col.address(x), xc, (int) n, (int) hw(), (int) c);
                Im2col.im2col(xc, col, n, (int) c, (int) h, (int) w, (int) r, (int) s, 1);
                if (b) run(key(13, 1), () -> gradSum(q, k, true), ptr(col), gy, ptr(g), gbias);
                else run(key(13, 0), () -> gradSum(q, k, false), ptr(col), gy, ptr(g));
                Im2col.swapLast(g, Im2col.address(gw), 1, (int) q, (int) k);
            } else {
                long q = k * rs(), g = work(floats(q * c) + floats(n * k * hw()) + floats(n * q * hw()));
                long gyc = g + floats(q * c), col = gyc + floats(n * k * hw());
                Im2col.swapLast(Im2col.address(gy), gyc, (int) n, (int) hw(), (int) k);
                Im2col.im2col(gyc, col, n, (int) k, (int) h, (int) w, (int) r, (int) s, -1);
                run(key(13, 0), () -> gradSum(q, c, false), ptr(col), x, ptr(g));
                Im2col.swapLast(g, Im2col.address(gw), (int) k, (int) rs(), (int) c);
                if (b) Im2col.biasGradRows(Im2col.address(gy), Im2col.address(gbias), n * hw(), (int) k);
            }
        }

        /**
         * planar (n, q, hw) = a (q, wide)·wide[i]ᵀ (wide, hw) for each image, wide (n, hw, wide) channels-last; a
         * is broadcast over the images, given as (q, wide) or, when aT, as its transpose (wide, q) in memory.
         */
        Plan planarFromWide(long q, long wide, boolean aT) {
            Plan p = new Plan();
            long hw = hw();
            dnnl_memory_desc ad = p.md(new long[] {1, q, wide}, aT ? new long[] {q * wide, 1, q} : rows(q, wide));
            dnnl_memory_desc wd = p.md(new long[] {n, wide, hw}, new long[] {hw * wide, 1, wide}), pd = p.md(new long[] {n, q, hw}, rows(q, hw));
            dnnl_memory a = p.userMemory(ad), wm = p.userMemory(wd), pm = p.userMemory(pd);
            p.main = p.matmul(ad, a, wd, wm, null, null, pd, pm);
            return p.done();
        }

        /** wide (n, hw, wide) channels-last = planar[i]ᵀ (hw, q)·b (q, wide) for each image; planar (n, q, hw). */
        Plan wideFromPlanar(long q, long wide) {
            Plan p = new Plan();
            long hw = hw();
            dnnl_memory_desc pd = p.md(new long[] {n, hw, q}, new long[] {q * hw, 1, hw}), bd = p.md(new long[] {1, q, wide}, rows(q, wide));
            dnnl_memory_desc wd = p.md(new long[] {n, hw, wide}, rows(hw, wide));
            dnnl_memory pm = p.userMemory(pd), b = p.userMemory(bd), wm = p.userMemory(wd);
            p.main = p.matmul(pd, pm, bd, b, null, null, wd, wm);
            return p.done();
        }

        /**
         * g (q, wide) = Σ_i planar[i] (q, hw)·wide[i] (hw, wide): per image into a temporary (n, q, wide), then the
         * sum over the images as ones (1, n)·(n, q·wide); with bias, gbias (wide) = ones (1, n·hw)·wide (n·hw, wide).
         */
        Plan gradSum(long q, long wide, boolean bias) {
            Plan p = new Plan();
            long hw = hw();
            dnnl_memory_desc pd = p.md(new long[] {n, q, hw}, rows(q, hw)), wd = p.md(new long[] {n, hw, wide}, rows(hw, wide));
            dnnl_memory_desc gd = p.md(new long[] {1, q * wide}, new long[] {q * wide, 1});
            dnnl_memory pm = p.userMemory(pd), wm = p.userMemory(wd), g = p.userMemory(gd);
            dnnl_memory_desc perImage = p.md(new long[] {n, q, wide}, rows(q, wide)), perImageRows = p.md(new long[] {n, q * wide}, new long[] {q * wide, 1});
            dnnl_memory_desc onesN = p.md(new long[] {1, n}, new long[] {n, 1});
            dnnl_memory tmp = p.temp(perImage), tmpRows = p.alias(perImageRows), onesMem = p.ones(onesN, n);
            p.main = p.matmul(pd, pm, wd, wm, null, null, perImage, tmp);
            p.post.add(p.matmul(onesN, onesMem, perImageRows, tmpRows, null, null, gd, g));
            if (bias) {
                dnnl_memory_desc pix = p.md(new long[] {n * hw, wide}, new long[] {wide, 1}), onesP = p.md(new long[] {1, n * hw}, new long[] {n * hw, 1});
                dnnl_memory_desc gbd = p.md(new long[] {1, wide}, new long[] {wide, 1});
                dnnl_memory gb = p.userMemory(gbd), pixMem = p.alias(pix, wm), onesMem2 = p.ones(onesP, n * hw);
                p.post.add(p.matmul(onesP, onesMem2, pix, pixMem, null, null, gbd, gb));
            }
            return p.done();
        }

        // ---- 1x1, stride 1, no padding, channels-last: the pixels are the rows of ONE matmul, x (n·h·w, c)
        // and y (n·h·w, k); ~2x the GFLOP/s of the per-image matmuls above (no temporary summed over images)

        /** y (m, k) = x (m, c)·wᵀ (c, k) + bias (1, k); wᵀ is a strided view of w (k, c); m = n·h·w. */
        Plan rowsForward(boolean bias) {
            Plan p = new Plan();
            long m = n * h * w;
            dnnl_memory_desc xd = p.md(new long[] {m, c}, new long[] {c, 1}), wd = p.md(new long[] {c, k}, new long[] {1, c});
            dnnl_memory_desc bd = bias ? p.md(new long[] {1, k}, new long[] {k, 1}) : null, yd = p.md(new long[] {m, k}, new long[] {k, 1});
            dnnl_memory x = p.userMemory(xd), wt = p.userMemory(wd), b = bias ? p.userMemory(bd) : null, y = p.userMemory(yd);
            p.main = p.matmul(xd, x, wd, wt, bd, b, yd, y);
            return p.done();
        }

        /** gx (m, c) = gy (m, k)·w (k, c). */
        Plan rowsBackwardData() {
            Plan p = new Plan();
            long m = n * h * w;
            dnnl_memory_desc gyd = p.md(new long[] {m, k}, new long[] {k, 1}), wd = p.md(new long[] {k, c}, new long[] {c, 1});
            dnnl_memory_desc gxd = p.md(new long[] {m, c}, new long[] {c, 1});
            dnnl_memory gy = p.userMemory(gyd), wt = p.userMemory(wd), gx = p.userMemory(gxd);
            p.main = p.matmul(gyd, gy, wd, wt, null, null, gxd, gx);
            return p.done();
        }

        /** gw (k, c) = gyᵀ (k, m)·x (m, c), gyᵀ a strided view; gbias (1, k) = ones (1, m)·gy (m, k). */
        Plan rowsBackwardWeights(boolean bias) {
            Plan p = new Plan();
            long m = n * h * w;
            dnnl_memory_desc xd = p.md(new long[] {m, c}, new long[] {c, 1}), gytd = p.md(new long[] {k, m}, new long[] {1, k});
            dnnl_memory_desc gwd = p.md(new long[] {k, c}, new long[] {c, 1});
            dnnl_memory x = p.userMemory(xd), gyt = p.userMemory(gytd), gw = p.userMemory(gwd);
            p.main = p.matmul(gytd, gyt, xd, x, null, null, gwd, gw);
            if (bias) {
                dnnl_memory_desc gyd = p.md(new long[] {m, k}, new long[] {k, 1}), gbd = p.md(new long[] {1, k}, new long[] {k, 1});
                dnnl_memory_desc onesM = p.md(new long[] {1, m}, new long[] {m, 1});
                dnnl_memory gb = p.userMemory(gbd), gy = p.alias(gyd, gyt), onesMem = p.ones(onesM, m);
                p.post.add(p.matmul(onesM, onesMem, gyd, gy, null, null, gbd, gb));
            }
            return p.done();
        }
    }

    /** Cache key: op id and every dimension/parameter. */
    private static final class Key {
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
