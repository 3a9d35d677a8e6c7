package org.dgm4j.backend.cuda;

import java.util.List;
import org.dgm4j.backend.Backend;

/** Placeholder until the native CUDA probe lands: reports CUDA as unavailable. */
public final class CudaProbe {
    public record Result(boolean available, String reason, List<String> devices) {}

    private CudaProbe() {}

    public static Result probe() {
        return new Result(false, "dgm4j was built without the CUDA probe", List.of());
    }

    public static Backend backend() {
        throw new IllegalStateException("CUDA backend not available: " + probe().reason());
    }
}
