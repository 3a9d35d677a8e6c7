package org.dgm4j.backend;

import java.util.logging.Logger;
import org.dgm4j.backend.cpu.CpuBackend;
import org.dgm4j.backend.cuda.CudaProbe;

/**
 * Chooses the backend: {@code auto} (CUDA when its probe succeeds, else the CPU), {@code cpu}, or
 * {@code cuda} (fails with the probe's reason when CUDA is unavailable). The choice and its reason
 * are logged once. {@link #current()} is the backend new tensors go to when none is named.
 */
public final class Backends {
    private static final Logger LOG = Logger.getLogger(Backends.class.getName());
    private static volatile Backend current;

    private Backends() {}

    public static Backend cpu() {
        return CpuBackend.get();
    }

    /** The default backend; the CPU until {@link #use} or {@link #select} sets another. */
    public static Backend current() {
        Backend b = current;
        return b != null ? b : cpu();
    }

    public static void use(Backend backend) {
        current = backend;
    }

    private static Backend cudaOrNull() {
        try {
            return CudaProbe.backend();
        } catch (IllegalStateException e) {
            return null;
        }
    }

    /** Resolves {@code auto | cpu | cuda}, makes it current and logs the choice with its reason. */
    public static synchronized Backend select(String choice) {
        Backend chosen;
        String reason;
        switch (choice) {
            case "cpu" -> {
                chosen = cpu();
                reason = "requested";
            }
            case "cuda" -> {
                CudaProbe.Result probe = CudaProbe.probe();
                if (!probe.available()) throw new IllegalStateException("--backend cuda: CUDA is not usable: " + probe.reason());
                chosen = CudaProbe.backend();
                reason = "requested; " + probe.reason();
            }
            case "auto" -> {
                CudaProbe.Result probe = CudaProbe.probe();
                Backend cuda = probe.available() ? cudaOrNull() : null;
                if (cuda != null) {
                    chosen = cuda;
                    reason = "auto: " + probe.reason();
                } else if (probe.available()) {
                    chosen = cpu();
                    reason = "auto: CUDA found (" + probe.reason() + ") but the CUDA backend is not in this build";
                } else {
                    chosen = cpu();
                    reason = "auto: CUDA not used (" + probe.reason() + ")";
                }
            }
            default -> throw new IllegalArgumentException("backend must be auto, cpu or cuda, found '" + choice + "'");
        }
        if (current != chosen) LOG.info("backend " + chosen.name() + " (" + reason + ")");
        current = chosen;
        return chosen;
    }
}
