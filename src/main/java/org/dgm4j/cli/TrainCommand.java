package org.dgm4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.config.Config;
import org.dgm4j.config.ConfigEntry;
import org.dgm4j.config.ConfigException;
import org.dgm4j.config.ConfigKey;
import org.dgm4j.data.DataFileException;
import org.dgm4j.dist.Communicator;
import org.dgm4j.dist.CommunicatorException;
import org.dgm4j.dist.Communicators;
import org.dgm4j.io.AtomicFiles;
import org.dgm4j.train.Checkpoints;
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
 * {@code dgm4j train}: resolves a run's config (defaults, a YAML file, options, {@code --set}s), trains
 * the chosen family through {@link Trainer}, and resumes from checkpoints. With no arguments it trains
 * a small VAE on Fashion-MNIST in about a minute on a laptop CPU.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a generative model. The run directory gets config.yaml (the resolved settings), run.json "
                + "(version, backend, machine), metrics.csv and metrics.jsonl, loss.png, samples-epoch-<e>.png after every epoch, "
                + "checkpoints/step-* and finally model.safetensors.",
                "Settings come from the defaults, then --config FILE, then the options below, then --set KEY=VALUE (later wins); "
                + "--list-keys shows every key of a model.", ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  dgm4j train                                  default VAE, about a minute on 2 cores",
            "  dgm4j train --set train.epochs=20 --set model.latent=32",
            "  dgm4j train --config run.yaml --out runs/a   settings from a YAML file",
            "  dgm4j train --out runs/a --resume auto       continue runs/a from its newest valid checkpoint",
            "                                               (starts it when there is none: safe to requeue)",
            "  dgm4j train --model vae --list-keys          every setting with its type and default",
            "",
            "Exit codes: 0 success; 1 error (dataset missing, non-finite loss, unusable checkpoint);",
            "            2 bad usage or config; 3 checkpointed on SIGTERM/SIGUSR1 and stopped (resume with --resume auto)."})
