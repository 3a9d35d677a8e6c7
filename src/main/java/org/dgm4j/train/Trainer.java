package org.dgm4j.train;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.data.Batches;
import org.dgm4j.data.ImageSet;
import org.dgm4j.io.ImageGrid;
import org.dgm4j.io.Safetensors;
import org.dgm4j.optim.Adam;
import org.dgm4j.optim.Optimizer;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;

/**
 * The training loop shared by the model families: epochs of seeded mini-batches, one {@link Scope}
 * per step (every intermediate tensor freed when the step ends), Adam, a metrics row every few steps,
 * and at each epoch's end the test-set objective and a sample grid; finally the model's state dict.
 *
 * <p>Files in the run directory: {@code metrics.csv} / {@code metrics.jsonl} (split, epoch, step, the
 * objective's terms, images/s, seconds since start), {@code samples-epoch-<e>.png} (e from 1) and
 * {@code model.safetensors}. Randomness comes from independent {@link Generator} streams derived from
 * the seed, one per role, so changing e.g. the sample count never changes the training batches.
 */
public final class Trainer {
    /** Stream of the model's initialization (the caller builds the model, see {@link #stream}). */
    public static final long INIT = 0;
    /** Stream ids of the loop's own generators. */
    private static final long DATA = 1, NOISE = 2, TEST_DATA = 3, TEST_NOISE = 4, SAMPLES = 5;
    private static final int EVAL_BATCH = 500, GRID_ROW = 8, GRID_PADDING = 2;
    public static final String MODEL_FILE = "model.safetensors";

    private final TrainConfig config;
    private final Path runDir;
    private final PrintWriter out;
    private final boolean terminal;

    /** The last epoch's test terms (per-example means), the work done, and the files written. */
    public record Result(LinkedHashMap<String, Double> test, long steps, double seconds, Path model, Path samples) {}

    /** {@code terminal}: draw a progress bar (true) or print periodic lines (false, for logs). */
    public Trainer(TrainConfig config, Path runDir, PrintWriter out, boolean terminal) {
        this.config = config;
        this.runDir = runDir;
        this.out = out;
        this.terminal = terminal;
    }

