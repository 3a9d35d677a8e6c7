package org.dgm4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.junit.jupiter.api.Test;

class CudaProbeTest {
    @Test
    void probeGivesAReasonAndIsCached() {
        CudaProbe.Result r = CudaProbe.probe();
        assertFalse(r.reason().isBlank(), "reason must say why");
        assertSame(r, CudaProbe.probe(), "the probe runs once per JVM");
        assertEquals(r.available(), !r.devices().isEmpty());
    }

    @Test
    void reasonIsPreciseWithoutAGpu() {
        CudaProbe.Result r = CudaProbe.probe();
        assumeFalse(r.available(), "a CUDA device is present");
        // The library loaded and said why: the stub, no driver, or no device. A load failure would
        // mean the build did not package libdgm4j_cuda next to the JNI glue.
        assertFalse(r.reason().startsWith("native library failed to load"), r.reason());
        assertTrue(r.reason().matches("(built without CUDA|no CUDA driver|CUDA driver too old|no CUDA device).*"), r.reason());
    }

    @Test
    void selectingCudaWithoutCudaNamesTheReason() {
        CudaProbe.Result r = CudaProbe.probe();
        assumeFalse(r.available(), "a CUDA device is present");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.select("cuda"));
        assertTrue(e.getMessage().contains(r.reason()), e.getMessage());
        assertThrows(IllegalStateException.class, CudaProbe::backend);
    }

    @Test
    void autoFallsBackToTheCpu() {
        assumeFalse(CudaProbe.probe().available(), "a CUDA device is present");
        Backend b = Backends.select("auto");
        assertSame(Backends.cpu(), b);
        assertSame(b, Backends.current());
    }

    @Test
    void versionAndCauseFormatting() {
        assertEquals("13.0", CudaProbe.version(13000));
        assertEquals("12.4", CudaProbe.version(12040));
        assertEquals("unknown", CudaProbe.version(0));
        String s = CudaProbe.causes(new UnsatisfiedLinkError("outer") {{ initCause(new UnsatisfiedLinkError("inner")); }});
        assertTrue(s.indexOf("inner") < s.indexOf("outer"), s);
    }
}
