package org.dgm4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.data.Batches;
import org.dgm4j.flow.DensityPlot;
import org.dgm4j.flow.FlowModel;
import org.dgm4j.io.ImageGrid;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.DataSets;
import org.dgm4j.train.Examples;
import org.dgm4j.train.ScatterPlot;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dgm4j sample RUN}: draws samples from a trained model into a PNG (an image grid, or a scatter plot for 2-D models). */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draw samples from a trained run (its model.safetensors, else its newest valid checkpoint, or the checkpoint folder given).", ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  dgm4j sample runs/20261122-101500-vae                   64 samples to runs/.../samples.png",
            "  dgm4j sample RUN --n 100 --temperature 0.7 --out t07.png   a flow at temperature 0.7",
            "  dgm4j sample RUN --temperature 0.5,0.7,1                  the same draws at three temperatures, side by side",
            "  dgm4j sample RUN --n 2000 --density                       a 2-D flow: density.png, exact p(x) under its samples",
            "  dgm4j sample RUN --interpolate 10 --n 80                  an image flow: 8 test-image pairs, 10 steps each",
            "",
            "Exit codes: 0 success, 1 error (unreadable run or weights), 2 bad usage."})
public final class SampleCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN", description = "Run directory or checkpoint folder.")
    Path run;

    @Option(names = "--n", paramLabel = "N", defaultValue = "64", description = "Number of samples (default ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--temperature", paramLabel = "T[,T...]", defaultValue = "1", split = ",", description = {"Sampling temperature "
            + "for models that have one (default ${DEFAULT-VALUE}). Several: image models draw the same noise at each, one grid per "
            + "temperature side by side in one PNG."})
    List<Double> temperatures;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of the draws (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "FILE", description = "PNG to write (default: RUN/samples.png, or samples-t<T>[-t<T>...].png at T != 1).")
    Path out;

    @Option(names = "--density", description = "2-D flows: also write the model's exact density p(x) on a grid, its samples on top (RUN/density.png).")
    boolean density;

    @Option(names = "--interpolate", paramLabel = "STEPS", description = {"Image flows: instead of samples, latent interpolations between "
            + "random pairs of test images, one pair per row of STEPS images (the ends reconstruct the pair), --n / STEPS rows "
            + "(default file RUN/interpolation.png)."})
    Integer interpolate;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a setting of the run's config (e.g. backend=cpu).")
    List<String> sets = new ArrayList<>();

    @Override
    public Integer call() {
        if (n < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--n must be >= 1, found " + n);
        for (double t : temperatures) {
            if (!(t > 0) || Double.isInfinite(t)) throw new CommandLine.ParameterException(spec.commandLine(), "--temperature must be finite and > 0, found " + t);
        }
        if (temperatures.size() > 1 && (density || interpolate != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), (density ? "--density" : "--interpolate") + " takes one temperature, found " + temperatures);
        }
        if (interpolate != null && (interpolate < 2 || density)) {
            throw new CommandLine.ParameterException(spec.commandLine(), density ? "--interpolate and --density exclude each other"
                    : "--interpolate needs at least 2 steps, found " + interpolate);
        }
        PrintWriter stdout = spec.commandLine().getOut(), stderr = spec.commandLine().getErr();
        Backend previous = Backends.current();
        try (SavedRun saved = SavedRun.open(run, sets)) {
            if (interpolate != null) return interpolations(saved, stdout);
            Path file = out != null ? out : saved.dir().resolve(defaultName());
            saved.model().module().eval();
            try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
                List<Tensor> draws = new ArrayList<>();
                for (double t : temperatures) draws.add(saved.model().sample(n, new Generator(seed), t)); // one seed: the same noise at each
                Tensor x = draws.get(0);
                if (draws.size() == 1) write(file, x);
                else if (x.rank() == 4) ImageGrid.writeSideBySide(file, draws, gridColumns(n), 2, 8);
                else throw new IllegalArgumentException("several temperatures need an image model; " + saved.family().name() + " draws points: one --temperature per call");
                if (density) {
                    if (!(saved.model().module() instanceof FlowModel flow) || x.rank() != 2 || x.dim(1) != 2) {
                        throw new CommandLine.ParameterException(spec.commandLine(), "--density needs a 2-D flow (e.g. realnvp2d), found " + saved.family().name());
                    }
                    Path dfile = saved.dir().resolve("density.png");
                    DensityPlot.write(dfile, flow, x);
                    stdout.printf("exact density of %s with its %d samples -> %s%n", saved.family().name(), n, dfile);
                }
            }
            stdout.printf("%d samples of %s (%s) at temperature %s -> %s%n", n, saved.family().name(), saved.weights(), joined(", "), file);
            stdout.flush();
            return 0;
        } catch (RuntimeException | IOException e) {
            stderr.println("dgm4j sample: " + e.getMessage());
            stderr.flush();
            return 1;
        } finally {
            Backends.use(previous);
        }
    }

    /** --interpolate: pairs of distinct test images drawn by the seed, one row of interpolate images each. */
    private int interpolations(SavedRun saved, PrintWriter stdout) throws IOException {
        int pairs = Math.max(1, n / interpolate);
        Examples test = DataSets.load(saved.config(), saved.family()).test();
        if (test.count() < 2 * pairs) throw new IllegalArgumentException("the test set has " + test.count() + " examples, " + 2 * pairs + " needed");
        Generator g = new Generator(seed);
        int[] order = new Batches(test.count(), 1, seed, true, false).permutation(0); // the seed's shuffle, as training's
        Path file = out != null ? out : saved.dir().resolve("interpolation.png");
        saved.model().module().eval();
        try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
            Tensor a = test.load(java.util.Arrays.copyOfRange(order, 0, pairs), g);
            Tensor b = test.load(java.util.Arrays.copyOfRange(order, pairs, 2 * pairs), g);
            ImageGrid.write(file, saved.model().interpolate(a, b, interpolate, g), interpolate, 2);
        }
        stdout.printf("%d interpolations of %d steps between test images of %s (%s) -> %s%n", pairs, interpolate, saved.family().name(), saved.weights(), file);
        stdout.flush();
        return 0;
    }

    /** samples.png at temperature 1, else e.g. samples-t0.7.png or samples-t0.5-t1.0.png. */
    private String defaultName() {
        return temperatures.equals(List.of(1.0)) ? "samples.png" : "samples-t" + joined("-t") + ".png";
    }

    private String joined(String separator) {
        return String.join(separator, temperatures.stream().map(String::valueOf).toList());
    }

    private static int gridColumns(long n) {
        return (int) Math.ceil(Math.sqrt(n));
    }

    /** Images (n, C, H, W) as a grid of about square shape; points (n, 2) as a scatter plot. */
    static void write(Path file, Tensor x) throws IOException {
        if (x.rank() == 4) ImageGrid.write(file, x, gridColumns(x.dim(0)), 2);
        else ScatterPlot.write(file, x);
    }
}
