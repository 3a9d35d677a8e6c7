package org.dgm4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.backend.cpu.OneDnn;
import org.dgm4j.backend.cuda.CudaProbe;
import org.dgm4j.bench.FlowBench;
import org.dgm4j.bench.GpuBench;
import org.dgm4j.bench.KernelBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dgm4j bench ...}: performance measurements; one subcommand per suite. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Performance measurements.",
        subcommands = {BenchCommand.Kernels.class, BenchCommand.VaeStep.class, BenchCommand.Flows.class, BenchCommand.Gpu.class},
            footerHeading = "%nExamples:%n",
            footer = {"  OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive dgm4j bench flows --only glow",
                    "  scripts/bench-vs-peers.sh runs/bench   the same steps beside PyTorch and Deeplearning4j, one table"})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing suite (try: bench kernels, bench vae-step, bench flows, bench gpu)");
    }

    /** {@code dgm4j bench kernels}: sgemm and 3x3 conv through dgm4j and through oneDNN directly. */
    @Command(name = "kernels", mixinStandardHelpOptions = true,
            description = {"GFLOP/s of sgemm and 3x3 conv2d (fwd, fwd+bwd) through dgm4j's Tensor API and through oneDNN called "
                    + "directly, in the same run, with dgm4j's overhead in %%. Shapes and FLOP counts as in the peers' benchmarks.",
                    "Set OMP_NUM_THREADS (default: all cores) and OMP_WAIT_POLICY=passive in the environment."},
            footerHeading = "%nExamples:%n",
            footer = {"  dgm4j bench kernels --only conv --reps 3"})
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
                    "Set OMP_NUM_THREADS (2 in the peers' runs) and OMP_WAIT_POLICY=passive in the environment."},
            footerHeading = "%nExamples:%n",
            footer = {"  OMP_NUM_THREADS=2 dgm4j bench vae-step",
                    "  dgm4j bench vae-step --reps 3 --profile 20   then ms per step by op"})
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
                    "Set OMP_NUM_THREADS (default: all cores) and OMP_WAIT_POLICY=passive in the environment."},
            footerHeading = "%nExamples:%n",
            footer = {"  OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive dgm4j bench flows --only realnvp2d",
                    "  dgm4j bench flows --glow-sizes 16x128,8x128   Glow with K=16 and K=8 steps per level, hidden 128"})
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

        @Option(names = "--profile", defaultValue = "0", paramLabel = "N", description = "Calls to profile per op after each timing (default ${DEFAULT-VALUE}: none).")
        int profile;

        @Override
        public Integer call() {
            if (reps < 1 || seconds <= 0 || warmup < 0 || profile < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--reps must be >= 1, --seconds > 0, --warmup >= 0, --profile >= 0");
            if (!List.of("all", "glow", "realnvp2d").contains(only)) throw new CommandLine.ParameterException(spec.commandLine(), "--only must be all, glow or realnvp2d");
            for (String s : glowSizes) {
                if (!s.matches("[1-9][0-9]*x[1-9][0-9]*")) throw new CommandLine.ParameterException(spec.commandLine(), "--glow-sizes entries are KxHIDDEN, found " + s);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "# dgm4j bench flows%n%nOMP_NUM_THREADS=%s OMP_WAIT_POLICY=%s cores=%d; warm-up %.1f s, %d reps of >= %.2f s, medians%n%n",
                    Kernels.env("OMP_NUM_THREADS"), Kernels.env("OMP_WAIT_POLICY"), Runtime.getRuntime().availableProcessors(), warmup, reps, seconds);
            out.flush();
            List<FlowBench.Row> rows = new FlowBench(warmup, seconds, reps, out).profile(profile).run(only, glowSizes);
            out.println();
            out.print(FlowBench.table(rows));
            out.flush();
            return 0;
        }
    }

    /** {@code dgm4j bench gpu}: dgm4j on CUDA vs the CPU backend vs PyTorch (measured by scripts/gpu_bench_torch.py). */
    @Command(name = "gpu", mixinStandardHelpOptions = true,
            description = {"Milliseconds per call of sgemm (plain, batched), 3x3/1x1 conv2d (fwd, fwd+bwd; a ResNet-style layer and Glow's "
                    + "first-level coupling convolutions at 28 and 32 px) and an MLP VAE training step, through dgm4j on the CUDA backend "
                    + "and on the CPU backend, as a markdown table; with --torch, next to PyTorch's times for the same shapes and the "
                    + "ratio ours / PyTorch. Medians over repetitions, the device synchronized before each clock reading.",
                    "scripts/gpu-check.sh runs it: --list writes the shapes that scripts/gpu_bench_torch.py measures, then --torch reads them back."},
            footerHeading = "%nExamples:%n",
            footer = {"  dgm4j bench gpu --list > spec.tsv && python3 scripts/gpu_bench_torch.py --spec spec.tsv --out torch.tsv",
                    "  dgm4j bench gpu --torch torch.tsv --out gpu-bench.md"})
    public static final class Gpu implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--list", description = "Print the workloads (id, kind, sizes; one per line, tab-separated) and exit.")
        boolean list;

        @Option(names = "--smoke", description = "Tiny shapes, for checking the plumbing on the CUDA emulator (its timings mean nothing).")
        boolean smoke;

        @Option(names = "--torch", paramLabel = "FILE", description = "PyTorch's times (id<TAB>ms lines from scripts/gpu_bench_torch.py).")
        Path torch;

        @Option(names = "--out", paramLabel = "FILE", description = "Also write the table (with its heading) to FILE.")
        Path out;

        @Option(names = "--only", paramLabel = "REGEX", description = "Only the workloads whose id matches (e.g. 'conv.*|vae_step').")
        String only;

        @Option(names = "--reps", defaultValue = "15", description = "Timed repetitions on CUDA (default ${DEFAULT-VALUE}).")
        int reps;

        @Option(names = "--cpu-reps", defaultValue = "3", description = "Timed repetitions on the CPU backend; 0 skips it (default ${DEFAULT-VALUE}).")
        int cpuReps;

        @Option(names = "--seconds", defaultValue = "0.1", description = "Minimum length of one repetition in seconds (default ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--warmup", defaultValue = "0.3", description = "Warm-up seconds per workload and backend, at least 2 calls (default ${DEFAULT-VALUE}).")
        double warmup;

        @Override
        public Integer call() throws IOException {
            if (reps < 1 || cpuReps < 0 || seconds < 0 || warmup < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--reps must be >= 1, --cpu-reps >= 0, --seconds and --warmup >= 0");
            }
            PrintWriter o = spec.commandLine().getOut();
            List<GpuBench.Workload> workloads = GpuBench.workloads(smoke);
            if (only != null) {
                Pattern p = Pattern.compile(only);
                workloads = workloads.stream().filter(w -> p.matcher(w.id()).matches()).toList();
                if (workloads.isEmpty()) throw new CommandLine.ParameterException(spec.commandLine(), "--only " + only + " matches no workload id");
            }
            if (list) {
                for (GpuBench.Workload w : workloads) o.println(w.specLine());
                o.flush();
                return 0;
            }
            StringBuilder notes = new StringBuilder();
            Map<String, Double> reference = torch == null ? Map.of() : GpuBench.readReference(torch, notes);
            CudaProbe.Result probe = CudaProbe.probe();
            if (!probe.available()) throw new IllegalStateException("bench gpu needs the CUDA backend: " + probe.reason());
            Backend cuda = CudaProbe.backend();
            String heading = String.format(Locale.ROOT, "## dgm4j bench gpu%s%n%n"
                            + "CUDA: %s. CPU backend: %d cores (oneDNN + Java loops), OMP_NUM_THREADS=%s.%n"
                            + "Milliseconds per call, float32: medians of %d repetitions on CUDA and %d on the CPU (each repetition >= %.2f s of "
                            + "back-to-back calls, then a device synchronize; slow rows get fewer, at least 3, see the log), after >= %.1f s "
                            + "of warm-up. conv2d: stride 1, no bias; fwd+bwd = "
                            + "forward, then dX and dW for an all-ones dY. VAE step: -ELBO, backward and Adam on a fixed binary batch; its "
                            + "GFLOP/s count the matmuls only. ours / PyTorch > 1 means dgm4j is slower.%n",
                    smoke ? " (smoke shapes: plumbing check only, the times mean nothing)" : "", probe.reason(),
                    Runtime.getRuntime().availableProcessors(), env("OMP_NUM_THREADS"), reps, cpuReps, seconds, warmup);
            if (notes.length() > 0) heading += String.format(Locale.ROOT, "PyTorch: %s%n", notes.toString().strip().replace("\n", "; "));
            else heading += String.format(Locale.ROOT, "PyTorch: not measured in this run.%n");
            o.println(heading.strip());
            o.println();
            o.flush();
            List<GpuBench.Row> rows = new GpuBench(warmup, seconds, reps, cpuReps, o).run(workloads, cuda, cpuReps == 0 ? null : Backends.cpu(), reference);
            for (GpuBench.Workload w : workloads) {
                if (torch != null && !reference.containsKey(w.id())) o.println("warning: " + torch + " has no time for " + w.id());
            }
            String table = GpuBench.table(rows);
            o.println();
            o.print(table);
            o.flush();
            if (out != null) {
                if (out.getParent() != null) Files.createDirectories(out.getParent());
                Files.writeString(out, heading + "\n" + table);
            }
            return 0;
        }

        private static String env(String name) {
            String v = System.getenv(name);
            return v == null ? "(unset)" : v;
        }
    }
}
