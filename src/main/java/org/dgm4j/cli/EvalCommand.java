package org.dgm4j.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.io.AtomicFiles;
import org.dgm4j.train.DataSets;
import org.dgm4j.train.Examples;
import org.dgm4j.train.JsonText;
import org.dgm4j.train.Signals;
import org.dgm4j.train.TrainConfig;
import org.dgm4j.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dgm4j eval RUN}: the model's test-set terms (per-example means), printed and saved as eval.json. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a trained run on its test set: every term the model reports (e.g. -ELBO with recon and kl, "
                + "bits/dim, importance-weighted NLL where the model's config asks for it), as per-example means.", ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  dgm4j eval runs/20261122-101500-vae",
            "  dgm4j eval RUN --limit-test 1000 --set backend=cpu",
            "",
            "Exit codes: 0 success, 1 error (unreadable run, weights or data), 2 bad usage."})
public final class EvalCommand implements Callable<Integer> {
    public static final String RESULT_FILE = "eval.json";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN", description = "Run directory or checkpoint folder.")
    Path run;

    @Option(names = "--limit-test", paramLabel = "N", defaultValue = "0", description = "Only the first N test examples (0: all).")
    int limitTest;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a setting of the run's config (e.g. backend=cpu).")
    List<String> sets = new ArrayList<>();

    @Override
    public Integer call() {
        if (limitTest < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--limit-test must be >= 0, found " + limitTest);
        PrintWriter stdout = spec.commandLine().getOut(), stderr = spec.commandLine().getErr();
        Backend previous = Backends.current();
        try (SavedRun saved = SavedRun.open(run, sets)) {
            Examples test = DataSets.load(saved.config(), saved.family()).test().first(limitTest);
            long t0 = System.nanoTime();
            Trainer trainer = new Trainer(TrainConfig.from(saved.config()), saved.dir(), stdout, false, Signals.none(), Map.of());
            LinkedHashMap<String, Double> terms = trainer.evaluate(saved.model(), test);
            double seconds = (System.nanoTime() - t0) / 1e9;
            LinkedHashMap<String, Object> result = new LinkedHashMap<>();
            result.put("model", saved.family().name());
            result.put("weights", saved.weights());
            result.put("test_examples", test.count());
            result.putAll(terms);
            result.put("seconds", seconds);
            AtomicFiles.write(saved.dir().resolve(RESULT_FILE), (JsonText.objectPretty(result) + "\n").getBytes(StandardCharsets.UTF_8));
            stdout.printf(Locale.ROOT, "%s on %,d test examples (%.1f s): %s%n", saved.family().name(), test.count(), seconds, terms);
            stdout.flush();
            return 0;
        } catch (RuntimeException | java.io.IOException e) {
            stderr.println("dgm4j eval: " + e.getMessage());
            stderr.flush();
            return 1;
        } finally {
            Backends.use(previous);
        }
    }
}
