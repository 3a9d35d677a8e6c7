package org.dgm4j.flow;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.dgm4j.backend.Backend;
import org.dgm4j.backend.cuda.CudaProbe;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * {@link FlowSuite} on the CUDA backend: a GPU, or in {@code mvn test}'s cuda-emu execution the same
 * kernels on the host emulator. Skipped (never failed) without either.
 */
@Tag("cuda")
class FlowCudaTest extends FlowSuite {
    private static Backend gpu;

    @BeforeAll
    static void device() {
        CudaProbe.Result probe = CudaProbe.probe();
        assumeTrue(probe.available(), () -> "no CUDA device: " + probe.reason());
        gpu = CudaProbe.backend();
    }

    @Override
    Backend backend() {
        return gpu;
    }

    /** On the emulator every kernel launch costs milliseconds: no element-by-element finite differences. */
    @Override
    boolean small() {
        return CudaProbe.emulated();
    }
}
