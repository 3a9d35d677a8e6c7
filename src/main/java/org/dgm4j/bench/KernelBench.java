package org.dgm4j.bench;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.FloatPointer;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Conv2dParams;
import org.dgm4j.backend.cpu.OneDnn;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;

/**
 * Kernel throughput, each workload twice in one run: through dgm4j's Tensor API and with oneDNN
 * called directly (its best set-up for the same NCHW data, no dgm4j code), so the overhead of the
 * library is a ratio taken under the same machine load. Shapes and FLOP counts are the peers'
 * (shared/peers README). Timing like the peers: warm-up, then repetitions of k calls lasting at
 * least {@code repSeconds}, median per call; the two paths alternate repetition by repetition so
 * load changes on a shared machine hit both alike.
 */
public final class KernelBench {
    /**
     * One table row; times are median milliseconds per call: the Tensor API, the raw-pointer engine
     * under it ({@link OneDnn}, to tell its share of the overhead from the Tensor/autograd layer's),
     * and oneDNN called directly.
     */
    public record Row(String bench, String shape, double flops, double dgm4jMs, double engineMs, double directMs) {
        double overheadPct() { return (dgm4jMs / directMs - 1) * 100; }
    }

    private final double warmupSeconds, repSeconds;
    private final int reps;
    private final PrintWriter log;

    public KernelBench(double warmupSeconds, double repSeconds, int reps, PrintWriter log) {
        this.warmupSeconds = warmupSeconds;
        this.repSeconds = repSeconds;
        this.reps = reps;
        this.log = log;
    }

    /** Runs the workloads named in {@code only} ("gemm", "conv" or "all"). */
    public List<Row> run(String only) {
        List<Row> rows = new ArrayList<>();
        if (only.equals("all") || only.equals("gemm")) {
            rows.add(gemm(1024, 1024, 1024));
            rows.add(gemm(512, 1024, 4608));
        }
        if (only.equals("all") || only.equals("conv")) {
            rows.addAll(conv(32, 128, 128, 16, 16));
            rows.addAll(conv(64, 1, 32, 28, 28));
        }
        return rows;
    }

