package org.dgm4j.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.dgm4j.optim.Adam;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.vae.Vae;

/**
 * The peers' "VAE train step" benchmark (shared/peers README, DjlBench.vae) in dgm4j: the MLP VAE
 * 784-512-512-(2×32) / 32-512-512-784, ReLU, Bernoulli logits, batch 128, one step = fresh ε, forward,
 * loss = mean over the batch of (BCE-with-logits summed over pixels + closed-form KL), backward, Adam.
 * Synthetic binarized data with mean 0.13, 8 batches used in turn (speed does not depend on the values).
 * Timing as the peers' Bench: warm-up of at least {@code warmup} seconds and 5 calls, then
 * {@code reps} repetitions of k calls with k chosen so a repetition lasts at least {@code repSeconds},
 * median / min / max per call; each repetition also records the CPU time other processes used (from
 * /proc/stat, as the peers' CpuGuard), reported but not acted upon.
 */
public final class VaeStepBench {
    public static final int BATCH = 128, HIDDEN = 512, LATENT = 32;
    /** The peers' FLOP count of the step: dense layers only, 2·B·(3·Σ in·out − 784·512) (Flops.mlpTrainStep). */
    public static final double FLOPS;

    static {
        long[][] layers = {{784, 512}, {512, 512}, {512, 64}, {32, 512}, {512, 512}, {512, 784}};
        double macs = 0;
        for (long[] l : layers) macs += 3.0 * l[0] * l[1];
        macs -= 784.0 * 512;
        FLOPS = 2.0 * BATCH * macs;
    }

    private VaeStepBench() {}

    /** Per-call milliseconds: median, min, max over the repetitions; calls per repetition; mean cores used by other processes. */
    public record Stats(double medianMs, double minMs, double maxMs, int reps, int callsPerRep, double otherCores) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "median %.3f ms (min %.3f, max %.3f; %d reps x %d calls; other processes %.2f cores)",
                    medianMs, minMs, maxMs, reps, callsPerRep, otherCores);
        }
    }

    /** The model, optimizer and data of the benchmark; {@link #step()} is one timed call. */
    public static final class Workload implements AutoCloseable {
        final Vae vae = Vae.bernoulliMlp(HIDDEN, LATENT, new Generator(42));
        final Adam adam = new Adam(vae.parameters(), 1e-3);
        final Tensor data;
        final Generator noise = new Generator(7);
        int step;
        double lastLoss;

        public Workload() {
            data = Scope.unscoped(() -> {
                try (Scope s = Scope.open()) {
                    Tensor u = new Generator(3).uniform(DType.F32, BATCH * 8, 1, 28, 28);
                    Tensor x = org.dgm4j.autograd.Ops.binary(org.dgm4j.backend.BinaryOp.LT, u, org.dgm4j.autograd.Ops.scalarLike(u, 0.13));
                    return s.keep(x);
                }
            });
        }

        /** One training step on the next batch. */
        public void step() {
            try (Scope s = Scope.open()) {
                int off = (step++ % 8) * BATCH;
                Tensor x = data.narrowBatch(off, off + BATCH);
                Tensor eps = noise.normal(x.backend(), DType.F32, Shape.of(BATCH, LATENT));
                Tensor loss = vae.elbo(x, eps).loss();
                adam.zeroGrad();
                loss.backward();
                adam.step();
                if ((step & 63) == 0) lastLoss = loss.item();
            }
        }

        public double lastLoss() {
            return lastLoss;
        }

        @Override
        public void close() {
            adam.close();
            vae.close();
            data.close();
        }
    }

    /** The peers' timing method (see the class comment). */
    public static Stats measure(Runnable op, double warmupSeconds, int warmupCalls, double repSeconds, int reps) {
        long t0 = System.nanoTime();
        int n = 0;
        do {
            op.run();
            n++;
        } while (n < warmupCalls || System.nanoTime() - t0 < warmupSeconds * 1e9);
        int probe = Math.max(1, Math.min(n, 3));
        long p0 = System.nanoTime();
        for (int i = 0; i < probe; i++) op.run();
        double perCall = (System.nanoTime() - p0) / (double) probe;
        int k = (int) Math.max(1, Math.ceil(repSeconds * 1e9 / perCall));
        double[] ms = new double[reps];
        double other = 0;
        for (int r = 0; r < reps; r++) {
            long[] a = cpuSnapshot();
            long s = System.nanoTime();
            for (int i = 0; i < k; i++) op.run();
            long e = System.nanoTime();
            ms[r] = (e - s) / 1e6 / k;
            long[] b = cpuSnapshot();
            if (a != null && b != null) other += Math.max(0, (b[0] - a[0]) - (b[1] - a[1])) / ((e - s) / 1e7);
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = reps % 2 == 1 ? sorted[reps / 2] : 0.5 * (sorted[reps / 2 - 1] + sorted[reps / 2]);
        return new Stats(median, sorted[0], sorted[reps - 1], reps, k, other / reps);
    }

    /** {machine busy jiffies (user+nice+system+irq+softirq+steal), this process's jiffies}, or null off Linux. */
    static long[] cpuSnapshot() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6]) + Long.parseLong(f[7])
                    + (f.length > 8 ? Long.parseLong(f[8]) : 0);
            String st = Files.readString(Path.of("/proc/self/stat"));
            String[] g = st.substring(st.lastIndexOf(')') + 2).trim().split("\\s+");
            return new long[] {busy, Long.parseLong(g[11]) + Long.parseLong(g[12])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Times the step and prints the peers' row; with {@code profileSteps} > 0 then profiles that many steps per op. */
    public static Stats run(double warmupSeconds, double repSeconds, int reps, int profileSteps, PrintWriter out) {
        try (Workload w = new Workload()) {
            Stats st = measure(w::step, warmupSeconds, 5, repSeconds, reps);
            out.printf(Locale.ROOT, "| VAE train step | MLP 784-512-512-2x32, B=128 | **%.2f ms** · %.0f GFLOP/s · %,.0f img/s | %s; loss %.1f |%n",
                    st.medianMs(), FLOPS / st.medianMs() / 1e6, BATCH * 1000 / st.medianMs(), st, w.lastLoss());
            out.flush();
            if (profileSteps > 0) {
                try (OpProfiler p = OpProfiler.install(w.vae.parameters().get(0).backend())) {
                    for (int i = 0; i < 20; i++) w.step(); // warm the proxy
                    p.reset();
                    long t0 = System.nanoTime();
                    for (int i = 0; i < profileSteps; i++) w.step();
                    double stepMs = (System.nanoTime() - t0) / 1e6 / profileSteps;
                    out.printf(Locale.ROOT, "%nProfile over %d steps (%.3f ms per step with the profiler on):%n%n%s", profileSteps, stepMs, p.table(profileSteps, stepMs));
                    out.flush();
                }
            }
            return st;
        }
    }
}
