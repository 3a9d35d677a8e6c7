package org.dgm4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.dgm4j.backend.OpTable;
import org.junit.jupiter.api.Test;

/**
 * Every op of the op table has a CUDA implementation (CudaKernels.IMPLEMENTED) and a parity spec
 * (ParitySpecs), so a new kernel cannot land without both. Needs no device.
 */
class CudaCoverageTest {
    @Test
    void everyOpHasACudaKernelAndAParitySpec() {
        List<String> missing = new ArrayList<>();
        for (OpTable.Entry e : OpTable.entries()) {
            boolean kernel = CudaKernels.IMPLEMENTED.contains(e.name());
            boolean spec = ParitySpecs.SPECS.containsKey(e.name());
            if (!kernel || !spec) missing.add(e.name() + (kernel ? "" : " (no CUDA kernel)") + (spec ? "" : " (no parity spec)"));
        }
        assertTrue(missing.isEmpty(), "op-table entries missing on CUDA: " + missing);
        for (String name : CudaKernels.IMPLEMENTED) {
            assertTrue(ParitySpecs.SPECS.containsKey(name), name + " runs on CUDA without a parity spec");
        }
    }
}
