package org.dgm4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.data.DataFileException;
import org.dgm4j.data.FashionMnist;
import org.dgm4j.data.ImageSet;
import org.dgm4j.nn.Module;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.BatchInput;
import org.dgm4j.train.Objective;
import org.dgm4j.train.RunDirectory;
import org.dgm4j.train.TrainConfig;
import org.dgm4j.train.Trainer;
import org.dgm4j.vae.BernoulliVae;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dgm4j train}: trains a model on Fashion-MNIST and writes a run directory. With no arguments
 * it trains a small VAE in about a minute on a laptop CPU (the defaults are chosen for that).
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a generative model on dynamically binarized Fashion-MNIST. The run directory gets run.json "
                + "(settings), metrics.csv and metrics.jsonl, samples-epoch-<e>.png after every epoch and model.safetensors.",
                "Losses are nats per image (summed over pixels, averaged over images); the VAE's loss is -ELBO = recon + kl.", ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  dgm4j train                              default VAE, about a minute on 2 cores",
            "  dgm4j train --epochs 20 --latent 32      a longer, better run",
            "  dgm4j train --limit-train 512 --out DIR  a smoke test in seconds",
            "  dgm4j train --backend cuda               fail unless the GPU is usable",
            "",
            "Exit codes: 0 success, 1 error (e.g. dataset missing, non-finite loss),",
            "            2 bad usage."})
public final class TrainCommand implements Callable<Integer> {
    static final String MODEL_VAE = "vae";
    /** Progress lines in logs (no terminal) this often; an 8×8 sample grid. */
    private static final double PRINT_EVERY_SECONDS = 10;
    private static final int SAMPLES = 64;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "NAME", defaultValue = MODEL_VAE, description = "Model family: vae (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "5", description = "Passes over the training set (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "128", description = "Images per step (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "1e-3", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--hidden", paramLabel = "N", defaultValue = "256", description = "Units in each of the two hidden layers of encoder and decoder (default ${DEFAULT-VALUE}).")
    long hidden;

    @Option(names = "--latent", paramLabel = "N", defaultValue = "16", description = "Latent dimensions (default ${DEFAULT-VALUE}).")
    long latent;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of initialization, shuffling, binarization and noise (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/<yyyyMMdd-HHmmss>-<model> under the current directory).")
    Path out;

    @Option(names = "--limit-train", paramLabel = "N", defaultValue = "0", description = "Use only the first N training images (0: all 60000; for smoke tests).")
    int limitTrain;

    @Option(names = "--log-every", paramLabel = "STEPS", defaultValue = "20", description = "A metrics row every STEPS steps (default ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--backend", paramLabel = "auto|cpu|cuda", defaultValue = "auto", description = "auto (CUDA when usable, else CPU), cpu or cuda (default ${DEFAULT-VALUE}).")
    String backend;

    @Override
    public Integer call() {
        TrainConfig config = validatedConfig();
        PrintWriter stdout = spec.commandLine().getOut(), stderr = spec.commandLine().getErr();
        Backend previous = Backends.current();
        try {
            Backend chosen = Backends.select(backend);
            FashionMnist fashion = new FashionMnist();
            ImageSet train = limit(fashion.train(), limitTrain), test = fashion.test();
            Path dir = out != null ? RunDirectory.given(out) : RunDirectory.fresh(Path.of(""), model, LocalDateTime.now());
            try (BernoulliVae vae = new BernoulliVae(hidden, latent, Trainer.stream(seed, Trainer.INIT))) {
                RunDirectory.writeSettings(dir, settings(chosen, train, test));
                stdout.printf(Locale.ROOT, "training VAE hidden %d latent %d (%,d parameters) on %,d Fashion-MNIST images for %d epoch(s), backend %s%nrun directory: %s%n",
                        hidden, latent, vae.parameterCount(), train.count(), epochs, chosen.name(), dir);
                stdout.flush();
                Trainer.Result r = new Trainer(config, dir, stdout, System.console() != null).fit(objective(vae), train, test, BatchInput.dynamicBinarization());
                stdout.printf(Locale.ROOT, "done in %.1f s (%d steps): test -ELBO %.2f nats (recon %.2f, kl %.2f)%nsamples: %s%nmodel:   %s%n",
                        r.seconds(), r.steps(), r.test().get("loss"), r.test().get("recon"), r.test().get("kl"), r.samples(), r.model());
                stdout.flush();
            }
            return 0;
        } catch (DataFileException | IllegalStateException | IllegalArgumentException | IOException e) {
            // expected failures (no dataset, no GPU, a used --out, divergence) get a message, not a stack trace
            stderr.println("dgm4j train: " + e.getMessage());
            stderr.flush();
            return 1;
        } finally {
            Backends.use(previous); // in-process callers (tests, notebooks) keep their own default
        }
    }

