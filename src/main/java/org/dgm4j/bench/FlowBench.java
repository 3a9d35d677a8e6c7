package org.dgm4j.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.backend.Backend;
import org.dgm4j.autograd.Ops;
import org.dgm4j.data.FashionMnist;
import org.dgm4j.data.ImageSet;
import org.dgm4j.flow.AffineCoupling;
import org.dgm4j.flow.Base;
import org.dgm4j.flow.Chain;
import org.dgm4j.flow.CouplingNet;
import org.dgm4j.flow.FlowModel;
import org.dgm4j.flow.FlowObjective;
import org.dgm4j.flow.Glow;
import org.dgm4j.flow.Mask;
import org.dgm4j.optim.Adam;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.BatchInput;

/**
 * The flow workloads of the peers' benchmarks (shared peers README, "Glow" and DjlBench's RealNVP-2D
 * step) on dgm4j, timed with the peers' method: warm-up of at least {@code warmup} seconds and 5
 * calls, then {@code reps} repetitions of k calls each lasting at least {@code seconds}; the median
 * per-call time is reported (with min and max).
 *
 * <ul>
 *   <li>{@code Glow train step}: 1×28×28, L = 2, K flow steps (ActNorm, LU 1x1 conv, affine coupling
 *       with σ(h + 2), net conv3x3 → ReLU → conv1x1 → ReLU → zero conv3x3 of width hidden), split with a
 *       learned conditional prior, standard-normal top; a new batch of 64 Fashion-MNIST training images
 *       each call (random bytes when the data set is not installed), dequantized as (x + u)/256 − ½ with
 *       fresh noise, bits/dim, backward, Adam lr 1e-3. Differences from the peer: the coupling net's
 *       output is split in halves (shift, scale) instead of interleaved even/odd channels, and the split
 *       prior's zero conv has no exp(3g) scale (Glow's Conv2dZeros scale; no effect on the FLOPs).</li>
 *   <li>{@code Glow log-likelihood (fwd only)}: the same forward pass and bits/dim, no graph.</li>
 *   <li>{@code RealNVP-2D train step}: 8 affine couplings alternating the coordinate, each with its own
 *       MLP 1-256-256-2, batch 1024 of fixed two-moons-like points, loss −mean log p(x), Adam. The peer
 *       scales by exp(tanh(s)), dgm4j by σ(s + 2) (its fused coupling kernel).</li>
 * </ul>
 */
public final class FlowBench {
    private final double warmupSeconds, repSeconds;
    private final int reps;
    private final PrintWriter log;
    private int profileSteps;

    public record Row(String bench, String shape, long parameters, int items, double medianMs, double minMs, double maxMs, String note) {}

    public FlowBench(double warmupSeconds, double repSeconds, int reps, PrintWriter log) {
        this.warmupSeconds = warmupSeconds;
        this.repSeconds = repSeconds;
        this.reps = reps;
        this.log = log;
    }

    /** After timing each workload, profile {@code steps} more calls per op (0: none) and print the table. */
    public FlowBench profile(int steps) {
        this.profileSteps = steps;
        return this;
    }

    /** Glow rows for each "K x hidden" size (e.g. "8x128"), then the RealNVP-2D row; which = all, glow or realnvp2d. */
    public List<Row> run(String which, List<String> glowSizes) {
        List<Row> rows = new ArrayList<>();
        if (!which.equals("realnvp2d")) {
            for (String size : glowSizes) {
                String[] kh = size.split("x");
                rows.addAll(glow(Integer.parseInt(kh[0]), Integer.parseInt(kh[1]), 64));
            }
        }
        if (!which.equals("glow")) rows.add(realNvp2d(8, 256, 1024));
        return rows;
    }

    private static ImageSet images() {
        FashionMnist f = new FashionMnist();
        if (f.isAvailable()) return f.train();
        int n = 6400;
        byte[] px = new byte[n * 784];
        new Random(1).nextBytes(px);
        return new ImageSet(px, new int[n], n, 1, 28, 28, 10);
    }

    /** A new shuffled batch of 64 image indices each call (a fresh permutation after every pass, Random(1)). */
    private static final class Order {
        private final int count, batch;
        private final Random rnd = new Random(1);
        private int[] perm;
        private int pos;

        Order(int count, int batch) {
            this.count = count;
            this.batch = batch;
        }

        int[] next() {
            if (perm == null || pos + batch > count) {
                perm = new int[count];
                for (int i = 0; i < count; i++) perm[i] = i;
                for (int i = count - 1; i > 0; i--) {
                    int j = rnd.nextInt(i + 1), t = perm[i];
                    perm[i] = perm[j];
                    perm[j] = t;
                }
                pos = 0;
            }
            int[] b = Arrays.copyOfRange(perm, pos, pos + batch);
            pos += batch;
            return b;
        }
    }