public final class TrainCommand implements Callable<Integer> {
    public static final String CONFIG_FILE = "config.yaml";
    /** Keys a resumed run may change; every other key must equal the checkpoint's. */
    // the schedule is a function of the step (and of train.epochs): a run may switch to cosine to anneal its rest;
    // clipping may be switched on to resume from a checkpoint before a loss spike
    private static final Set<String> RESUMABLE_CHANGES = Set.of("backend", "train.epochs", "train.log_every", "train.print_every_s",
            "train.lr_schedule", "train.warmup_steps", "train.clip_norm", "checkpoint.every_steps", "checkpoint.every_minutes", "checkpoint.keep",
            "signals.usr1", "guard.rollbacks", "dist.backend");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML file of settings (nested or dotted keys).")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one setting; repeatable, applied last.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--model", paramLabel = "NAME", description = "Model family (key model; default vae).")
    String model;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training set (key train.epochs).")
    String epochs;

    @Option(names = "--batch-size", paramLabel = "N", description = "Examples per step (key train.batch_size).")
    String batchSize;

    @Option(names = "--lr", paramLabel = "RATE", description = "Learning rate (key train.lr).")
    String lr;

    @Option(names = "--seed", paramLabel = "N", description = "Seed (key train.seed).")
    String seed;

    @Option(names = "--backend", paramLabel = "auto|cpu|cuda", description = "auto: CUDA when usable, else CPU (key backend).")
    String backend;

    @Option(names = "--limit-train", paramLabel = "N", description = "Only the first N training examples, for smoke tests (key data.limit_train).")
    String limitTrain;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/<yyyyMMdd-HHmmss>-<model>).")
    Path out;

    @Option(names = "--resume", paramLabel = "auto|PATH", description = "auto: continue --out DIR from its newest valid checkpoint, or start it; "
            + "PATH: a run directory or one checkpoint folder.")
    String resume;

    @Option(names = "--list-keys", description = "Print every setting of the chosen model (type, default, meaning) and exit.")
    boolean listKeys;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut(), stderr = spec.commandLine().getErr();
        Path runDir = runDirectoryToResume();
        List<ConfigEntry> entries = entries(runDir);
        String name = Config.peek(entries, "model");
        ModelFamily family = ModelFamilies.byName(name == null ? "vae" : name);
        if (family == null) throw usage("model: expected one of " + String.join(", ", ModelFamilies.names()) + ", found '" + name + "'");
        List<ConfigKey> schema = RunSchema.keys(family, ModelFamilies.names());
        if (listKeys) {
            stdout.printf("Settings of model %s (%s):%n%s", family.name(), family.summary(), Config.describe(schema));
            stdout.flush();
            return 0;
        }
        Config config;
        TrainConfig loop;
        try {
            config = Config.resolve(schema, entries);
            loop = TrainConfig.from(config);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        Backend previous = Backends.current();
        Communicator comm;
        try { // before the backend: NCCL creates the CUDA backend on this process's GPU
            comm = Communicators.select(config.getString("dist.backend"), config.getString("backend"), Communicators.Options.defaults());
        } catch (IllegalStateException | IllegalArgumentException | CommunicatorException e) {
            // no MPI or NCCL where they were asked for: a message, not a stack trace
            stderr.println("dgm4j train: " + e.getMessage());
            stderr.flush();
            return 1;
        }
        try {
            Backend chosen = Backends.select(config.getString("backend"));
            Checkpoints.Loaded checkpoint = null;
            if (runDir != null) {
                checkpoint = checkpointToResume(runDir, chosen, stderr);
                if (checkpoint != null) requireSameRun(checkpoint, config, schema);
            } else if (comm.isRoot()) {
                runDir = out != null ? RunDirectory.given(out) : RunDirectory.fresh(Path.of(""), family.name(), LocalDateTime.now());
            }
            if (comm.size() > 1) { // every process uses rank 0's directory (a fresh one's name has a time in it)
                runDir = Path.of(new String(comm.broadcast(comm.isRoot() ? runDir.toString().getBytes(StandardCharsets.UTF_8) : null, 0), StandardCharsets.UTF_8));
            }
            DataSets.Split data = DataSets.load(config, family);
            try (Checkpoints.Loaded resumed = checkpoint;
                    Trainable model = family.create(config, data.train().exampleShape(), Trainer.stream(loop.seed(), Trainer.INIT));
                    Signals signals = Signals.install(loop.usr1Continue())) {
                if (comm.isRoot()) {
                    RunDirectory.writeSettings(runDir, settings(chosen, config, data, comm));
                    AtomicFiles.write(runDir.resolve(CONFIG_FILE), config.toYaml().getBytes(StandardCharsets.UTF_8));
                } else {
                    stdout = new PrintWriter(java.io.Writer.nullWriter()); // rank 0 speaks for the job
                }
                stdout.printf(Locale.ROOT, "%s %s (%,d parameters) on %,d %s examples for %d epoch(s), backend %s%nrun directory: %s%n",
                        resumed != null ? "resuming at step " + resumed.step() + ":" : "training", family.name(), model.module().parameterCount(),
                        data.train().count(), data.description(), loop.epochs(), chosen.name(), runDir);
                if (!signals.unavailable().isEmpty()) stdout.println("note: cannot handle " + signals.unavailable());
                stdout.flush();
                Trainer.Result r = new Trainer(loop, runDir, stdout, System.console() != null, signals, config.values(), comm)
                        .fit(model, data.train(), data.test(), resumed);
                if (r.stopped()) {
                    stdout.printf(Locale.ROOT, "stopped by %s at step %d; checkpoint %s%n", r.stoppedBy(), r.steps(), r.checkpoint());
                    stdout.flush();
                    return 3;
                }
                stdout.printf(Locale.ROOT, "done in %.1f s (%d steps): test %s%nsamples: %s%nmodel:   %s%n",
                        r.seconds(), r.steps(), r.test(), r.samples(), r.model());
                stdout.flush();
            }
            return 0;
        } catch (DataFileException | IllegalStateException | IllegalArgumentException | IOException e) {
            // expected failures (no dataset, no GPU, a used --out, divergence) get a message, not a stack trace
            stderr.println("dgm4j train: " + (comm.size() > 1 ? "rank " + comm.rank() + ": " : "") + e.getMessage());
            stderr.flush();
            if (comm.size() > 1) comm.abort(1); // the other processes would wait forever in the next collective
            return 1;
        } finally {
            comm.close();
            Backends.use(previous); // in-process callers (tests, notebooks) keep their own default
        }
    }

    /** The run directory a --resume names (null without --resume, or with auto on a directory that holds no run yet). */
    private Path runDirectoryToResume() {
        if (resume == null) {
            if (out != null && RunDirectory.holdsRun(out)) throw usage("--out " + out + " already holds a run; choose another directory or add --resume auto");
            return null;
        }
        if (resume.equals("auto")) {
            if (out == null) throw usage("--resume auto needs --out DIR (the run to continue)");
            return RunDirectory.holdsRun(out) ? out : null;
        }
        Path p = Path.of(resume);
        if (Files.isRegularFile(p.resolve(Checkpoints.STATE))) p = p.getParent().getParent(); // a checkpoint folder
        if (!RunDirectory.holdsRun(p)) throw usage("--resume " + resume + ": expected a run directory or a checkpoint folder, found neither");
        return p;
    }

    /** The config file, a resumed run's own config.yaml (when no --config is given), the options, then the --sets. */
    private List<ConfigEntry> entries(Path runDir) throws IOException {
        List<ConfigEntry> e = new ArrayList<>();
        try {
            if (configFile != null) {
                if (!Files.isRegularFile(configFile)) throw usage("--config " + configFile + ": no such file");
                e.addAll(ConfigEntry.yaml(configFile));
            } else if (runDir != null && Files.isRegularFile(runDir.resolve(CONFIG_FILE))) {
                e.addAll(ConfigEntry.yaml(runDir.resolve(CONFIG_FILE)));
            }
            option(e, "--model", "model", model);
            option(e, "--epochs", "train.epochs", epochs);
            option(e, "--batch-size", "train.batch_size", batchSize);
            option(e, "--lr", "train.lr", lr);
            option(e, "--seed", "train.seed", seed);
            option(e, "--backend", "backend", backend);
            option(e, "--limit-train", "data.limit_train", limitTrain);
            for (String s : sets) e.add(ConfigEntry.assignment("--set", s));
        } catch (ConfigException x) {
            throw usage(x.getMessage());
        }
        return e;
    }

    private static void option(List<ConfigEntry> e, String option, String key, String value) {
        if (value != null) e.add(new ConfigEntry(key, value, option + " " + value));
    }

    /** With --resume auto, the newest valid checkpoint or none (start afresh); with a PATH, that checkpoint or the newest, or an error. */
    private Checkpoints.Loaded checkpointToResume(Path runDir, Backend backend, PrintWriter stderr) throws IOException {
        if (resume.equals("auto") || !Files.isRegularFile(Path.of(resume).resolve(Checkpoints.STATE))) {
            Checkpoints.Loaded c = Checkpoints.newestValid(runDir, backend, m -> {
                stderr.println("dgm4j train: " + m);
                stderr.flush();
            });
            if (c == null && !resume.equals("auto")) throw new IllegalArgumentException(runDir + " has no valid checkpoint to resume");
            return c;
        }
        return Checkpoints.read(Path.of(resume), backend);
    }

    /**
     * A resumed run must continue the same configuration, except keys that are safe to change. A key
     * the checkpoint lacks (added by a later dgm4j) counts as its default.
     */
    private static void requireSameRun(Checkpoints.Loaded c, Config config, Collection<ConfigKey> schema) {
        if (!(c.state().get("config") instanceof Map<?, ?> saved)) throw new DataFileException(c.dir().toString(), -1, "checkpoint has no config");
        Map<String, Object> defaults = new HashMap<>();
        schema.forEach(k -> defaults.put(k.name(), k.defaultValue()));
        for (var e : config.values().entrySet()) {
            if (RESUMABLE_CHANGES.contains(e.getKey())) continue;
            Object was = saved.containsKey(e.getKey()) ? saved.get(e.getKey()) : defaults.get(e.getKey());
            if (was == null || !same(was, e.getValue())) {
                throw new IllegalArgumentException("cannot resume " + c.dir() + ": it was made with " + e.getKey() + " = " + was
                        + ", this run has " + e.getValue() + " (only " + String.join(", ", new java.util.TreeSet<>(RESUMABLE_CHANGES)) + " may change)");
            }
        }
    }

    private static boolean same(Object saved, Object now) {
        if (saved instanceof Number a && now instanceof Number b) return a.doubleValue() == b.doubleValue();
        return saved.toString().equals(now.toString());
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private Map<String, Object> settings(Backend chosen, Config config, DataSets.Split data, Communicator comm) {
        LinkedHashMap<String, Object> s = new LinkedHashMap<>(config.values());
        s.put("processes", comm.describe());
        s.put("data", data.description());
        s.put("train_examples", data.train().count());
        s.put("test_examples", data.test().count());
        s.put("backend_used", chosen.name());
        s.put("dgm4j", InfoCommand.version());
        s.put("java", System.getProperty("java.version"));
        s.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        s.put("host", hostName());
        s.put("cpus", Runtime.getRuntime().availableProcessors());
        s.put("started", java.time.OffsetDateTime.now().withNano(0).toString());
        return s;
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
