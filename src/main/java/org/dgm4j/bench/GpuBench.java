package org.dgm4j.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.backend.Conv2dParams;
import org.dgm4j.optim.Adam;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.vae.Likelihood;
import org.dgm4j.vae.Vae;

/**
 * The GPU-vs-CPU benchmark of scripts/gpu-check.sh: each workload through dgm4j on the CUDA backend
 * and on the CPU backend (fewer repetitions), next to PyTorch on the same GPU, which
 * scripts/gpu_bench_torch.py measures on the same shapes (it reads {@link #spec} and writes
 * {@code id<TAB>ms} lines that {@link #readReference} reads back).
 *
 * <p>Timing, the same on both sides: a warm-up (at least 2 calls and {@code warmupSeconds}, each call
 * followed by a device synchronize), then {@code reps} repetitions of k calls followed by one
 * synchronize, k chosen so that a repetition lasts at least {@code repSeconds}; the median over
 * repetitions of the time per call is reported. Inputs are random normal (binary images for the
 * VAE), float32, made on the backend once per workload.
 *
 * <p>Adding a workload: a line in {@link #workloads} with a kind, and for a new kind an entry in
 * {@link #KINDS} (the dgm4j side) and a function of the same name in gpu_bench_torch.py. A Glow
 * training step goes in as kind {@code glow_step} once the flow package has Glow.
 */
public final class GpuBench {
    /**
     * One benchmark: {@code id} is the key shared with the PyTorch script, {@code kind} names the
     * code that runs it on both sides, {@code params} its integer sizes, {@code flops} the
     * floating-point operations of one call (0 where not counted).
     */
    public record Workload(String id, String kind, String title, LinkedHashMap<String, Long> params, String shape, double flops) {
        long p(String key) {
            Long v = params.get(key);
            if (v == null) throw new IllegalArgumentException(id + ": no parameter " + key);
            return v;
        }

        /** {@code id<TAB>kind<TAB>k=v k=v ...}: one line of the spec the PyTorch script reads. */
        public String specLine() {
            StringBuilder b = new StringBuilder(id).append('\t').append(kind).append('\t');
            params.forEach((k, v) -> b.append(k).append('=').append(v).append(' '));
            return b.toString().strip();
        }
    }

    /** Milliseconds per call: the median over repetitions, the fastest and slowest repetition. */
    public record Timing(double medianMs, double minMs, double maxMs, int reps, int callsPerRep) {}

    /** One table row; {@code cpu} or {@code torchMs} null when not measured. */
    public record Row(Workload workload, Timing cuda, Timing cpu, Double torchMs) {}

    /** A workload made ready on one backend: {@link #run} is one call, {@link #close} frees it. */
    interface Case extends AutoCloseable {
        void run();

        @Override
        void close();
    }

    /** kind → how dgm4j runs it on a backend. */
    static final Map<String, BiFunction<Workload, Backend, Case>> KINDS = Map.of(
            "sgemm", GpuBench::sgemm,
            "bmm", GpuBench::sgemm,
            "conv2d_fwd", (w, b) -> conv(w, b, false),
            "conv2d_fwdbwd", (w, b) -> conv(w, b, true),
            "vae_step", GpuBench::vaeStep);

