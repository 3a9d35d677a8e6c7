package org.dgm4j.cli;

import org.dgm4j.bench.FlowBench;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dgm4j.backend.cpu.OneDnn;
import org.dgm4j.bench.KernelBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dgm4j bench ...}: performance measurements; one subcommand per suite. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Performance measurements.",
        subcommands = {BenchCommand.Kernels.class, BenchCommand.VaeStep.class, BenchCommand.Flows.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing suite (try: bench kernels, bench vae-step, bench flows)");
    }

    /** {@code dgm4j bench kernels}: sgemm and 3x3 conv through dgm4j and through oneDNN directly. */
    @Command(name = "kernels", mixinStandardHelpOptions = true,
            description = {"GFLOP/s of sgemm and 3x3 conv2d (fwd, fwd+bwd) through dgm4j's Tensor API and through oneDNN called "
                    + "directly, in the same run, with dgm4j's overhead in %. Shapes and FLOP counts as in the peers' benchmarks.",
                    "Set OMP_NUM_THREADS (default: all cores) and OMP_WAIT_POLICY=passive in the environment."})
    public static final class Kernels implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--reps", defaultValue = "7", description = "Timed repetitions per path; the median is reported (default ${DEFAULT-VALUE}).")
        int reps;

        @Option(names = "--seconds", defaultValue = "0.5", description = "Minimum length of one repetition in seconds (default ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--warmup", defaultValue = "1.0", description = "Warm-up seconds per path (default ${DEFAULT-VALUE}).")
        double warmup;

        @Option(names = "--only", defaultValue = "all", description = "all, gemm or conv (default ${DEFAULT-VALUE}).")
        String only;

        @Override
        public Integer call() {
            if (reps < 1 || seconds <= 0 || warmup < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--reps must be >= 1, --seconds > 0, --warmup >= 0");
            if (!List.of("all", "gemm", "conv").contains(only)) throw new CommandLine.ParameterException(spec.commandLine(), "--only must be all, gemm or conv");
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "# dgm4j bench kernels%n%nOMP_NUM_THREADS=%s OMP_WAIT_POLICY=%s cores=%d, conv layout %s; "
                            + "warm-up %.1f s, %d reps of >= %.2f s, medians%n%n",
                    env("OMP_NUM_THREADS"), env("OMP_WAIT_POLICY"), Runtime.getRuntime().availableProcessors(), OneDnn.convLayout(),
                    warmup, reps, seconds);
            out.flush();
            List<KernelBench.Row> rows = new KernelBench(warmup, seconds, reps, out).run(only);
            out.println();
            out.print(KernelBench.table(rows));
            out.flush();
            return 0;
        }

        private static String env(String name) {
            String v = System.getenv(name);
            return v == null ? "(unset)" : v;
        }
    }

    /** {@code dgm4j bench vae-step}: the peers' VAE training step, timed their way, optionally profiled per op. */
    @Command(name = "vae-step", mixinStandardHelpOptions = true,
            description = {"The peers' \"VAE train step\" (MLP 784-512-512-2x32, B=128, Bernoulli, Adam) timed as the peers time it: "
                    + "warm-up, repetitions of >= --seconds, median per call; the row prints in the peers' table format. "
                    + "With --profile N, then N more steps with every op timed (ms per step by op).",
                    "Set OMP_NUM_THREADS (2 in the peers' runs) and OMP_WAIT_POLICY=passive in the environment."})
    public static final class VaeStep implements Callable<Integer> {
        @Option(names = "--reps", defaultValue = "11", description = "Timed repetitions; the median is reported (default ${DEFAULT-VALUE}).")
        int reps;

        @Option(names = "--seconds", defaultValue = "1.0", description = "Minimum length of one repetition in seconds (default ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--warmup", defaultValue = "2.0", description = "Warm-up seconds (default ${DEFAULT-VALUE}).")
        double warmup;

        @Option(names = "--profile", defaultValue = "0", paramLabel = "N", description = "Steps to profile per op after the timing (default ${DEFAULT-VALUE}: none).")
        int profile;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (reps < 1 || seconds <= 0 || warmup < 0 || profile < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--reps >= 1, --seconds > 0, --warmup >= 0, --profile >= 0");
            PrintWriter out = spec.commandLine().getOut();
            org.dgm4j.backend.Backend previous = org.dgm4j.backend.Backends.current();
            org.dgm4j.backend.Backends.use(org.dgm4j.backend.Backends.cpu());
            out.printf(Locale.ROOT, "# dgm4j bench vae-step (cpu)%n%nOMP_NUM_THREADS=%s OMP_WAIT_POLICY=%s cores=%d; warm-up %.1f s, %d reps of >= %.2f s, median%n%n",
                    System.getenv().getOrDefault("OMP_NUM_THREADS", "(unset)"), System.getenv().getOrDefault("OMP_WAIT_POLICY", "(unset)"),
                    Runtime.getRuntime().availableProcessors(), warmup, reps, seconds);
            out.flush();
            try {
                org.dgm4j.bench.VaeStepBench.run(warmup, seconds, reps, profile, out);
            } finally {
                org.dgm4j.backend.Backends.use(previous);
            }
            return 0;
        }
    }

    /** {@code dgm4j bench flows}: the Glow and RealNVP-2D training steps of the peers' benchmarks. */
    @Command(name = "flows", mixinStandardHelpOptions = true,
            description = {"Median ms per call of the Glow training step and log-likelihood (1x28x28, L=2, B=64) and the RealNVP-2D "
                    + "training step (8 couplings, MLP 1-256-256-2, B=1024), sizes and timing method as the peers' benchmarks "
                    + "(warm-up >= 2 s and 5 calls, repetitions >= 1 s, median).",
                    "Set OMP_NUM_THREADS (default: all cores) and OMP_WAIT_POLICY=passive in the environment."})
    public static final class Flows implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--reps", defaultValue = "11", description = "Timed repetitions; the median is reported (default ${DEFAULT-VALUE}).")
        int reps;

        @Option(names = "--seconds", defaultValue = "1.0", description = "Minimum length of one repetition in seconds (default ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--warmup", defaultValue = "2.0", description = "Warm-up seconds per benchmark (default ${DEFAULT-VALUE}).")
        double warmup;

        @Option(names = "--only", defaultValue = "all", description = "all, glow or realnvp2d (default ${DEFAULT-VALUE}).")
        String only;

        @Option(names = "--glow-sizes", defaultValue = "8x128,16x256", split = ",", description = "Glow sizes KxHIDDEN (default ${DEFAULT-VALUE}).")
        List<String> glowSizes;

        @Override
        public Integer call() {
            if (reps < 1 || seconds <= 0 || warmup < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--reps must be >= 1, --seconds > 0, --warmup >= 0");
            if (!List.of("all", "glow", "realnvp2d").contains(only)) throw new CommandLine.ParameterException(spec.commandLine(), "--only must be all, glow or realnvp2d");
            for (String s : glowSizes) {
                if (!s.matches("[1-9][0-9]*x[1-9][0-9]*")) throw new CommandLine.ParameterException(spec.commandLine(), "--glow-sizes entries are KxHIDDEN, found " + s);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "# dgm4j bench flows%n%nOMP_NUM_THREADS=%s OMP_WAIT_POLICY=%s cores=%d; warm-up %.1f s, %d reps of >= %.2f s, medians%n%n",
                    Kernels.env("OMP_NUM_THREADS"), Kernels.env("OMP_WAIT_POLICY"), Runtime.getRuntime().availableProcessors(), warmup, reps, seconds);
            out.flush();
            List<FlowBench.Row> rows = new FlowBench(warmup, seconds, reps, out).run(only, glowSizes);
            out.println();
            out.print(FlowBench.table(rows));
            out.flush();
            return 0;
        }
    }
}