    private List<Row> glow(int steps, int hidden, int batch) {
        String shape = String.format(Locale.ROOT, "1x28x28, L=2, K=%d, hidden=%d, B=%d", steps, hidden, batch);
        ImageSet data = images();
        Order order = new Order(data.count(), batch);
        Generator noise = new Generator(7);
        List<Row> rows = new ArrayList<>();
        try (Glow glow = new Glow(Shape.of(1, 28, 28), 2, steps, hidden, false, true, DType.F32, new Generator(42));
             Adam adam = new Adam(glow.parameters(), 1e-3)) {
            FlowObjective obj = new FlowObjective(glow, 28, 28, 8, 0.5, 1.0);
            BatchInput input = obj.input();
            obj.initialize(data, batch, noise);
            double[] loss = new double[1];
            Runnable step = () -> {
                try (Scope s = Scope.open()) {
                    Tensor l = obj.terms(input.load(data, order.next(), noise), noise).get("loss");
                    adam.zeroGrad();
                    l.backward();
                    adam.step();
                    loss[0] = l.item();
                }
            };
            step.run();
            String first = String.format(Locale.ROOT, "bits/dim after step 1: %.3f", loss[0]);
            Backend be = glow.parameters().get(0).backend();
            rows.add(measure("Glow train step (forward + backward + Adam)", shape, glow.parameterCount(), batch, be, step, first));
            rows.add(measure("Glow log-likelihood (fwd only)", shape, glow.parameterCount(), batch, be, () -> {
                try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
                    loss[0] = obj.terms(input.load(data, order.next(), noise), noise).get("loss").item();
                }
            }, String.format(Locale.ROOT, "bits/dim %.3f", loss[0])));
        }
        return rows;
    }

    private Row realNvp2d(int couplings, int hidden, int batch) {
        Generator gen = new Generator(42);
        Chain chain = new Chain();
        CouplingNet net = CouplingNet.mlp(hidden, 2, DType.F32, gen);
        for (int i = 0; i < couplings; i++) chain.add(new AffineCoupling(2, Mask.CHANNEL, i % 2 == 1, net));
        Random r = new Random(3);
        float[] pts = new float[batch * 2];
        for (int i = 0; i < batch; i++) { // a noisy half circle, as the peer's data
            double u = r.nextDouble() * Math.PI;
            pts[2 * i] = (float) (Math.cos(u) + 0.1 * r.nextGaussian());
            pts[2 * i + 1] = (float) (Math.sin(u) + 0.1 * r.nextGaussian());
        }
        try (FlowModel m = new FlowModel("realnvp2d", Shape.of(2), Base.GAUSSIAN, DType.F32, chain, java.util.Map.of());
             Tensor x = Tensor.of(pts, batch, 2);
             Adam adam = new Adam(m.parameters(), 1e-3)) {
            double[] loss = new double[1];
            Runnable step = () -> {
                try (Scope s = Scope.open()) {
                    Tensor l = Ops.neg(Ops.mean(m.logProb(x), false));
                    adam.zeroGrad();
                    l.backward();
                    adam.step();
                    loss[0] = l.item();
                }
            };
            Row row = measure("RealNVP-2D train step", "8 couplings, MLP 1-256-256-2, B=1024", m.parameterCount(), batch, x.backend(), step, "");
            return new Row(row.bench(), row.shape(), row.parameters(), row.items(), row.medianMs(), row.minMs(), row.maxMs(),
                    String.format(Locale.ROOT, "loss %.4f", loss[0]));
        }
    }

    private Row measure(String bench, String shape, long params, int items, Backend backend, Runnable op, String note) {
        long t0 = System.nanoTime();
        int done = 0;
        while (done < 5 || System.nanoTime() - t0 < warmupSeconds * 1e9) {
            op.run();
            done++;
        }
        double perCall = (System.nanoTime() - t0) / 1e9 / done;
        int k = (int) Math.max(1, Math.ceil(repSeconds / perCall));
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long s = System.nanoTime();
            for (int j = 0; j < k; j++) op.run();
            ms[i] = (System.nanoTime() - s) / 1e6 / k;
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = reps % 2 == 1 ? sorted[reps / 2] : (sorted[reps / 2 - 1] + sorted[reps / 2]) / 2;
        Row row = new Row(bench, shape, params, items, median, sorted[0], sorted[reps - 1], note);
        log.printf(Locale.ROOT, "%-45s %-40s median %.2f ms (min %.2f, max %.2f; %d reps x %d calls) %.0f items/s  %s%n",
                bench, shape, median, sorted[0], sorted[reps - 1], reps, k, items / (median / 1e3), note);
        log.flush();
        if (profileSteps > 0) {
            try (OpProfiler p = OpProfiler.install(backend)) {
                for (int i = 0; i < 3; i++) op.run(); // warm the proxy
                p.reset();
                long start = System.nanoTime();
                for (int i = 0; i < profileSteps; i++) op.run();
                double stepMs = (System.nanoTime() - start) / 1e6 / profileSteps;
                log.printf(Locale.ROOT, "%nProfile of %s over %d calls (%.3f ms per call with the profiler on):%n%n%s%n", bench, profileSteps, stepMs,
                        p.table(profileSteps, stepMs));
                log.flush();
            }
        }
        return row;
    }

    /** A markdown table of the rows. */
    public static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder("| benchmark | shape | parameters | dgm4j median ms (min-max) | items/s | note |\n|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %,d | **%.1f** (%.1f-%.1f) | %.0f | %s |%n", r.bench(), r.shape(), r.parameters(),
                    r.medianMs(), r.minMs(), r.maxMs(), r.items() / (r.medianMs() / 1e3), r.note()));
        }
        return b.toString();
    }
}