    /**
     * The workloads, in table order. {@code smoke}: the same ids with tiny shapes, for the dry run on
     * the CUDA emulator (which runs kernels on host threads), where only the plumbing is checked.
     */
    public static List<Workload> workloads(boolean smoke) {
        List<Workload> w = new ArrayList<>();
        w.add(gemm("sgemm_1024", smoke ? 48 : 1024, smoke ? 40 : 1024, smoke ? 56 : 1024));
        w.add(gemm("sgemm_4096", smoke ? 96 : 4096, smoke ? 96 : 4096, smoke ? 96 : 4096));
        w.add(bmm("bmm_32x512", smoke ? 2 : 32, smoke ? 32 : 512, smoke ? 40 : 512, smoke ? 24 : 512));
        // the peers' 3x3 convolution (shared/peers): a mid-size ResNet/Glow-style layer
        convPair(w, "conv3x3_c128", "conv2d 3x3", smoke ? 2 : 32, smoke ? 8 : 128, smoke ? 8 : 128, smoke ? 8 : 16, 3, 1);
        // Glow's first level at 32 px (3 channels, squeezed to 12 at 16x16; a coupling transforms 6 of
        // them with a 512-wide net: 3x3 in, 1x1 hidden, 3x3 out to shift and scale = 12), batch 64
        int n = smoke ? 2 : 64, hid = smoke ? 16 : 512, s32 = smoke ? 8 : 16, s28 = smoke ? 7 : 14;
        convPair(w, "glow32_in", "Glow-32 L1 coupling 3x3 in", n, 6, hid, s32, 3, 1);
        convPair(w, "glow32_hidden", "Glow-32 L1 coupling 1x1", n, hid, hid, s32, 1, 0);
        convPair(w, "glow32_out", "Glow-32 L1 coupling 3x3 out", n, hid, 12, s32, 3, 1);
        // the same at 28 px (Fashion-MNIST: 1 channel, squeezed to 4 at 14x14, couplings on 2)
        convPair(w, "glow28_in", "Glow-28 L1 coupling 3x3 in", n, 2, hid, s28, 3, 1);
        convPair(w, "glow28_out", "Glow-28 L1 coupling 3x3 out", n, hid, 4, s28, 3, 1);
        w.add(vae("vae_step", smoke ? 8 : 128, 784, smoke ? 32 : 512, smoke ? 4 : 32));
        return w;
    }

