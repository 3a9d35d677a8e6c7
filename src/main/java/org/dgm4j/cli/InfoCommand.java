package org.dgm4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.dgm4j.backend.cuda.CudaProbe;
import org.dgm4j.dist.MpiProbe;
import org.dgm4j.dist.NcclProbe;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code dgm4j info}: what this installation is and which backends it can use, with reasons. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print versions, the CPU and its features, the backends found (with the reason CUDA is or is not usable), "
                + "and whether MPI and NCCL are usable for data parallelism (with the reason).",
        footerHeading = "%nExamples:%n",
        footer = {"  dgm4j info   e.g. in a batch job's first line: whether CUDA, MPI and NCCL will be used, and why"})
public final class InfoCommand implements Callable<Integer> {
    /** The CPU features that matter for our kernels and oneDNN's choice of code path. */
    private static final List<String> FEATURES = List.of(
            "sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "amx_tile", "asimd", "sve");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("dgm4j " + version());
        out.println("java    " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ") at " + System.getProperty("java.home"));
        out.println("os      " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        String[] cpu = cpuInfo();
        out.println("cpu     " + cpu[0]);
        out.println("        features: " + cpu[1]);
        out.println("        threads: " + Runtime.getRuntime().availableProcessors());
        out.println("backends:");
        out.println("  cpu   available (" + onednn() + ")");
        CudaProbe.Result cuda = CudaProbe.probe();
        out.println("  cuda  " + (cuda.available() ? "available" : "unavailable") + ": " + cuda.reason());
        for (String d : cuda.devices()) out.println("        " + d);
        out.println("data parallelism:");
        MpiProbe.Result mpi = MpiProbe.probe();
        out.println("  mpi   " + (mpi.available() ? "available" : "unavailable") + ": " + mpi.reason());
        NcclProbe.Result nccl = NcclProbe.probe();
        out.println("  nccl  " + (nccl.available() ? "available" : "unavailable") + ": " + nccl.reason());
        out.flush();
        return 0;
    }

    /** From the jar manifest; classes run from target/classes (tests, IDEs) have none. */
    static String version() {
        String v = InfoCommand.class.getPackage().getImplementationVersion();
        return v != null ? v : "(development build, no jar manifest)";
    }

    /** {model name, relevant flags} from /proc/cpuinfo (Linux); "unknown" where absent. */
    static String[] cpuInfo() {
        Path p = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(p)) return new String[] {"unknown (no /proc/cpuinfo)", "unknown"};
        try (Stream<String> lines = Files.lines(p)) {
            String model = "unknown";
            String flags = "";
            for (String line : (Iterable<String>) lines::iterator) {
                int colon = line.indexOf(':');
                if (colon < 0) continue;
                String key = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (model.equals("unknown") && key.equals("model name")) model = value;
                if (flags.isEmpty() && (key.equals("flags") || key.equals("Features"))) flags = value;
                if (!model.equals("unknown") && !flags.isEmpty()) break; // the first core says it all
            }
            Set<String> have = Set.of(flags.split("\\s+"));
            String found = FEATURES.stream().filter(have::contains).collect(Collectors.joining(" "));
            return new String[] {model, found.isEmpty() ? "none of " + FEATURES : found};
        } catch (IOException | RuntimeException e) {
            return new String[] {"unknown (" + e.getMessage() + ")", "unknown"};
        }
    }

    /** oneDNN's version; loading its native library takes a moment, acceptable for `info`. */
    static String onednn() {
        try {
            org.bytedeco.dnnl.dnnl_version_t v = org.bytedeco.dnnl.global.dnnl.dnnl_version();
            return String.format(Locale.ROOT, "oneDNN %d.%d.%d, cpu runtime %s", v.major(), v.minor(), v.patch(), cpuRuntime(v.cpu_runtime()));
        } catch (Throwable t) { // the CPU backend still works with plain Java loops
            return "oneDNN not loaded: " + t;
        }
    }

    private static String cpuRuntime(int r) {
        if (r == org.bytedeco.dnnl.global.dnnl.DNNL_RUNTIME_OMP) return "OpenMP";
        if (r == org.bytedeco.dnnl.global.dnnl.DNNL_RUNTIME_SEQ) return "sequential";
        if (r == org.bytedeco.dnnl.global.dnnl.DNNL_RUNTIME_TBB) return "TBB";
        if (r == org.bytedeco.dnnl.global.dnnl.DNNL_RUNTIME_THREADPOOL) return "threadpool";
        return "code " + r;
    }

    /** {@code dgm4j --version}. */
    public static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"dgm4j " + version()};
        }
    }
}
