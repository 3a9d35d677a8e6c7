package org.dgm4j.cli;

import java.awt.Color;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
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
import org.dgm4j.data.DataFileException;
import org.dgm4j.data.Synthetic2D;
import org.dgm4j.eval.DensityKl;
import org.dgm4j.eval.ModeStatistics;
import org.dgm4j.eval.ModesSummary;
import org.dgm4j.flow.FlowModel;
import org.dgm4j.io.AtomicFiles;
import org.dgm4j.io.Plot;
import org.dgm4j.mixture.GaussianMixture;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.DataSets;
import org.dgm4j.train.ModelFamily;
import org.dgm4j.train.RunDirectory;
import org.dgm4j.train.RunSchema;
import org.dgm4j.train.Signals;
import org.dgm4j.train.TrainConfig;
import org.dgm4j.train.Trainable;
import org.dgm4j.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dgm4j experiment modes}: the unified view of mode coverage. On a 2-D Gaussian mixture with
 * known modes (default {@code ring8-minor}: 8 modes on a circle of radius 2, stddev 0.05, one mode at
 * 1/10 of the weight of each of the other seven), per seed it trains a GAN ({@code gan}), a VAE
 * ({@code vae}, Gaussian decoder) and a flow ({@code realnvp2d}) through the {@link Trainer} (each a
 * normal run directory under {@code seed-S/}) and fits a mixture of as many full-covariance Gaussians
 * as the data has modes by EM ({@link GaussianMixture}, 3 restarts) on the same training points. From
 * each model's samples it measures {@link ModeStatistics} and {@link DensityKl} KL(data‖model) and
 * KL(model‖data): exact model densities for the flow and the mixture, a KDE of the samples for the GAN
 * and the VAE (and, for comparison, for all four and for a sample of the data itself).
 *
 * <p>Writes {@code seed-S/modes.json} and {@code seed-S/modes.png} (the four sample clouds over the
 * true density), then {@code modes.csv} (a row per seed and model), {@code summary.md} (tables over
 * seeds and the observations {@link ModesSummary} computes) and {@code modes.png} (a row per seed).
 */
@Command(name = "modes", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a GAN, a VAE, a RealNVP flow and fit a Gaussian mixture by EM on 2-D data with known modes "
                + "(default ring8-minor: 8 Gaussians on a circle, one at 1/10 the weight of the others), over several seeds. "
                + "Reports per mode the fraction of samples landing in it beside its true weight, the modes captured, and "
                + "KL(data||model), KL(model||data) (exact density for the flow and the mixture, a Gaussian KDE of the samples "
                + "for the GAN and the VAE), and draws the sample clouds over the true density.",
            "A sample is in the nearest mode within 3 stddevs, else off-mode; a mode is captured when it gets at least 1/4 of its true weight.",
            "Writes OUT/summary.md, OUT/modes.csv, OUT/modes.png and per seed OUT/seed-S/ (modes.json, modes.png and a run directory per network).", ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  dgm4j experiment modes --seeds 5 --out runs/modes   full run, seeds 0..4",
            "  dgm4j experiment modes --quick --seed 3             smoke test (seconds)",
            "  dgm4j experiment modes --seed 0 --epochs 40 --set gan:train.lr=2e-4",
            "",
            "Exit codes: 0 success; 1 error while running; 2 bad usage."})
public final class ModesCommand implements Callable<Integer> {
    /** The three trained networks, by their family names in {@link ModelFamilies}, and the EM mixture. */
    static final List<String> NETWORKS = List.of("gan", "vae", "realnvp2d");
    static final String MIXTURE = "gmm";
    static final String SUMMARY = "summary.md", CSV = "modes.csv", PNG = "modes.png", SEED_JSON = "modes.json";
    /** Streams of the experiment's own draws (the trainer uses 0..5). */
    private static final long SAMPLE_STREAM = 200, EVAL_STREAM = 300;
    private static final int SAMPLE_BATCH = 1000, PLOTTED = 2000, GMM_RESTARTS = 3, GMM_ITERATIONS = 300;