    private static LinkedHashMap<String, Long> params(Object... kv) {
        LinkedHashMap<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], ((Number) kv[i + 1]).longValue());
        return m;
    }

    private static Workload gemm(String id, long m, long n, long k) {
        return new Workload(id, "sgemm", "sgemm", params("m", m, "n", n, "k", k), "M=" + m + " N=" + n + " K=" + k, 2.0 * m * n * k);
    }

    private static Workload bmm(String id, long b, long m, long n, long k) {
        return new Workload(id, "bmm", "sgemm batched", params("b", b, "m", m, "n", n, "k", k),
                "B=" + b + " M=" + m + " N=" + n + " K=" + k, 2.0 * b * m * n * k);
    }

    /** Forward and forward+backward rows of one stride-1 convolution with an r x r kernel, padding pad, no bias. */
    private static void convPair(List<Workload> out, String id, String title, long n, long c, long k, long hw, long r, long pad) {
        LinkedHashMap<String, Long> p = params("n", n, "c", c, "k", k, "h", hw, "w", hw, "r", r, "pad", pad);
        long outHw = hw + 2 * pad - r + 1;
        double flops = 2.0 * n * k * outHw * outHw * c * r * r;
        String shape = "N=" + n + " C=" + c + "->" + k + " " + hw + "x" + hw + " k" + r + " p" + pad;
        out.add(new Workload(id + "_fwd", "conv2d_fwd", title + " fwd", p, shape, flops));
        out.add(new Workload(id + "_fwdbwd", "conv2d_fwdbwd", title + " fwd+bwd", new LinkedHashMap<>(p), shape, 3 * flops));
    }

    /** The MLP VAE of {@link Vae} (d-h-h-z encoder, z-h-h-d decoder), Adam; FLOPs of its matmuls (forward, 2 backward). */
    private static Workload vae(String id, long batch, long d, long h, long z) {
        double fwd = 2.0 * batch * (d * h + h * h + h * 2 * z + z * h + h * h + h * d);
        return new Workload(id, "vae_step", "MLP VAE training step (Adam)", params("batch", batch, "d", d, "hidden", h, "latent", z),
                "B=" + batch + " " + d + "-" + h + "-" + h + "-" + z, 3 * fwd);
    }

    // ---- running

    /** The timed repetitions of one workload on one backend stop adding up past this (but at least 3 are taken). */
    static final double MAX_TIMED_SECONDS = 10;

    private final double warmupSeconds, repSeconds;
    private final int gpuReps, cpuReps;
    private final PrintWriter log;

    public GpuBench(double warmupSeconds, double repSeconds, int gpuReps, int cpuReps, PrintWriter log) {
        this.warmupSeconds = warmupSeconds;
        this.repSeconds = repSeconds;
        this.gpuReps = gpuReps;
        this.cpuReps = cpuReps;
        this.log = log;
    }

    /** Each workload on {@code cuda}, then on {@code cpu} unless it is null; {@code torch} holds PyTorch's ms by id. */
    public List<Row> run(List<Workload> workloads, Backend cuda, Backend cpu, Map<String, Double> torch) {
        List<Row> rows = new ArrayList<>();
        for (Workload w : workloads) {
            log.printf(Locale.ROOT, "%s (%s, %s)%n", w.id(), w.title(), w.shape());
            log.flush();
            Timing g = measure(w, cuda, gpuReps);
            Timing c = cpu == null || cpuReps == 0 ? null : measure(w, cpu, cpuReps);
            rows.add(new Row(w, g, c, torch.get(w.id())));
        }
        return rows;
    }

    Timing measure(Workload w, Backend backend, int reps) {
        Backend previous = Backends.current();
        Backends.use(backend); // modules made by a workload put their parameters here
        try (Case c = KINDS.get(w.kind()).apply(w, backend)) {
            Timing t = time(backend, c::run, reps);
            log.printf(Locale.ROOT, "  %-7s median %.4f ms (min %.4f, max %.4f; %d reps x %d calls)%n", backend.name(), t.medianMs(),
                    t.minMs(), t.maxMs(), t.reps(), t.callsPerRep());
            log.flush();
            return t;
        } finally {
            Backends.use(previous);
        }
    }

    Timing time(Backend backend, Runnable op, int reps) {
        long t0 = System.nanoTime();
        int done = 0;
        while (done < 2 || System.nanoTime() - t0 < warmupSeconds * 1e9) {
            op.run();
            backend.synchronize();
            done++;
        }
        double perCall = (System.nanoTime() - t0) / 1e9 / done;
        int k = (int) Math.max(1, Math.min(1_000_000, Math.ceil(repSeconds / perCall)));
        // a slow workload gets fewer repetitions (at least 3), so that one row cannot eat the run's time
        reps = (int) Math.min(reps, Math.max(Math.min(3, reps), Math.floor(MAX_TIMED_SECONDS / (k * perCall))));
        double[] ms = new double[reps];
        for (int r = 0; r < reps; r++) {
            long s = System.nanoTime();
            for (int i = 0; i < k; i++) op.run();
            backend.synchronize();
            ms[r] = (System.nanoTime() - s) / 1e6 / k;
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        return new Timing(median(sorted), sorted[0], sorted[reps - 1], reps, k);
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    // ---- the workloads on dgm4j

    private static Case sgemm(Workload w, Backend b) {
        Generator g = new Generator(1);
        boolean batched = w.kind().equals("bmm");
        Shape sa = batched ? Shape.of(w.p("b"), w.p("m"), w.p("k")) : Shape.of(w.p("m"), w.p("k"));
        Shape sb = batched ? Shape.of(w.p("b"), w.p("k"), w.p("n")) : Shape.of(w.p("k"), w.p("n"));
        Tensor a = g.normal(b, DType.F32, sa), bt = g.normal(b, DType.F32, sb);
        return new Case() {
            @Override
            public void run() {
                try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
                    a.matmul(bt);
                }
            }

            @Override
            public void close() {
                a.close();
                bt.close();
            }
        };
    }

    /** Forward without a graph, or forward + backward with an all-ones upstream gradient (dX and dW, as the peers). */
    private static Case conv(Workload w, Backend b, boolean backward) {
        Generator g = new Generator(2);
        long n = w.p("n"), c = w.p("c"), k = w.p("k"), h = w.p("h"), wd = w.p("w"), r = w.p("r");
        int pad = Math.toIntExact(w.p("pad"));
        Conv2dParams p = Conv2dParams.of(1, pad, 1);
        Tensor x = g.normal(b, DType.F32, Shape.of(n, c, h, wd)), wt = g.normal(b, DType.F32, Shape.of(k, c, r, r));
        Tensor ones = backward ? Tensor.full(b, DType.F32, Shape.of(n, k, p.outH(h, r), p.outW(wd, r)), 1) : null;
        if (backward) {
            x.requiresGrad(true);
            wt.requiresGrad(true);
        }
        return new Case() {
            @Override
            public void run() {
                if (!backward) {
                    try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
                        Ops.conv2d(x, wt, null, p);
                    }
                    return;
                }
                try (Scope s = Scope.open()) {
                    Autograd.backward(Ops.conv2d(x, wt, null, p), ones);
                }
                clearGrad(x);
                clearGrad(wt);
            }

            @Override
            public void close() {
                clearGrad(x);
                clearGrad(wt);
                x.close();
                wt.close();
                if (ones != null) ones.close();
            }
        };
    }

    private static void clearGrad(Tensor t) {
        t.setGrad(null); // closes the old gradient
    }

    /** One Adam step on −ELBO of a fixed binary batch, fresh reparameterization noise each call (no NaN guards, as a bare PyTorch loop). */
    private static Case vaeStep(Workload w, Backend b) {
        long batch = w.p("batch"), d = w.p("d");
        if (d != 784) throw new IllegalArgumentException(w.id() + ": the VAE workload is for 28x28 images (d=784), found d=" + d);
        Generator g = new Generator(3);
        Vae vae = new Vae(1, 28, 28, w.p("hidden"), w.p("latent"), Vae.Architecture.MLP, Likelihood.bernoulli(), DType.F32, g);
        Adam opt = new Adam(vae.parameters(), 1e-3);
        Tensor xx;
        try (Scope s = Scope.open()) { // the batch outlives the scope, the uniform draw does not
            xx = s.keep(g.bernoulli(g.uniform(b, DType.F32, Shape.of(batch, 1, 28, 28))));
        }
        return new Case() {
            @Override
            public void run() {
                try (Scope s = Scope.open()) {
                    opt.zeroGrad();
                    vae.elbo(xx, g).loss().backward();
                    opt.step();
                }
            }

            @Override
            public void close() {
                try (Scope s = Scope.open(); var ng = Autograd.noGrad()) { // the model still computes a finite loss
                    double loss = vae.elbo(xx, g).loss().item();
                    if (!Double.isFinite(loss)) throw new IllegalStateException(w.id() + " on " + b.name() + ": the loss became " + loss);
                }
                opt.close();
                vae.close();
                xx.close();
            }
        };
    }

    // ---- the PyTorch results and the table

    /**
     * Reads the PyTorch script's output: {@code id<TAB>ms} lines; lines starting with '#' are notes
     * (versions, settings), returned under the key "#" joined by newlines.
     */
    public static Map<String, Double> readReference(Path file, StringBuilder notes) throws IOException {
        Map<String, Double> ms = new LinkedHashMap<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file)) {
            lineNo++;
            if (line.isBlank()) continue;
            if (line.startsWith("#")) {
                notes.append(line.substring(1).strip()).append('\n');
                continue;
            }
            String[] f = line.split("\t");
            if (f.length < 2) throw new IOException(file + ":" + lineNo + ": expected id<TAB>ms, found '" + line + "'");
            try {
                ms.put(f[0], Double.parseDouble(f[1]));
            } catch (NumberFormatException e) {
                throw new IOException(file + ":" + lineNo + ": not a number of milliseconds: '" + f[1] + "'");
            }
        }
        return ms;
    }

    /** The markdown table: times are medians per call; ratios are time over time (ours / PyTorch > 1: slower than PyTorch). */
    public static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append("| workload | shape | dgm4j CUDA ms | dgm4j CPU ms | PyTorch CUDA ms | ours / PyTorch | CPU / CUDA | dgm4j CUDA GFLOP/s | PyTorch GFLOP/s |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            Workload w = r.workload();
            double cuda = r.cuda().medianMs();
            Double cpu = r.cpu() == null ? null : r.cpu().medianMs(), torch = r.torchMs();
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", w.title(), w.shape(), ms(cuda), ms(cpu), ms(torch),
                    torch == null ? "n/a" : ratio(cuda / torch), cpu == null ? "n/a" : ratio(cpu / cuda),
                    gflops(w.flops(), cuda), torch == null ? "n/a" : gflops(w.flops(), torch)));
        }
        return b.toString();
    }

    private static String ms(Double v) {
        if (v == null) return "n/a";
        return String.format(Locale.ROOT, v >= 100 ? "%.1f" : v >= 1 ? "%.3f" : "%.4f", v);
    }

    private static String ratio(double r) {
        return String.format(Locale.ROOT, r >= 100 ? "%.0f" : r >= 10 ? "%.1f" : "%.2f", r);
    }

    private static String gflops(double flops, double ms) {
        if (flops <= 0) return "n/a";
        double g = flops / ms / 1e6;
        return String.format(Locale.ROOT, g >= 100 ? "%.0f" : g >= 1 ? "%.1f" : "%.3f", g);
    }
}
