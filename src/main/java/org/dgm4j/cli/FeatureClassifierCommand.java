package org.dgm4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.data.DataFileException;
import org.dgm4j.data.FashionMnist;
import org.dgm4j.eval.FeatureClassifier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dgm4j feature-classifier}: trains the Fashion-MNIST classifier of {@link FeatureClassifier}
 * and writes its weights, with the version, the test accuracy and this command in the metadata. The
 * shipped resource was made by the command in FeatureClassifier's documentation.
 */
@Command(name = "feature-classifier", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train the Fashion-MNIST classifier whose 128 penultimate features `dgm4j quality` uses "
                + "(Frechet distance, precision, recall; not the Inception network of FID) and write it as safetensors.", ""},
        footerHeading = "%nExample:%n",
        footer = {"  dgm4j feature-classifier --out fashion-mnist-classifier-v1.safetensors --epochs 5 --seed 0 --backend cpu",
            "  (the file shipped in src/main/resources/org/dgm4j/eval/ was made so)"})
public final class FeatureClassifierCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The safetensors file to write (refused if it exists).")
    Path out;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the 60,000 training images (default ${DEFAULT-VALUE}).")
    int epochs = FeatureClassifier.EPOCHS;

    @Option(names = "--seed", paramLabel = "N", description = "Initialization and shuffling seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--version-tag", paramLabel = "TAG", description = "Version string stored in the metadata (default ${DEFAULT-VALUE}).")
    String versionTag = FeatureClassifier.VERSION;

    @Option(names = "--backend", paramLabel = "auto|cpu|cuda", description = "Backend (default ${DEFAULT-VALUE}).")
    String backend = "cpu";

    @Override
    public Integer call() throws Exception {
        var stdout = spec.commandLine().getOut();
        var stderr = spec.commandLine().getErr();
        if (epochs < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--epochs must be >= 1, found " + epochs);
        if (Files.exists(out)) throw new CommandLine.ParameterException(spec.commandLine(), "--out " + out + " exists; choose another file");
        Backend previous = Backends.current();
        try {
            Backends.use(Backends.select(backend));
            FashionMnist data = new FashionMnist();
            long t0 = System.nanoTime();
            try (FeatureClassifier c = FeatureClassifier.train(data.train(), data.test(), epochs, seed, stdout)) {
                double accuracy = c.accuracy(data.test());
                String command = String.format(Locale.ROOT, "dgm4j feature-classifier --out %s --epochs %d --seed %d --version-tag %s --backend %s",
                        out.getFileName(), epochs, seed, versionTag, backend);
                c.save(out, versionTag, accuracy, command);
                stdout.printf(Locale.ROOT, "test accuracy %.4f  (%d parameters, %.1f s)%nwrote %s (%d bytes, SHA-256 %s)%n",
                        accuracy, c.parameterCount(), (System.nanoTime() - t0) / 1e9, out, Files.size(out), FeatureClassifier.sha256(Files.readAllBytes(out)));
                stdout.flush();
            }
            return 0;
        } catch (DataFileException | IllegalStateException | IllegalArgumentException e) {
            stderr.println("dgm4j feature-classifier: " + e.getMessage());
            stderr.flush();
            return 1;
        } finally {
            Backends.use(previous);
        }
    }
}