    /**
     * The experiment's settings per network, before --set: a VAE needs the Gaussian decoder on points
     * (latent 2, as the 2-D data); all three are narrowed to 128 units (5 seeds in about 20 minutes on
     * 2 busy cores); the flow takes batches of 256 and lr 5e-4 (at 1e-3 its test NLL jumped by 5 nats
     * after 1,700 steps on ring8-minor).
     */
    private static final Map<String, List<String>> DEFAULTS = Map.of(
            "gan", List.of("model.hidden=128"),
            "vae", List.of("model.likelihood=gaussian", "model.latent=2", "model.hidden=128"),
            "realnvp2d", List.of("model.couplings=6", "model.hidden=128", "train.batch_size=256", "train.lr=5e-4"));
    /** --quick: tiny networks. */
    private static final Map<String, List<String>> QUICK = Map.of(
            "gan", List.of("model.hidden=16", "model.latent=4"),
            "vae", List.of("model.hidden=16"),
            "realnvp2d", List.of("model.couplings=2", "model.hidden=16"));

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--seeds", paramLabel = "N", description = "Run seeds 0..N-1 (default 5; 1 with --quick).")
    Integer seeds;

    @Option(names = "--seed", paramLabel = "S", description = "Run this one seed instead.")
    Long seed;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training points for each network (default 60; 1 with --quick).")
    Integer epochs;

    @Option(names = "--points", paramLabel = "N", description = "Training points drawn from the mixture, the same for every seed and model (default 10000; 1000 with --quick).")
    Integer points;

    @Option(names = "--samples", paramLabel = "N", description = "Samples drawn from each model for the statistics (default 5000; 500 with --quick).")
    Integer samples;

    @Option(names = "--data", paramLabel = "SET", description = "A mixture data set: ring8-minor (default), ring8 or ring8-unequal.")
    String data = "ring8-minor";

    @Option(names = "--set", paramLabel = "MODEL:KEY=VALUE", description = "A training setting of one network (gan, vae, realnvp2d), e.g. gan:train.lr=2e-4; repeatable.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--quick", description = "Tiny sizes for a smoke test: 1 seed, 1 epoch, 1000 points, 500 samples, networks of width 16.")
    boolean quick;

