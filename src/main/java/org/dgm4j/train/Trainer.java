package org.dgm4j.train;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.NonFiniteTrace;
import org.dgm4j.backend.Backends;
import org.dgm4j.data.Batches;
import org.dgm4j.data.DataFileException;
import org.dgm4j.dist.Communicator;
import org.dgm4j.dist.LocalCommunicator;
import org.dgm4j.io.ImageGrid;
import org.dgm4j.io.Safetensors;
import org.dgm4j.optim.LrSchedule;
import org.dgm4j.optim.Optimizer;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * The training loop every model family runs through: epochs of seeded mini-batches, one {@link Scope}
 * per step, a metrics row every few steps, at each epoch's end the test-set terms, samples and the
 * loss curve, and checkpoints (periodic, at epoch ends, and when a signal asks) from which a run
 * resumes bit for bit. Finally the model's state dict.
 *
 * <p>Files in the run directory: {@code metrics.csv} / {@code metrics.jsonl} (split, epoch, step, the
 * terms, images/s, seconds since start), {@code samples-epoch-<e>.png}, {@code loss.png},
 * {@code checkpoints/step-*}, {@code model.safetensors}. Randomness comes from independent
 * {@link Generator} streams derived from the seed, one per role, whose offsets checkpoints store.
 */
public final class Trainer {
    /** Stream of the model's initialization (the caller builds the model, see {@link #stream}). */
    public static final long INIT = 0;
    /** Stream ids of the loop's own generators. */
    private static final long DATA = 1, NOISE = 2, TEST_DATA = 3, TEST_NOISE = 4, SAMPLES = 5;
    private static final int EVAL_BATCH = 500, GRID_ROW = 8, GRID_PADDING = 2;
    public static final String MODEL_FILE = "model.safetensors", LOSS_PLOT = "loss.png";

    private final TrainConfig config;
    private final Path runDir;
    private final PrintWriter out;
    private final boolean terminal;
    private final Signals signals;
    private final Map<String, Object> settings;
    private final Communicator comm;
    private int globalExamples; // the current step's combined batch over all processes

    /**
     * The last epoch's test terms (per-example means), the work done, the files written, and the
     * signal that stopped the run early after its checkpoint (null when it ran to the end).
     */
    public record Result(LinkedHashMap<String, Double> test, long steps, double seconds, Path model, Path samples, Path checkpoint, String stoppedBy) {
        public boolean stopped() {
            return stoppedBy != null;
        }
    }

    /**
     * {@code terminal}: draw a progress bar (true) or print periodic lines (false, for logs).
     * {@code settings}: the resolved configuration, stored in every checkpoint.
     */
    public Trainer(TrainConfig config, Path runDir, PrintWriter out, boolean terminal, Signals signals, Map<String, Object> settings) {
        this(config, runDir, out, terminal, signals, settings, new LocalCommunicator());
    }

    /**
     * Data-parallel: each of {@code comm}'s processes trains on its slice of every batch (train.batch_size
     * is the combined batch), gradients are summed across processes, weighted by slice size, before each
     * optimizer step, and only rank 0 writes files and prints. Random draws are sliced so that the
     * numbers each example gets do not depend on the number of processes ({@link Generator#sliced}).
     */
    public Trainer(TrainConfig config, Path runDir, PrintWriter out, boolean terminal, Signals signals, Map<String, Object> settings, Communicator comm) {
        this.config = config;
        this.runDir = runDir;
        this.terminal = terminal;
        this.signals = signals;
        this.settings = settings;
        this.comm = comm;
        this.out = comm.isRoot() ? out : new PrintWriter(Writer.nullWriter());
        if (config.batchSize() < comm.size()) {
            throw new IllegalArgumentException("train.batch_size " + config.batchSize() + " is smaller than the " + comm.size() + " processes; each needs examples");
        }
    }