    /** A generator for one role, keyed by a SplitMix64 mix of (seed, role) so runs with nearby seeds share no stream. */
    public static Generator stream(long seed, long role) {
        long z = seed + 0x9E3779B97F4A7C15L * (role + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new Generator(z ^ (z >>> 31));
    }

    public Result fit(Objective objective, ImageSet train, ImageSet test, BatchInput input) throws IOException {
        long start = System.nanoTime();
        Batches batches = new Batches(train.count(), config.batchSize(), config.seed(), true, false);
        long perEpoch = batches.batchesPerEpoch(), total = perEpoch * config.epochs();
        Generator data = stream(config.seed(), DATA), noise = stream(config.seed(), NOISE);
        Progress progress = new Progress(out, terminal, config.printEverySeconds(), total);
        Window window = new Window();
        LinkedHashMap<String, Double> testTerms = null;
        Path grid = null;
        long step = 0;
        double trainSeconds = 0;
        try (Optimizer opt = new Adam(objective.module().parameters(), config.lr()); MetricsLog log = new MetricsLog(runDir)) {
            for (int epoch = 0; epoch < config.epochs(); epoch++) {
                objective.module().train();
                long inEpoch = 0;
                for (Batches.Batch b : batches.epoch(epoch)) {
                    long t0 = System.nanoTime();
                    LinkedHashMap<String, Double> values = trainStep(objective, opt, () -> input.load(train, b.indices(), data), noise, epoch, step + 1);
                    double dt = (System.nanoTime() - t0) / 1e9;
                    step++;
                    inEpoch++;
                    trainSeconds += dt;
                    window.add(values, b.indices().length, dt);
                    progress.step(step, epoch, config.epochs(), values.get("loss"), window.recentImagesPerSecond(),
                            trainSeconds / step * (total - step));
                    // the first step is logged too: it records the loss before any learning
                    if (step == 1 || step % config.logEverySteps() == 0 || inEpoch == perEpoch) {
                        log.append(row("train", epoch, step, window.means(), window.imagesPerSecond(), start));
                        window.reset();
                    }
                }
                opt.zeroGrad(); // gradients are not needed across the evaluation
                testTerms = evaluate(objective, test, input);
                log.append(row("test", epoch, step, testTerms, null, start));
                grid = writeSamples(objective, epoch);
                progress.line(String.format(Locale.ROOT, "epoch %d/%d  test %s  (%s)", epoch + 1, config.epochs(),
                        describe(testTerms), runDir.relativize(grid)));
            }
        }
        Path model = runDir.resolve(MODEL_FILE);
        Safetensors.write(model, objective.module().stateDict(), objective.metadata());
        return new Result(testTerms, step, (System.nanoTime() - start) / 1e9, model, grid);
    }

    /** One update in its own scope (the batch and every intermediate freed at its end); returns the terms' values. */
    private static LinkedHashMap<String, Double> trainStep(Objective objective, Optimizer opt, Supplier<Tensor> batch, Generator noise, int epoch, long step) {
        try (Scope s = Scope.open()) {
            opt.zeroGrad();
            LinkedHashMap<String, Tensor> terms = objective.terms(batch.get(), noise);
            terms.get("loss").backward();
            LinkedHashMap<String, Double> values = items(terms);
            // stop before a non-finite update reaches the parameters (and the saved model)
            if (!Double.isFinite(values.get("loss"))) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "loss is %s at epoch %d step %d (terms %s); stopped, no model written; try a smaller --lr",
                        values.get("loss"), epoch + 1, step, values));
            }
            opt.step();
            return values;
        }
    }

    /**
     * The objective's terms averaged over the whole test set, in evaluation mode without a graph. Its
     * randomness (binarization, reparameterization noise) restarts from fixed streams each time, so
     * epochs are compared on the same binary images and the same noise.
     */
    LinkedHashMap<String, Double> evaluate(Objective objective, ImageSet test, BatchInput input) {
        objective.module().eval();
        Generator data = stream(config.seed(), TEST_DATA), noise = stream(config.seed(), TEST_NOISE);
        LinkedHashMap<String, Double> sums = new LinkedHashMap<>();
        for (Batches.Batch b : new Batches(test.count(), EVAL_BATCH, 0, false, false).epoch(0)) {
            try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
                int n = b.indices().length;
                items(objective.terms(input.load(test, b.indices(), data), noise)).forEach((k, v) -> sums.merge(k, v * n, Double::sum));
            }
        }
        sums.replaceAll((k, v) -> v / test.count());
        objective.module().train();
        return sums;
    }

    private Path writeSamples(Objective objective, int epoch) throws IOException {
        Path file = runDir.resolve("samples-epoch-" + (epoch + 1) + ".png");
        objective.module().eval();
        try (Scope s = Scope.open()) {
            // the same latent draws every epoch, so the grids show the model changing, not the noise
            ImageGrid.write(file, objective.sample(config.samples(), stream(config.seed(), SAMPLES)), GRID_ROW, GRID_PADDING);
        }
        objective.module().train();
        return file;
    }

    private static LinkedHashMap<String, Double> items(Map<String, Tensor> terms) {
        LinkedHashMap<String, Double> v = new LinkedHashMap<>();
        terms.forEach((k, t) -> v.put(k, t.item()));
        return v;
    }

    private LinkedHashMap<String, Object> row(String split, int epoch, long step, Map<String, Double> terms, Double imagesPerSecond, long start) {
        LinkedHashMap<String, Object> r = new LinkedHashMap<>();
        r.put("split", split);
        r.put("epoch", epoch + 1);
        r.put("step", step);
        r.putAll(terms);
        r.put("images_per_s", imagesPerSecond);
        r.put("elapsed_s", (System.nanoTime() - start) / 1e9);
        return r;
    }

    private static String describe(Map<String, Double> terms) {
        StringBuilder b = new StringBuilder();
        terms.forEach((k, v) -> b.append(b.length() > 0 ? "  " : "").append(k).append(' ').append(String.format(Locale.ROOT, "%.2f", v)));
        return b.toString();
    }

    /** Training terms since the last metrics row, weighted by batch size. */
    private static final class Window {
        private final LinkedHashMap<String, Double> sums = new LinkedHashMap<>();
        private long images;
        private double seconds;
        // images and seconds with exponential decay: the progress display's rate follows recent steps
        private double recentImages, recentSeconds;

        void add(Map<String, Double> values, int n, double dt) {
            values.forEach((k, v) -> sums.merge(k, v * n, Double::sum));
            images += n;
            seconds += dt;
            recentImages = 0.9 * recentImages + n;
            recentSeconds = 0.9 * recentSeconds + dt;
        }

        LinkedHashMap<String, Double> means() {
            LinkedHashMap<String, Double> m = new LinkedHashMap<>();
            sums.forEach((k, v) -> m.put(k, v / images));
            return m;
        }

        double imagesPerSecond() {
            return images / seconds;
        }

        double recentImagesPerSecond() {
            return recentImages / recentSeconds;
        }

        void reset() {
            sums.clear();
            images = 0;
            seconds = 0;
        }
    }
}