    public static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append("| benchmark | shape | dgm4j ms | dgm4j GFLOP/s | OneDnn class ms | oneDNN direct ms | direct GFLOP/s | overhead % |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.1f | %.3f | %.3f | %.1f | %+.1f |%n", r.bench(), r.shape(),
                    r.dgm4jMs(), r.flops() / r.dgm4jMs() / 1e6, r.engineMs(), r.directMs(), r.flops() / r.directMs() / 1e6, r.overheadPct()));
        }
        return b.toString();
    }

    // ---- workloads ------------------------------------------------------------------------------

    private Row gemm(int m, int n, int k) {
        Random rnd = new Random(1);
        float[] av = rand(rnd, (long) m * k), bv = rand(rnd, (long) k * n);
        try (Tensor a = Tensor.of(av, m, k); Tensor b = Tensor.of(bv, k, n);
             FloatPointer pa = new FloatPointer(av); FloatPointer pb = new FloatPointer(bv); FloatPointer pc = new FloatPointer((long) m * n);
             Direct d = Direct.matmul(m, n, k, av, bv)) {
            double[] t = measure(() -> {
                try (Scope s = Scope.open()) {
                    a.matmul(b);
                }
            }, () -> OneDnn.matmul(pa, false, pb, false, pc, 1, m, n, k), d::run);
            return new Row("sgemm", "M=" + m + " N=" + n + " K=" + k, 2.0 * m * n * k, t[0], t[1], t[2]);
        }
    }

    private List<Row> conv(int n, int c, int k, int h, int w) {
        Random rnd = new Random(2);
        float[] xv = rand(rnd, (long) n * c * h * w), wv = rand(rnd, (long) k * c * 9);
        Conv2dParams p = Conv2dParams.of(1, 1, 1);
        String shape = "N=" + n + " C=" + c + "->" + k + " " + h + "x" + w + " k3 p1";
        double flops = 2.0 * n * k * h * w * c * 9;
        List<Row> rows = new ArrayList<>();
        try (Tensor x = Tensor.of(xv, n, c, h, w); Tensor wt = Tensor.of(wv, k, c, 3, 3);
             Tensor ones = Tensor.full(x.backend(), x.dtype(), org.dgm4j.tensor.Shape.of(n, k, h, w), 1);
             Direct fwd = Direct.conv(n, c, k, h, w, xv, wv, false); Direct fb = Direct.conv(n, c, k, h, w, xv, wv, true);
             FloatPointer px = new FloatPointer(xv); FloatPointer pw = new FloatPointer(wv); FloatPointer py = new FloatPointer((long) n * k * h * w);
             FloatPointer pgy = new FloatPointer((long) n * k * h * w); FloatPointer pgx = new FloatPointer(xv.length);
             FloatPointer pgw = new FloatPointer(wv.length)) {
            Runnable engineFwd = () -> OneDnn.conv2dForward(px, pw, null, py, n, c, h, w, k, 3, 3, 1, 1, 1, 1, 1, 1);
            double[] t = measure(() -> {
                try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
                    Ops.conv2d(x, wt, null, p);
                }
            }, engineFwd, fwd::run);
            rows.add(new Row("conv2d fwd", shape, flops, t[0], t[1], t[2]));
            for (long i = 0; i < pgy.capacity(); i++) pgy.put(i, 1f); // all-ones dY, as for the other paths
            x.requiresGrad(true);
            wt.requiresGrad(true);
            // backward with an all-ones upstream gradient (as the peers): dX and dW, no accumulation
            t = measure(() -> {
                try (Scope s = Scope.open()) {
                    Autograd.backward(Ops.conv2d(x, wt, null, p), ones);
                }
                x.setGrad(null);
                wt.setGrad(null);
            }, () -> {
                engineFwd.run();
                OneDnn.conv2dBackwardData(pgy, pw, pgx, n, c, h, w, k, 3, 3, 1, 1, 1, 1, 1, 1);
                OneDnn.conv2dBackwardWeights(px, pgy, pgw, null, n, c, h, w, k, 3, 3, 1, 1, 1, 1, 1, 1);
            }, fb::run);
            rows.add(new Row("conv2d fwd+bwd", shape, 3 * flops, t[0], t[1], t[2]));
        }
        return rows;
    }

    // ---- timing ---------------------------------------------------------------------------------

    /** Median ms per call of each op (dgm4j, engine, direct), repetitions taken in turn. */
    double[] measure(Runnable... ops) {
        String[] names = {"dgm4j ", "engine", "direct"};
        int[] k = new int[ops.length];
        for (int i = 0; i < ops.length; i++) k[i] = calls(ops[i]);
        double[][] t = new double[ops.length][reps];
        for (int r = 0; r < reps; r++) {
            for (int i = 0; i < ops.length; i++) t[i][r] = rep(ops[i], k[i]);
        }
        double[] med = new double[ops.length];
        for (int i = 0; i < ops.length; i++) {
            med[i] = median(t[i]);
            log.printf(Locale.ROOT, "  %s %s%n", names[i], summary(t[i], k[i]));
        }
        log.flush();
        return med;
    }

    /** Warm-up (at least warmupSeconds and 5 calls), then the calls per repetition to last repSeconds. */
    private int calls(Runnable op) {
        long t0 = System.nanoTime();
        int done = 0;
        while (done < 5 || System.nanoTime() - t0 < warmupSeconds * 1e9) {
            op.run();
            done++;
        }
        double perCall = (System.nanoTime() - t0) / 1e9 / done;
        return (int) Math.max(1, Math.ceil(repSeconds / perCall));
    }

    private static double rep(Runnable op, int k) {
        long t0 = System.nanoTime();
        for (int i = 0; i < k; i++) op.run();
        return (System.nanoTime() - t0) / 1e6 / k;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String summary(double[] v, int k) {
        double[] s = v.clone();
        Arrays.sort(s);
        return String.format(Locale.ROOT, "median %.3f ms (min %.3f, max %.3f; %d reps x %d calls)", median(v), s[0], s[s.length - 1], v.length, k);
    }

    private static float[] rand(Random rnd, long count) {
        float[] v = new float[Math.toIntExact(count)];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        return v;
    }

    // ---- oneDNN called directly -----------------------------------------------------------------

    /**
     * The reference path: oneDNN's C API with everything built once and buffers fixed, so a call is
     * only primitive executions. Convolution uses format "any" plus reorders from/to NCHW/OIHW (the
     * plain-layout kernels are 100x slower here), as any NCHW caller must.
     */
    static final class Direct implements AutoCloseable {
        private static final dnnl_engine ENGINE = new dnnl_engine();
        private static final dnnl_stream STREAM = new dnnl_stream();
        static {
            ok(dnnl_engine_create(ENGINE, dnnl_cpu, 0));
            ok(dnnl_stream_create(STREAM, ENGINE, dnnl_stream_default_flags));
        }

        private record Exec(dnnl_primitive prim, dnnl_exec_arg_t args, int n) {}

        private final List<Exec> execs = new ArrayList<>();
        private final List<org.bytedeco.javacpp.Pointer> owned = new ArrayList<>();

        void run() {
            for (Exec e : execs) ok(dnnl_primitive_execute(e.prim(), STREAM, e.n(), e.args()));
            ok(dnnl_stream_wait(STREAM));
        }

        static Direct matmul(long m, long n, long k, float[] a, float[] b) {
            Direct d = new Direct();
            dnnl_memory_desc am = md(new long[] {m, k}, dnnl_ab), bm = md(new long[] {k, n}, dnnl_ab), cm = md(new long[] {m, n}, dnnl_ab);
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            ok(dnnl_matmul_primitive_desc_create(pd, ENGINE, am, bm, null, cm, null));
            d.add(pd, DNNL_ARG_SRC, d.mem(am, a), DNNL_ARG_WEIGHTS, d.mem(bm, b), DNNL_ARG_DST, d.mem(cm, null));
            return d;
        }

        /** Forward (y = conv(x, w)), or with {@code backward} also dX and dW for an all-ones dY. */
        static Direct conv(long n, long c, long k, long h, long w, float[] x, float[] wt, boolean backward) {
            Direct d = new Direct();
            long[] src = {n, c, h, w}, wei = {k, c, 3, 3}, dst = {n, k, h, w}, one = {1, 1}, zero = {0, 0};
            dnnl_memory_desc anyS = md(src, dnnl_format_tag_any), anyW = md(wei, dnnl_format_tag_any), anyD = md(dst, dnnl_format_tag_any);
            dnnl_memory_desc plainS = md(src, dnnl_nchw), plainW = md(wei, dnnl_oihw), plainD = md(dst, dnnl_nchw);
            dnnl_primitive_desc fwd = new dnnl_primitive_desc();
            ok(dnnl_convolution_forward_primitive_desc_create(fwd, ENGINE, dnnl_forward_training, dnnl_convolution_direct,
                    anyS, anyW, null, anyD, one, zero, one, one, null));
            dnnl_memory ux = d.mem(plainS, x), uw = d.mem(plainW, wt), uy = d.mem(plainD, null);
            dnnl_memory bx = d.in(ux, plainS, fwd, dnnl_query_src_md), bw = d.in(uw, plainW, fwd, dnnl_query_weights_md);
            dnnl_memory by = d.outMem(uy, plainD, fwd, dnnl_query_dst_md);
            d.add(fwd, DNNL_ARG_SRC, bx, DNNL_ARG_WEIGHTS, bw, DNNL_ARG_DST, by);
            d.out(by, fwd, dnnl_query_dst_md, uy, plainD);
            if (backward) {
                float[] ones = new float[Math.toIntExact(n * k * h * w)];
                Arrays.fill(ones, 1f);
                dnnl_memory ugy = d.mem(plainD, ones), ugx = d.mem(plainS, null), ugw = d.mem(plainW, null);
                dnnl_primitive_desc bd = new dnnl_primitive_desc(), bwts = new dnnl_primitive_desc();
                ok(dnnl_convolution_backward_data_primitive_desc_create(bd, ENGINE, dnnl_convolution_direct, anyS, anyW, anyD,
                        one, zero, one, one, fwd, null));
                dnnl_memory gy1 = d.in(ugy, plainD, bd, dnnl_query_diff_dst_md), w1 = d.in(uw, plainW, bd, dnnl_query_weights_md);
                dnnl_memory gx = d.outMem(ugx, plainS, bd, dnnl_query_diff_src_md);
                d.add(bd, DNNL_ARG_DIFF_DST, gy1, DNNL_ARG_WEIGHTS, w1, DNNL_ARG_DIFF_SRC, gx);
                d.out(gx, bd, dnnl_query_diff_src_md, ugx, plainS);
                ok(dnnl_convolution_backward_weights_primitive_desc_create(bwts, ENGINE, dnnl_convolution_direct, anyS, anyW, null, anyD,
                        one, zero, one, one, fwd, null));
                dnnl_memory x2 = d.in(ux, plainS, bwts, dnnl_query_src_md), gy2 = d.in(ugy, plainD, bwts, dnnl_query_diff_dst_md);
                dnnl_memory gw = d.outMem(ugw, plainW, bwts, dnnl_query_diff_weights_md);
                d.add(bwts, DNNL_ARG_SRC, x2, DNNL_ARG_DIFF_DST, gy2, DNNL_ARG_DIFF_WEIGHTS, gw);
                d.out(gw, bwts, dnnl_query_diff_weights_md, ugw, plainW);
            }
            return d;
        }

        private static dnnl_memory_desc md(long[] dims, int tag) {
            dnnl_memory_desc md = new dnnl_memory_desc();
            ok(dnnl_memory_desc_create_with_tag(md, dims.length, dims, dnnl_f32, tag));
            return md;
        }

        /** A memory over a buffer of our own, filled with {@code data} when given. */
        private dnnl_memory mem(dnnl_memory_desc md, float[] data) {
            FloatPointer buf = new FloatPointer(dnnl_memory_desc_get_size(md) / 4);
            if (data != null) buf.put(data);
            else buf.fill(0);
            owned.add(buf);
            dnnl_memory m = new dnnl_memory();
            ok(dnnl_memory_create(m, md, ENGINE, buf));
            return m;
        }

        /** The primitive's input: the user memory itself or a reorder of it into the chosen layout. */
        private dnnl_memory in(dnnl_memory user, dnnl_memory_desc plain, dnnl_primitive_desc pd, int what) {
            dnnl_memory_desc chosen = dnnl_primitive_desc_query_md(pd, what, 0);
            if (dnnl_memory_desc_equal(plain, chosen) != 0) return user;
            dnnl_memory inner = mem(chosen, null);
            reorder(plain, user, chosen, inner);
            return inner;
        }

        /** The primitive's output: the user memory itself, or an inner one that {@link #out} reorders back. */
        private dnnl_memory outMem(dnnl_memory user, dnnl_memory_desc plain, dnnl_primitive_desc pd, int what) {
            dnnl_memory_desc chosen = dnnl_primitive_desc_query_md(pd, what, 0);
            return dnnl_memory_desc_equal(plain, chosen) != 0 ? user : mem(chosen, null);
        }

        private void out(dnnl_memory inner, dnnl_primitive_desc pd, int what, dnnl_memory user, dnnl_memory_desc plain) {
            if (inner != user) reorder(dnnl_primitive_desc_query_md(pd, what, 0), inner, plain, user);
        }

        private void reorder(dnnl_memory_desc from, dnnl_memory fromMem, dnnl_memory_desc to, dnnl_memory toMem) {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            ok(dnnl_reorder_primitive_desc_create(pd, from, ENGINE, to, ENGINE, null));
            add(pd, DNNL_ARG_FROM, fromMem, DNNL_ARG_TO, toMem);
        }

        private void add(dnnl_primitive_desc pd, Object... pairs) {
            dnnl_primitive prim = new dnnl_primitive();
            ok(dnnl_primitive_create(prim, pd));
            dnnl_exec_arg_t args = new dnnl_exec_arg_t(pairs.length / 2);
            owned.add(args);
            for (int i = 0; i < pairs.length / 2; i++) args.position(i).arg((Integer) pairs[2 * i]).memory((dnnl_memory) pairs[2 * i + 1]);
            execs.add(new Exec(prim, args.position(0), pairs.length / 2));
        }

        /** Frees the buffers; the few descriptors and primitives of a bench run are left to process exit. */
        @Override
        public void close() {
            for (org.bytedeco.javacpp.Pointer p : owned) p.close();
        }

        private static void ok(int status) {
            if (status != dnnl_success) throw new IllegalStateException("oneDNN call failed with status " + status);
        }
    }
}