    private TrainConfig validatedConfig() {
        if (!MODEL_VAE.equals(model)) throw usage("--model must be vae (the only model so far), found '" + model + "'");
        if (!java.util.List.of("auto", "cpu", "cuda").contains(backend)) throw usage("--backend must be auto, cpu or cuda, found '" + backend + "'");
        if (epochs < 1) throw usage("--epochs must be >= 1, found " + epochs);
        if (batchSize < 1) throw usage("--batch-size must be >= 1, found " + batchSize);
        if (!(lr > 0) || Double.isInfinite(lr)) throw usage("--lr must be finite and > 0, found " + lr);
        if (hidden < 1 || latent < 1) throw usage("--hidden and --latent must be >= 1, found " + hidden + " and " + latent);
        if (limitTrain < 0) throw usage("--limit-train must be >= 0, found " + limitTrain);
        if (logEvery < 1) throw usage("--log-every must be >= 1, found " + logEvery);
        if (out != null && RunDirectory.holdsRun(out)) throw usage("--out " + out + " already holds a run; choose another directory");
        return new TrainConfig(epochs, batchSize, lr, seed, logEvery, PRINT_EVERY_SECONDS, SAMPLES);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** The first n images (n = 0: all). */
    static ImageSet limit(ImageSet set, int n) {
        if (n == 0 || n >= set.count()) return set;
        int size = set.imageSize();
        return new ImageSet(java.util.Arrays.copyOf(set.pixels(), n * size), java.util.Arrays.copyOf(set.labels(), n),
                n, set.channels(), set.height(), set.width(), set.classes());
    }

    private Map<String, Object> settings(Backend chosen, ImageSet train, ImageSet test) {
        LinkedHashMap<String, Object> s = new LinkedHashMap<>();
        s.put("model", model);
        s.put("hidden", hidden);
        s.put("latent", latent);
        s.put("epochs", epochs);
        s.put("batch_size", batchSize);
        s.put("lr", lr);
        s.put("seed", seed);
        s.put("data", "fashion-mnist, dynamically binarized");
        s.put("train_images", train.count());
        s.put("test_images", test.count());
        s.put("backend", chosen.name());
        s.put("backend_requested", backend);
        s.put("java", System.getProperty("java.version"));
        s.put("dgm4j", InfoCommand.version());
        s.put("started", java.time.OffsetDateTime.now().withNano(0).toString());
        return s;
    }

    /** The VAE as the trainer sees it: −ELBO and its two terms; samples are Bernoulli means. */
    static Objective objective(BernoulliVae vae) {
        return new Objective() {
            @Override
            public Module module() {
                return vae;
            }

            @Override
            public LinkedHashMap<String, Tensor> terms(Tensor x, Generator g) {
                return vae.elbo(x, g).terms();
            }

            @Override
            public Tensor sample(int n, Generator g) {
                return vae.sample(n, g);
            }

            @Override
            public Map<String, String> metadata() {
                return Map.of("model", MODEL_VAE, "hidden", Long.toString(vae.hidden()), "latent", Long.toString(vae.latent()));
            }
        };
    }
}