    @Option(names = "--backend", paramLabel = "auto|cpu|cuda", description = "Backend (default ${DEFAULT-VALUE}).")
    String backend = "auto";

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default runs/<yyyyMMdd-HHmmss>-modes).")
    Path out;

    /** Resolved sizes. */
    private record Sizes(List<Long> seeds, int epochs, int points, int samples) {}

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut(), stderr = spec.commandLine().getErr();
        Sizes sizes = sizes();
        Synthetic2D.Mixture mixture = DataSets.mixture(data);
        if (mixture == null) throw usage("--data must be a mixture with known modes (ring8, ring8-unequal, ring8-minor), found '" + data + "'");
        Map<String, List<ConfigEntry>> overrides = overrides();
        if (out != null && Files.exists(out.resolve(SUMMARY))) throw usage("--out " + out + " already holds a modes experiment; choose another directory");
        for (String n : NETWORKS) config(ModelFamilies.byName(n), sizes.seeds().get(0), sizes, overrides.getOrDefault(n, List.of())); // bad settings stop before any training
        Backend previous = Backends.current();
        long t0 = System.nanoTime();
        try {
            Backends.use(Backends.select(backend));
            Path dir = out != null ? Files.createDirectories(out) : RunDirectory.fresh(Path.of(""), "modes", LocalDateTime.now());
            stdout.printf(Locale.ROOT, "modes experiment on %s: seeds %s, %d training points, %d epochs, %d samples per model, backend %s%nout: %s%n",
                    data, sizes.seeds(), sizes.points(), sizes.epochs(), sizes.samples(), Backends.current().name(), dir);
            stdout.flush();
            List<ModesSummary.Run> runs = new ArrayList<>();
            List<Plot> panels = new ArrayList<>();
            for (long s : sizes.seeds()) {
                List<ModesSummary.Run> seedRuns = new ArrayList<>();
                List<Plot> seedPanels = new ArrayList<>();
                Path seedDir = Files.createDirectories(dir.resolve("seed-" + s));
                DensityKl.LogDensity2D logData = DensityKl.mixture(mixture);
                float[] dataSample = mixture.sample(sizes.samples(), Trainer.stream(s, EVAL_STREAM).seed()).points();
                float[] reference = mixture.sample(sizes.samples(), Trainer.stream(s, EVAL_STREAM + 1).seed()).points();
                DensityKl.Estimate refKde = DensityKl.kde(logData, dataSample, reference);
                seedRuns.add(new ModesSummary.Run(ModesSummary.DATA, s, ModeStatistics.of(mixture, reference),
                        DensityKl.exact(logData, dataSample, logData, reference), refKde, 0));
                for (int i = 0; i <= NETWORKS.size(); i++) {
                    String name = i < NETWORKS.size() ? NETWORKS.get(i) : MIXTURE;
                    Truth truth = new Truth(mixture, logData, dataSample);
                    Measured drawn = i < NETWORKS.size()
                            ? trainNetwork(name, s, sizes, seedDir.resolve(name), overrides.getOrDefault(name, List.of()), truth)
                            : fitMixture(s, sizes, truth);
                    ModesSummary.Run run = drawn.run();
                    seedRuns.add(run);
                    seedPanels.add(panel(mixture, run, drawn.points()));
                    ModeStatistics.Report m = run.modes();
                    stdout.printf(Locale.ROOT, "seed %d %-9s %6.1f s  captured %d/%d  off-mode %.4f  KL(data||model) %.3f  KL(model||data) %.3f  (%s)%n",
                            s, name, run.seconds(), m.captured(), m.modes(), m.offMode(), run.kl().dataToModel(), run.kl().modelToData(), run.kl().method());
                    stdout.flush();
                }
                AtomicFiles.write(seedDir.resolve(SEED_JSON), QualityCommand.json(seedJson(s, sizes, seedRuns)).getBytes(StandardCharsets.UTF_8));
                Plot.writeGrid(seedDir.resolve(PNG), seedPanels, 2);
                runs.addAll(seedRuns);
                panels.addAll(seedPanels);
            }
            ModesSummary summary = new ModesSummary(runs);
            double seconds = (System.nanoTime() - t0) / 1e9;
            AtomicFiles.write(dir.resolve(CSV), summary.csv().getBytes(StandardCharsets.UTF_8));
            Plot.writeGrid(dir.resolve(PNG), panels, NETWORKS.size() + 1);
            String md = String.format(Locale.ROOT, "# Modes experiment%n%nData %s: %s. %d training points (the same for every seed and model), "
                    + "%d epochs per network, %d samples per model; %s. Wall time %.0f s.%n%n%s",
                    data, describe(mixture), sizes.points(), sizes.epochs(), sizes.samples(), settingsText(overrides), seconds, summary.markdown());
            AtomicFiles.write(dir.resolve(SUMMARY), md.getBytes(StandardCharsets.UTF_8));
            stdout.printf(Locale.ROOT, "%n%s%nwrote %s, %s, %s (%.1f s)%n", summary.markdown(), dir.resolve(SUMMARY), dir.resolve(CSV), dir.resolve(PNG), seconds);
            stdout.flush();
            return 0;
        } catch (DataFileException | IllegalStateException | IllegalArgumentException | IOException e) {
            stderr.println("dgm4j experiment modes: " + e.getMessage());
            stderr.flush();
            return 1;
        } finally {
            Backends.use(previous);
        }
    }

    private Sizes sizes() {
        if (seeds != null && seed != null) throw usage("give --seeds N or --seed S, not both");
        if (seeds != null && seeds < 1) throw usage("--seeds must be >= 1, found " + seeds);
        int e = epochs != null ? epochs : quick ? 1 : 60, p = points != null ? points : quick ? 1000 : 10_000, n = samples != null ? samples : quick ? 500 : 5000;
        if (e < 1) throw usage("--epochs must be >= 1, found " + e);
        if (p < 16) throw usage("--points must be >= 16, found " + p);
        if (n < 100) throw usage("--samples must be >= 100, found " + n);
        List<Long> list = new ArrayList<>();
        if (seed != null) list.add(seed);
        else for (long s = 0, count = seeds != null ? seeds : quick ? 1 : 5; s < count; s++) list.add(s);
        return new Sizes(list, e, p, n);
    }

    /** The --set options by network, checked for form and network now (their keys are checked when each config resolves). */
    private Map<String, List<ConfigEntry>> overrides() {
        Map<String, List<ConfigEntry>> m = new LinkedHashMap<>();
        for (String s : sets) {
            int colon = s.indexOf(':');
            String model = colon < 0 ? "" : s.substring(0, colon);
            if (!NETWORKS.contains(model)) throw usage("--set " + s + ": expected MODEL:KEY=VALUE with MODEL one of " + String.join(", ", NETWORKS));
            try {
                m.computeIfAbsent(model, k -> new ArrayList<>()).add(ConfigEntry.assignment("--set", s.substring(colon + 1)));
            } catch (ConfigException e) {
                throw usage(e.getMessage());
            }
        }
        return m;
    }

    /** What models are measured against: the mixture, its exact log density, and a held-out sample of it. */
    private record Truth(Synthetic2D.Mixture mixture, DensityKl.LogDensity2D logDensity, float[] dataSample) {}

    /** A model's measurements and its samples (n (x, y) pairs). */
    private record Measured(ModesSummary.Run run, float[] points) {}

    /**
     * Mode statistics and both KLs of a model's samples p: with its exact log density when it has one
     * (call while the model is open), else the KDE; the KDE estimate is made in every case.
     */
    private static Measured measure(String name, long s, float[] p, DensityKl.LogDensity2D density, double seconds, Truth t) {
        DensityKl.Estimate kde = DensityKl.kde(t.logDensity(), t.dataSample(), p);
        DensityKl.Estimate kl = density != null ? DensityKl.exact(t.logDensity(), t.dataSample(), density, p) : kde;
        return new Measured(new ModesSummary.Run(name, s, ModeStatistics.of(t.mixture(), p), kl, kde, seconds), p);
    }

    /** The config of one network for one seed: the experiment's settings, then --quick's, then the user's --set. */
    Config config(ModelFamily family, long s, Sizes sizes, List<ConfigEntry> user) {
        List<ConfigEntry> e = new ArrayList<>();
        e.add(new ConfigEntry("model", family.name(), "experiment modes"));
        e.add(new ConfigEntry("backend", backend, "--backend"));
        e.add(new ConfigEntry("data.set", data, "--data"));
        e.add(new ConfigEntry("data.points", Integer.toString(sizes.points()), "--points"));
        e.add(new ConfigEntry("data.limit_test", Integer.toString(Math.min(2000, sizes.samples())), "experiment modes"));
        e.add(new ConfigEntry("train.epochs", Integer.toString(sizes.epochs()), "--epochs"));
        e.add(new ConfigEntry("train.seed", Long.toString(s), "--seed"));
        e.add(new ConfigEntry("train.samples", "1000", "experiment modes"));
        e.add(new ConfigEntry("checkpoint.every_minutes", "0", "experiment modes"));
        e.add(new ConfigEntry("checkpoint.keep", "1", "experiment modes"));
        for (String a : DEFAULTS.getOrDefault(family.name(), List.of())) e.add(ConfigEntry.assignment("experiment modes", a));
        if (quick) for (String a : QUICK.getOrDefault(family.name(), List.of())) e.add(ConfigEntry.assignment("--quick", a));
        e.addAll(user);
        try {
            Config c = Config.resolve(RunSchema.keys(family, ModelFamilies.names()), e);
            TrainConfig.from(c); // the loop's settings are checked here too
            return c;
        } catch (IllegalArgumentException x) { // ConfigException included
            throw usage(family.name() + ": " + x.getMessage());
        }
    }

    /** Trains one network through the Trainer into runDir (its log in train.log), draws its samples and measures them. */
    private Measured trainNetwork(String name, long s, Sizes sizes, Path runDir, List<ConfigEntry> user, Truth truth) throws IOException {
        ModelFamily family = ModelFamilies.byName(name);
        Config config = config(family, s, sizes, user);
        TrainConfig loop = TrainConfig.from(config);
        DataSets.Split split = DataSets.load(config, family);
        RunDirectory.given(runDir);
        AtomicFiles.write(runDir.resolve(TrainCommand.CONFIG_FILE), config.toYaml().getBytes(StandardCharsets.UTF_8));
        RunDirectory.writeSettings(runDir, config.values());
        try (Trainable model = family.create(config, split.train().exampleShape(), Trainer.stream(s, Trainer.INIT));
                Writer logFile = Files.newBufferedWriter(runDir.resolve("train.log"), StandardCharsets.UTF_8);
                PrintWriter log = new PrintWriter(logFile);
                Signals none = Signals.none()) {
            Trainer.Result r = new Trainer(loop, runDir, log, false, none, config.values()).fit(model, split.train(), split.test(), null);
            model.module().eval();
            float[] p = draw(model, sizes.samples(), Trainer.stream(s, SAMPLE_STREAM));
            DensityKl.LogDensity2D density = null;
            if (model.module() instanceof FlowModel flow) density = logDensity(flow::logProb);
            return measure(name, s, p, density, r.seconds(), truth);
        }
    }

    /** n samples of a trained network as (x, y) pairs, drawn in batches. */
    private static float[] draw(Trainable model, int n, Generator g) {
        float[] all = new float[2 * n];
        for (int start = 0; start < n; start += SAMPLE_BATCH) {
            int m = Math.min(SAMPLE_BATCH, n - start);
            try (Scope sc = Scope.open(); var ng = Autograd.noGrad()) {
                float[] v = model.sample(m, g).toFloatArray();
                if (v.length != 2 * m) throw new IllegalStateException("expected 2-D samples, found " + v.length / m + " values per sample");
                System.arraycopy(v, 0, all, 2 * start, v.length);
            }
        }
        return all;
    }

    /** Fits the EM mixture on the training points, draws its samples and measures them. */
    private Measured fitMixture(long s, Sizes sizes, Truth truth) {
        float[] train = DataSets.trainPoints(data, sizes.points());
        long t0 = System.nanoTime();
        try (GaussianMixture gmm = new GaussianMixture(truth.mixture().components(), 2, GaussianMixture.Covariance.FULL).restarts(GMM_RESTARTS).maxIterations(GMM_ITERATIONS);
                Scope sc = Scope.open()) {
            gmm.fit(Tensor.of(train, sizes.points(), 2), Trainer.stream(s, Trainer.INIT));
            double seconds = (System.nanoTime() - t0) / 1e9;
            double[] d = gmm.sample(sizes.samples(), Trainer.stream(s, SAMPLE_STREAM)).x().toDoubleArray();
            float[] p = new float[d.length];
            for (int i = 0; i < d.length; i++) p[i] = (float) d[i];
            return measure(MIXTURE, s, p, logDensity(gmm::score), seconds, truth);
        }
    }

    /**
     * A model's exact log density, logProb: points (B, 2) → log p (B), as a LogDensity2D that evaluates
     * many points in batches of {@value #SAMPLE_BATCH}. Only usable while the model is open.
     */
    private static DensityKl.LogDensity2D logDensity(java.util.function.Function<Tensor, Tensor> logProb) {
        return new DensityKl.LogDensity2D() {
            @Override
            public double at(double x, double y) {
                return atAll(new float[] {(float) x, (float) y})[0];
            }

            @Override
            public double[] atAll(float[] points) {
                int n = points.length / 2;
                double[] out = new double[n];
                for (int start = 0; start < n; start += SAMPLE_BATCH) {
                    int m = Math.min(SAMPLE_BATCH, n - start);
                    try (Scope sc = Scope.open(); var ng = Autograd.noGrad()) {
                        float[] chunk = java.util.Arrays.copyOfRange(points, 2 * start, 2 * (start + m));
                        System.arraycopy(logProb.apply(Tensor.of(chunk, m, 2)).toDoubleArray(), 0, out, start, m);
                    }
                }
                return out;
            }
        };
    }

    private Plot panel(Synthetic2D.Mixture mixture, ModesSummary.Run run, float[] p) {
        int n = Math.min(PLOTTED, p.length / 2);
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = p[2 * i];
            y[i] = p[2 * i + 1];
        }
        String title = String.format(Locale.ROOT, "%s, seed %d: %d/%d modes, off %.1f%%", run.model(), run.seed(), run.modes().captured(), run.modes().modes(),
                100 * run.modes().offMode());
        return new Plot(title, 420, 420).xRange(-3, 3).yRange(-3, 3).density(density(mixture, -3, 3, 140))
                .points(x, y, new Color(214, 39, 40, 110), null, 3);
    }

    /** The true density averaged over each cell of a cells×cells grid on [lo, hi]² (5×5 points per cell, so modes narrower than a cell still show); row 0 at the top. */
    static double[][] density(Synthetic2D.Mixture mixture, double lo, double hi, int cells) {
        DensityKl.LogDensity2D f = DensityKl.mixture(mixture);
        double[][] v = new double[cells][cells];
        double step = (hi - lo) / cells;
        for (int r = 0; r < cells; r++) {
            for (int c = 0; c < cells; c++) {
                double sum = 0;
                for (int a = 0; a < 5; a++) for (int b = 0; b < 5; b++) sum += Math.exp(f.at(lo + (c + (a + 0.5) / 5) * step, hi - (r + (b + 0.5) / 5) * step));
                v[r][c] = sum / 25;
            }
        }
        return v;
    }

    private Map<String, Object> seedJson(long s, Sizes sizes, List<ModesSummary.Run> runs) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        m.put("seed", s);
        m.put("data", data);
        m.put("points", sizes.points());
        m.put("epochs", sizes.epochs());
        m.put("samples", sizes.samples());
        for (ModesSummary.Run r : runs) {
            LinkedHashMap<String, Object> e = new LinkedHashMap<>();
            e.put("fractions", r.modes().fractions());
            e.put("weights", r.modes().weights());
            e.put("off_mode", r.modes().offMode());
            e.put("captured", r.modes().captured());
            e.put("radius_stddevs", r.modes().radius());
            e.put("capture_fraction_of_weight", r.modes().capture());
            e.put("kl_data_model", r.kl().dataToModel());
            e.put("kl_model_data", r.kl().modelToData());
            e.put("kl_method", r.kl().method());
            e.put("kde_kl_data_model", r.kde().dataToModel());
            e.put("kde_kl_model_data", r.kde().modelToData());
            e.put("kde_method", r.kde().method());
            e.put("seconds", r.seconds());
            m.put(r.model(), e);
        }
        return m;
    }

    private static String describe(Synthetic2D.Mixture m) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%d axis-aligned Gaussians, weights", m.components()));
        for (double w : m.probabilities()) b.append(String.format(Locale.ROOT, " %.4f", w));
        return b.append(String.format(Locale.ROOT, ", stddev %.3g", m.stddevs()[0][0])).toString();
    }

    private String settingsText(Map<String, List<ConfigEntry>> user) {
        StringBuilder b = new StringBuilder("network settings");
        for (String n : NETWORKS) {
            List<String> all = new ArrayList<>(DEFAULTS.getOrDefault(n, List.of()));
            if (quick) all.addAll(QUICK.getOrDefault(n, List.of()));
            for (ConfigEntry e : user.getOrDefault(n, List.of())) all.add(e.key() + "=" + e.text());
            b.append(" ").append(n).append(": ").append(all.isEmpty() ? "family defaults" : String.join(", ", all)).append(';');
        }
        b.append(String.format(Locale.ROOT, " gmm: %s K = data modes, full covariance, %d restarts, at most %d EM iterations", "EM,", GMM_RESTARTS, GMM_ITERATIONS));
        return b.toString();
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
