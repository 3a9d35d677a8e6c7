package org.dgm4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.config.Config;
import org.dgm4j.config.ConfigEntry;
import org.dgm4j.config.ConfigException;
import org.dgm4j.data.Batches;
import org.dgm4j.data.DataFileException;
import org.dgm4j.data.FashionMnist;
import org.dgm4j.data.ImageSet;
import org.dgm4j.data.Synthetic2D;
import org.dgm4j.eval.DensityKl;
import org.dgm4j.eval.FeatureClassifier;
import org.dgm4j.eval.ModeStatistics;
import org.dgm4j.eval.SampleQuality;
import org.dgm4j.gan.Reconstructing;
import org.dgm4j.io.AtomicFiles;
import org.dgm4j.io.ImageGrid;
import org.dgm4j.io.Json;
import org.dgm4j.io.Plot;
import org.dgm4j.io.Safetensors;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.DataSets;
import org.dgm4j.train.ModelFamily;
import org.dgm4j.train.RunSchema;
import org.dgm4j.train.Trainable;
import org.dgm4j.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dgm4j quality RUN}: rebuilds a finished run's model from its {@code config.yaml} and
 * {@code model.safetensors}, draws samples and measures them. Fashion-MNIST runs: Fréchet distance,
 * precision and recall in the features of {@link FeatureClassifier} against the 10,000 test images,
 * and, for models with an encoder, {@code reconstructions.png}. Runs on ring8 / ring8-unequal / ring8-minor: mode
 * statistics and KL estimates. Results are printed and written to {@code RUN/quality.json}.
 */
@Command(name = "quality", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure the samples of a trained run: on Fashion-MNIST the Frechet distance (FD) and k-NN precision/recall "
                + "in the features of dgm4j's own Fashion-MNIST classifier (NOT Inception: not comparable with published FIDs); "
                + "on ring8 sets the mode statistics and KL estimates. Writes RUN/quality.json.", ""},
        footerHeading = "%nExamples:%n",
        footer = {"  dgm4j quality runs/20250101-120000-dcgan                 10,000 samples against the test set",
            "  dgm4j quality runs/a --samples 5000 --reference           also the train-vs-test floor"})