    /** A generator for one role, keyed by a SplitMix64 mix of (seed, role) so runs with nearby seeds share no stream. */
    public static Generator stream(long seed, long role) {
        long z = seed + 0x9E3779B97F4A7C15L * (role + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new Generator(z ^ (z >>> 31));
    }

    /** Trains from the start, or from {@code resume} (a checkpoint of this run; its tensors are not closed here). */
    public Result fit(Trainable model, Examples train, Examples test, Checkpoints.Loaded resume) throws IOException {
        // with several processes a last batch smaller than their number is dropped (a process needs examples)
        boolean dropLast = comm.size() > 1 && train.count() % config.batchSize() != 0 && train.count() % config.batchSize() < comm.size();
        Batches batches = new Batches(train.count(), config.batchSize(), config.seed(), true, dropLast);
        long total = (long) batches.batchesPerEpoch() * config.epochs();
        // the schedule scales each optimizer's initial rate (a checkpoint restores the scaled one)
        LrSchedule lrFactor = config.lrFactor(total);
        Map<Optimizer, Double> initialLr = new IdentityHashMap<>();
        model.optimizers().values().forEach(o -> initialLr.put(o, o.lr()));
        LoopState s = resume == null ? new LoopState() : restore(model, resume);
        long start = System.nanoTime() - (long) (s.elapsedSeconds * 1e9); // elapsed time counts the interrupted runs too
        StepContext ctx = new StepContext(model.module().namedParameters(), this::reduceGradients, config.clipNorm());
        boolean root = comm.isRoot();
        if (comm.size() > 1) comm.broadcast(new ArrayList<>(model.module().stateDict().values()), 0); // one starting point
        Progress progress = new Progress(out, terminal, config.printEverySeconds(), total);
        Path grid = null, lastCheckpoint = resume == null ? null : resume.dir();
        double checkpointClock = System.nanoTime(), recentImages = 0, recentSeconds = 0;
        // ETA from this process's own pace: an interrupted run's earlier steps may have run on another machine
        long firstStep = s.step;
        double firstSeconds = s.trainSeconds;
        Path aside = root && resume != null ? Checkpoints.setAsideAfter(runDir, s.step) : null;
        if (aside != null) progress.line("checkpoints after step " + s.step + " set aside in " + runDir.relativize(aside) + " (with the metrics logs as they were)");
        MetricsLog log = root ? new MetricsLog(runDir, resume == null ? -1 : s.step) : null;
        try {
            if (resume == null && config.nonFiniteRollbacks() > 0 && root) lastCheckpoint = checkpoint(model, s, start); // the rollback anchor
            while (s.position.epoch() < config.epochs()) {
                Generator data = new Generator(stream(config.seed(), DATA).seed(), s.dataOffset);
                Generator noise = new Generator(stream(config.seed(), NOISE).seed(), s.noiseOffset);
                try {
                    for (Batches.Batch b : batches.from(s.position)) {
                        long t0 = System.nanoTime();
                        int epoch = b.epoch(), global = b.indices().length;
                        int from = (int) ((long) comm.rank() * global / comm.size()), to = (int) ((long) (comm.rank() + 1) * global / comm.size());
                        int n = to - from;
                        long step = s.step + 1;
                        LinkedHashMap<String, Double> values = null;
                        if (!s.skipped.contains(step)) {
                            ctx.at(step, epoch, n);
                            globalExamples = global;
                            data.sliced(from, n, global);
                            noise.sliced(from, n, global);
                            try {
                                if (config.scheduled()) initialLr.forEach((o, lr) -> o.setLr(lr * lrFactor.lr(step - 1)));
                                values = trainStep(model, train, Arrays.copyOfRange(b.indices(), from, to), data, noise, ctx, step == 1);
                                if (config.scheduled()) values.put("lr", model.optimizers().values().iterator().next().lr());
                                if (config.clipNorm() > 0) values.put("grad_norm", ctx.gradNorm()); // before clipping: shows how often the clip acts
                            } finally {
                                data.unsliced();
                                noise.unsliced();
                            }
                            if (step == 1 && comm.size() > 1) comm.broadcast(new ArrayList<>(model.module().stateDict().values()), 0);
                        }
                        double dt = (System.nanoTime() - t0) / 1e9;
                        s.step = step;
                        s.position = b.next();
                        s.dataOffset = data.offset();
                        s.noiseOffset = noise.offset();
                        s.trainSeconds += dt;
                        if (values != null) {
                            values = acrossProcesses(values, n);
                            window(s, values, global, dt);
                        }
                        boolean epochEnd = b.next().epoch() != epoch;
                        if (values != null) {
                            // images/s with exponential decay: the display follows recent steps
                            recentImages = 0.9 * recentImages + global;
                            recentSeconds = 0.9 * recentSeconds + dt;
                            progress.step(step, epoch, config.epochs(), values.get("loss"), recentImages / recentSeconds,
                                    (s.trainSeconds - firstSeconds) / (step - firstStep) * (total - step));
                        }
                        // the first step is logged too: it records the loss before any learning
                        if ((step == 1 || step % config.logEverySteps() == 0 || epochEnd) && s.windowImages > 0) {
                            if (root) log.append(row("train", epoch, step, means(s), s.windowImages / s.windowSeconds, s, start));
                            s.windowSums.clear();
                            s.windowImages = 0;
                            s.windowSeconds = 0;
                        }
                        if (epochEnd && root) {
                            s.lastTest = evaluate(model, test);
                            log.append(row("test", epoch, step, s.lastTest, null, s, start));
                            grid = writeSamples(model, epoch);
                            LossPlot.write(runDir.resolve(LOSS_PLOT), MetricsLog.read(runDir));
                            progress.line(String.format(Locale.ROOT, "epoch %d/%d  test %s  (%s)", epoch + 1, config.epochs(), describe(s.lastTest), runDir.relativize(grid)));
                        }
                        boolean timeDue = config.checkpointEveryMinutes() > 0 && (System.nanoTime() - checkpointClock) / 60e9 >= config.checkpointEveryMinutes();
                        Signals.Request request = agree(signals.take(), timeDue);
                        boolean due = epochEnd || request != Signals.Request.NONE || (timeDue && comm.size() == 1)
                                || (config.checkpointEverySteps() > 0 && step % config.checkpointEverySteps() == 0);
                        if (due && root) lastCheckpoint = checkpoint(model, s, start);
                        if (due) checkpointClock = System.nanoTime();
                        if (request == Signals.Request.CHECKPOINT_AND_STOP) {
                            String by = signals.lastSignal() != null ? signals.lastSignal() : "a signal to another process";
                            progress.line("stopped by " + by + " after step " + step + "; resume with --resume auto");
                            return new Result(s.lastTest, s.step, (System.nanoTime() - start) / 1e9, null, grid, lastCheckpoint, by);
                        }
                    }
                } catch (StepContext.NonFiniteException e) {
                    if (s.rollbacks >= config.nonFiniteRollbacks() || comm.size() > 1) {
                        throw new StepContext.NonFiniteException(e.getMessage() + "; stopped, no model or checkpoint written for this step"
                                + (config.nonFiniteRollbacks() == 0 ? " (guard.rollbacks > 0 rolls back instead; a smaller train.lr may help)" : " after " + s.rollbacks + " rollback(s)"));
                    }
                    s = rollBack(model, s, e);
                    log.close();
                    log = new MetricsLog(runDir, s.step); // the replay writes the rows after the checkpoint again (one process only)
                }
            }
        } finally {
            if (log != null) log.close();
        }
        if (comm.size() > 1) progress.line(sameEverywhere(model));
        Path file = runDir.resolve(MODEL_FILE);
        if (root) Safetensors.write(file, model.module().stateDict(), model.metadata());
        return new Result(s.lastTest, s.step, (System.nanoTime() - start) / 1e9, file, grid, lastCheckpoint, null);
    }

    /**
     * The checkpoint-and-stop decision all processes take together (a signal may reach only some, and
     * at different steps): any stop request stops everyone; otherwise any checkpoint request, or rank
     * 0's clock, checkpoints everyone.
     */
    private Signals.Request agree(Signals.Request mine, boolean timeDue) {
        if (comm.size() == 1) return mine;
        try (Scope scope = Scope.open()) {
            Tensor votes = Tensor.of(Backends.cpu(), new double[] {mine == Signals.Request.CHECKPOINT_AND_STOP ? 1 : 0,
                mine == Signals.Request.CHECKPOINT_AND_CONTINUE || (timeDue && comm.isRoot()) ? 1 : 0}, Shape.of(2));
            comm.allReduceSum(List.of(votes));
            double[] v = votes.toDoubleArray();
            return v[0] > 0 ? Signals.Request.CHECKPOINT_AND_STOP : v[1] > 0 ? Signals.Request.CHECKPOINT_AND_CONTINUE : Signals.Request.NONE;
        }
    }

    /** Σ over processes of (slice size / combined batch) · gradient, in place, in the parameters' order. */
    private void reduceGradients(List<Tensor> params, int localExamples) {
        if (comm.size() == 1) return;
        List<Tensor> grads = new ArrayList<>();
        try (var ng = Autograd.noGrad(); Scope scope = Scope.open()) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g == null) continue;
                g.backend().kernels().copy(g.mul((double) localExamples / globalExamples), g);
                grads.add(g);
            }
        }
        comm.allReduceSum(grads);
    }

    /** Checks that every process ends with the same parameters, bit for bit (SHA-256 of the state dict); fails on all of them otherwise. */
    private String sameEverywhere(Trainable model) {
        String mine;
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Tensor t : model.module().stateDict().values()) md.update(t.toBytes());
            mine = HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String rootHash = new String(comm.broadcast(mine.getBytes(StandardCharsets.UTF_8), 0), StandardCharsets.UTF_8);
        try (Scope scope = Scope.open()) {
            Tensor differs = Tensor.of(Backends.cpu(), new double[] {mine.equals(rootHash) ? 0 : 1}, Shape.of(1));
            comm.allReduceSum(List.of(differs));
            long n = Math.round(differs.toDoubleArray()[0]);
            if (n > 0) throw new IllegalStateException(n + " of " + comm.size() + " processes ended with other parameters than rank 0 (rank " + comm.rank() + ": sha256 " + mine + ", rank 0: " + rootHash + ")");
        }
        return "parameters identical on all " + comm.size() + " processes (sha256 " + mine + ")";
    }

    /** One update in its own scope (the batch and every intermediate freed at its end). */
    private static LinkedHashMap<String, Double> trainStep(Trainable model, Examples train, int[] indices, Generator data, Generator noise, StepContext ctx, boolean first) {
        try (Scope scope = Scope.open()) {
            Tensor x = train.load(indices, data);
            if (first) model.initialize(x, noise);
            return model.trainStep(x, noise, ctx);
        }
    }

    /**
     * The step's values as means over all processes' examples (each process's means weighted by its
     * {@code n}; one small all-reduce), so rows and checkpointed windows are the global batch's; as
     * they are in one process.
     */
    private LinkedHashMap<String, Double> acrossProcesses(LinkedHashMap<String, Double> values, int n) {
        if (comm.size() == 1) return values;
        double[] v = new double[values.size() + 1];
        int i = 0;
        for (double x : values.values()) v[i++] = x * n;
        v[i] = n;
        try (Scope scope = Scope.open()) {
            Tensor t = Tensor.of(Backends.cpu(), v, Shape.of(v.length));
            comm.allReduceSum(List.of(t));
            double[] sum = t.toDoubleArray();
            LinkedHashMap<String, Double> global = new LinkedHashMap<>();
            i = 0;
            for (String k : values.keySet()) global.put(k, sum[i++] / sum[v.length - 1]);
            return global;
        }
    }

    private static void window(LoopState s, Map<String, Double> values, int n, double dt) {
        values.forEach((k, v) -> s.windowSums.merge(k, v * n, Double::sum));
        s.windowImages += n;
        s.windowSeconds += dt;
    }

    private static LinkedHashMap<String, Double> means(LoopState s) {
        LinkedHashMap<String, Double> m = new LinkedHashMap<>();
        s.windowSums.forEach((k, v) -> m.put(k, v / s.windowImages));
        return m;
    }

    /**
     * The model's terms averaged over the whole test set, in evaluation mode without a graph. Its
     * randomness restarts from fixed streams each time, so epochs are compared on the same noise.
     */
    public LinkedHashMap<String, Double> evaluate(Trainable model, Examples test) {
        model.module().eval();
        Generator data = stream(config.seed(), TEST_DATA), noise = stream(config.seed(), TEST_NOISE);
        LinkedHashMap<String, Double> sums = new LinkedHashMap<>();
        try {
            for (Batches.Batch b : new Batches(test.count(), EVAL_BATCH, 0, false, false).epoch(0)) {
                try (Scope scope = Scope.open(); var ng = Autograd.noGrad()) {
                    int n = b.indices().length;
                    model.evaluate(test.load(b.indices(), data), noise).forEach((k, v) -> sums.merge(k, v * n, Double::sum));
                }
            }
        } finally {
            model.module().train();
        }
        sums.replaceAll((k, v) -> v / test.count());
        return sums;
    }

    private Path writeSamples(Trainable model, int epoch) throws IOException {
        Path file = runDir.resolve("samples-epoch-" + (epoch + 1) + ".png");
        model.module().eval();
        try (Scope scope = Scope.open(); var ng = Autograd.noGrad()) {
            // the same draws every epoch, so the pictures show the model changing, not the noise
            Tensor x = model.sample(config.samples(), stream(config.seed(), SAMPLES));
            if (x.rank() == 4) ImageGrid.write(file, x, GRID_ROW, GRID_PADDING);
            else ScatterPlot.write(file, x);
        } finally {
            model.module().train();
        }
        return file;
    }

    /** Writes a checkpoint of the current state, refusing non-finite parameters; logs how long it took. */
    private Path checkpoint(Trainable model, LoopState s, long start) throws IOException {
        long t0 = System.nanoTime();
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        try (Scope scope = Scope.open()) { // frees the sums
            model.module().stateDict().forEach((k, t) -> {
                if (!NonFiniteTrace.finite(t)) {
                    throw new StepContext.NonFiniteException("not writing a checkpoint at step " + s.step + ": " + k + " holds NaN or infinite values");
                }
                tensors.put("module/" + k, t);
            });
        }
        LinkedHashMap<String, Object> optimizers = new LinkedHashMap<>();
        for (var e : model.optimizers().entrySet()) {
            Optimizer.State st = e.getValue().stateDict();
            st.tensors().forEach((k, t) -> tensors.put("optimizer/" + e.getKey() + "/" + k, t));
            optimizers.put(e.getKey(), Map.of("class", st.optimizer(), "scalars", st.scalars()));
        }
        s.elapsedSeconds = (System.nanoTime() - start) / 1e9;
        LinkedHashMap<String, Object> json = new LinkedHashMap<>(s.toJson());
        json.put("optimizers", optimizers);
        json.put("metadata", model.metadata());
        json.put("config", settings);
        Path dir = Checkpoints.write(runDir, s.step, tensors, json, config.keepCheckpoints());
        progress(String.format(Locale.ROOT, "checkpoint %s written in %.2f s", runDir.relativize(dir), (System.nanoTime() - t0) / 1e9));
        return dir;
    }

    private void progress(String line) {
        if (!terminal) { // on a terminal the bar is enough; logs get one line per checkpoint for sizing --signal leads
            out.println(line);
            out.flush();
        }
    }

    /** Restores module, optimizers and loop state from a checkpoint. */
    static LoopState restore(Trainable model, Checkpoints.Loaded c) {
        String file = c.dir().resolve(Checkpoints.STATE).toString();
        LoopState s = LoopState.fromJson(file, c.state());
        model.module().loadStateDict(c.withPrefix("module/"));
        LoopState.Reader r = new LoopState.Reader(file, c.state());
        Map<?, ?> optimizers = r.map("optimizers");
        for (var e : model.optimizers().entrySet()) {
            if (!(optimizers.get(e.getKey()) instanceof Map<?, ?> o)) throw new DataFileException(file, -1, "expected state of optimizer \"" + e.getKey() + "\", found none");
            LoopState.Reader or = new LoopState.Reader(file, castMap(o));
            e.getValue().loadStateDict(new Optimizer.State(String.valueOf(or.get("class")), c.withPrefix("optimizer/" + e.getKey() + "/"), or.doubles("scalars")));
        }
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    /** Back to the newest checkpoint, marking the step that failed so the replay skips its batch. */
    private LoopState rollBack(Trainable model, LoopState failed, StepContext.NonFiniteException e) throws IOException {
        long bad = failed.step + 1;
        try (Checkpoints.Loaded c = Checkpoints.newestValid(runDir, model.module().parameters().get(0).backend(), this::progress)) {
            if (c == null) throw new StepContext.NonFiniteException(e.getMessage() + "; no checkpoint to roll back to");
            LoopState s = restore(model, c);
            s.skipped.addAll(failed.skipped);
            s.skipped.add(bad);
            s.rollbacks = failed.rollbacks + 1;
            progress(String.format(Locale.ROOT, "%s; rolled back to step %d, step %d's batch will be skipped (rollback %d of %d)",
                    e.getMessage(), s.step, bad, s.rollbacks, config.nonFiniteRollbacks()));
            out.flush();
            return s;
        }
    }

    private LinkedHashMap<String, Object> row(String split, int epoch, long step, Map<String, Double> terms, Double imagesPerSecond, LoopState s, long start) {
        LinkedHashMap<String, Object> r = new LinkedHashMap<>();
        r.put("split", split);
        r.put("epoch", epoch + 1);
        r.put("step", step);
        r.putAll(terms);
        r.put("images_per_s", imagesPerSecond);
        r.put("elapsed_s", (System.nanoTime() - start) / 1e9);
        return r;
    }

    static String describe(Map<String, Double> terms) {
        StringBuilder b = new StringBuilder();
        terms.forEach((k, v) -> b.append(b.length() > 0 ? "  " : "").append(k).append(' ').append(String.format(Locale.ROOT, "%.3f", v)));
        return b.toString();
    }
}
