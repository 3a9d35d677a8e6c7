package org.dgm4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;
import static org.dgm4j.backend.cpu.OneDnn.*;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Everything one shape needs in {@link OneDnn}, kept for the JVM's life: primitive descriptors,
 * primitives, reorders and memory objects; user[i] is bound to the i-th pointer of a call, temporaries
 * and scratchpads live in OneDnn's shared arena.
 */
final class OneDnnPlan {
    /** One primitive with its arguments; scratch is non-null when it needs a scratchpad. */
    private record Step(dnnl_primitive prim, dnnl_exec_arg_t args, int nargs, dnnl_memory scratch) {}

    /** A second memory object (another descriptor) on the caller's {@code index}-th pointer. */
    private record UserAlias(dnnl_memory mem, int index) {}

    /** A plan's own memory object placed in the arena at {@code offset} (a reorder buffer). */
    private record Temp(dnnl_memory mem, long offset) {}

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

    OneDnnPlan done() {
        for (dnnl_memory_desc md : descs) dnnl_memory_desc_destroy(md);
        descs.clear();
        return this;
    }

    /** A reusable pointer at an arbitrary address (calls are serialized, so one per plan suffices). */
    static final class Addr extends Pointer {
        Pointer at(long a) {
            address = a;
            return this;
        }
    }
}