public final class QualityCommand implements Callable<Integer> {
    public static final String FILE = "quality.json", RECONSTRUCTIONS = "reconstructions.png", SCATTER = "quality-samples.png";
    private static final int SAMPLE_BATCH = 500;
    /** The stream of the quality command's own draws, apart from the trainer's (0..5). */
    private static final long QUALITY_STREAM = 100;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "RUN", description = "A run directory with config.yaml and model.safetensors.")
    Path run;

    @Option(names = "--samples", paramLabel = "N", description = "Generated samples (default ${DEFAULT-VALUE}).")
    int samples = 10_000;

    @Option(names = "--k", paramLabel = "K", description = "Neighbours for precision/recall (default ${DEFAULT-VALUE}, Kynkaanniemi et al.).")
    int k = org.dgm4j.eval.PrecisionRecall.DEFAULT_K;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the samples (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--reference", description = "Also measure the first N training images against the test set (the floor a perfect model would reach).")
    boolean reference;

    @Option(names = "--backend", paramLabel = "auto|cpu|cuda", description = "Backend (default ${DEFAULT-VALUE}).")
    String backend = "cpu";

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (samples < 2 * k + 2) throw new CommandLine.ParameterException(spec.commandLine(), "--samples must be > 2k + 1, found " + samples);
        Path configFile = run.resolve("config.yaml"), modelFile = run.resolve(Trainer.MODEL_FILE);
        if (!Files.isRegularFile(configFile) || !Files.isRegularFile(modelFile)) {
            throw new CommandLine.ParameterException(spec.commandLine(), run + ": expected a finished run (config.yaml and " + Trainer.MODEL_FILE + ")");
        }
        Backend previous = Backends.current();
        try {
            List<ConfigEntry> entries = ConfigEntry.yaml(configFile);
            ModelFamily family = ModelFamilies.byName(Config.peek(entries, "model"));
            if (family == null) throw new IllegalArgumentException(configFile + ": unknown model '" + Config.peek(entries, "model") + "'");
            Config config = Config.resolve(RunSchema.keys(family, ModelFamilies.names()), entries);
            Backends.use(Backends.select(backend));
            String set = config.getString("data.set");
            boolean images = set.equals("fashion-mnist");
            long[] shape = images ? new long[] {1, FashionMnist.HEIGHT, FashionMnist.WIDTH} : new long[] {2};
            LinkedHashMap<String, Object> result = new LinkedHashMap<>();
            result.put("run", run.getFileName().toString());
            result.put("model", family.name());
            result.put("data", set);
            result.put("samples", samples);
            result.put("seed", seed);
            long t0 = System.nanoTime();
            try (Trainable model = family.create(config, shape, Trainer.stream(config.getLong("train.seed"), Trainer.INIT))) {
                Safetensors.Contents saved = Safetensors.read(modelFile, Backends.current());
                try {
                    model.module().loadStateDict(saved.tensors());
                } finally {
                    saved.tensors().values().forEach(Tensor::close);
                }
                model.module().eval();
                if (images) images(model, family, config, result, out);
                else points(model, set, result, out);
            }
            result.put("seconds", (System.nanoTime() - t0) / 1e9);
            AtomicFiles.write(run.resolve(FILE), json(result).getBytes(StandardCharsets.UTF_8));
            out.printf(Locale.ROOT, "wrote %s (%.1f s)%n", run.resolve(FILE), (System.nanoTime() - t0) / 1e9);
            out.flush();
            return 0;
        } catch (ConfigException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        } catch (DataFileException | IllegalStateException | IllegalArgumentException e) {
            err.println("dgm4j quality: " + e.getMessage());
            err.flush();
            return 1;
        } finally {
            Backends.use(previous);
        }
    }

    private void images(Trainable model, ModelFamily family, Config config, Map<String, Object> result, PrintWriter out) throws IOException {
        FashionMnist data = new FashionMnist();
        ImageSet test = data.test();
        try (FeatureClassifier classifier = FeatureClassifier.load(); Scope s = Scope.open()) {
            Tensor realFeatures = classifier.featuresOf(Batches.images(test, range(0, test.count())));
            Tensor fakeFeatures = classifier.featuresOf(draw(model));
            SampleQuality.Report q = SampleQuality.compare(realFeatures, fakeFeatures, k, FeatureClassifier.VERSION);
            out.println("model vs test: " + q);
            result.put("quality", q.toMap());
            if (reference) {
                ImageSet train = data.train();
                int n = Math.min(samples, train.count());
                SampleQuality.Report r = SampleQuality.compare(realFeatures, classifier.featuresOf(Batches.images(train, range(0, n))), k, FeatureClassifier.VERSION);
                out.println("train vs test: " + r);
                result.put("reference_train_vs_test", r.toMap());
            }
            if (model instanceof Reconstructing rec) {
                int[] first = range(0, 32);
                Tensor x = Batches.images(test, first);
                Tensor xr;
                try (var ng = Autograd.noGrad()) {
                    xr = rec.reconstruct(family.input(config).load(test, first, new Generator(seed)));
                }
                float[] a = x.toFloatArray(), b = xr.toFloatArray(), grid = new float[2 * a.length];
                int img = 28 * 28, row = 8;
                for (int r = 0; r < 4; r++) { // rows of 8 inputs, each followed by its row of reconstructions
                    System.arraycopy(a, r * row * img, grid, 2 * r * row * img, row * img);
                    System.arraycopy(b, r * row * img, grid, (2 * r + 1) * row * img, row * img);
                }
                ImageGrid.write(run.resolve(RECONSTRUCTIONS), grid, 64, 1, 28, 28, row, 2, 0f);
                out.println("reconstructions: " + run.resolve(RECONSTRUCTIONS) + " (rows: 8 test images, then their reconstructions)");
            }
        }
        out.flush();
    }

    /** The model's samples (samples, C, H, W) in [0, 1], drawn in batches, as one float32 tensor in the current scope. */
    private Tensor draw(Trainable model) {
        Generator g = Trainer.stream(seed, QUALITY_STREAM);
        float[] all = null;
        long[] dims = null;
        int at = 0;
        for (int start = 0; start < samples; start += SAMPLE_BATCH) {
            int n = Math.min(SAMPLE_BATCH, samples - start);
            try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
                Tensor x = model.sample(n, g);
                float[] v = x.toFloatArray();
                if (all == null) {
                    dims = x.dims();
                    all = new float[Math.toIntExact((long) v.length / n * samples)];
                }
                System.arraycopy(v, 0, all, at, v.length);
                at += v.length;
            }
        }
        dims[0] = samples;
        return Tensor.of(all, dims);
    }

    private void points(Trainable model, String set, Map<String, Object> result, PrintWriter out) throws IOException {
        Synthetic2D.Mixture mixture = DataSets.mixture(set);
        float[] p;
        try (Scope s = Scope.open()) {
            p = draw(model).toFloatArray();
        }
        int n = p.length / 2;
        double[] x = new double[Math.min(n, 5000)], y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = p[2 * i];
            y[i] = p[2 * i + 1];
        }
        new Plot("samples (" + x.length + ")", 480, 480).xRange(-3, 3).yRange(-3, 3).points(x, y, Plot.PALETTE[0], null, 2).write(run.resolve(SCATTER));
        out.println("scatter: " + run.resolve(SCATTER));
        if (mixture == null) {
            out.println("no mode statistics for " + set + " (known mixtures: ring8, ring8-unequal, ring8-minor)");
            return;
        }
        ModeStatistics.Report m = ModeStatistics.of(mixture, p);
        out.print(m.table());
        DensityKl.Estimate kl = DensityKl.kde(DensityKl.mixture(mixture), mixture.sample(n, seed + 2).points(), p);
        out.printf(Locale.ROOT, "KL(data||model) %.3f nats  KL(model||data) %.3f nats  (model density: %s)%n", kl.dataToModel(), kl.modelToData(), kl.method());
        LinkedHashMap<String, Object> modes = new LinkedHashMap<>();
        modes.put("fractions", m.fractions());
        modes.put("weights", m.weights());
        modes.put("off_mode", m.offMode());
        modes.put("captured", m.captured());
        modes.put("radius_stddevs", m.radius());
        modes.put("capture_fraction_of_weight", m.capture());
        modes.put("kl_data_model", kl.dataToModel());
        modes.put("kl_model_data", kl.modelToData());
        modes.put("kl_method", kl.method());
        result.put("modes", modes);
        out.flush();
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) r[i] = from + i;
        return r;
    }

    /** A small pretty JSON writer for this file's values: strings, numbers, maps, double arrays. */
    static String json(Map<String, Object> m) {
        StringBuilder b = new StringBuilder();
        value(b, m, "");
        return b.append('\n').toString();
    }

    @SuppressWarnings("unchecked")
    private static void value(StringBuilder b, Object v, String indent) {
        if (v instanceof Map<?, ?> map) {
            b.append("{");
            String sep = "\n";
            for (var e : ((Map<String, Object>) map).entrySet()) {
                b.append(sep).append(indent).append("  ");
                Json.writeString(b, e.getKey());
                b.append(": ");
                value(b, e.getValue(), indent + "  ");
                sep = ",\n";
            }
            b.append("\n").append(indent).append("}");
        } else if (v instanceof double[] a) {
            b.append('[');
            for (int i = 0; i < a.length; i++) b.append(i > 0 ? ", " : "").append(number(a[i]));
            b.append(']');
        } else if (v instanceof Double d) {
            b.append(number(d));
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v);
        } else {
            Json.writeString(b, String.valueOf(v));
        }
    }

    private static String number(double d) {
        return Double.isFinite(d) ? Double.toString(d) : "null";
    }
}
