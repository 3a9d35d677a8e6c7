package org.dgm4j.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.dgm4j.backend.cuda.CudaProbe;
import org.junit.jupiter.api.Test;

/** The NCCL probe and the communicator choice where NCCL is unusable (no GPU here), in this JVM and a fresh one. */
class NcclProbeTest {
    @Test
    void probeGivesAReasonNeverThrowsAndIsCached() {
        NcclProbe.Result r = NcclProbe.probe();
        assertFalse(r.reason().isBlank());
        assertSame(r, NcclProbe.probe(), "the probe runs once per JVM");
        CudaProbe.Result cuda = CudaProbe.probe();
        if (!cuda.available()) {
            assertFalse(r.available());
            assertEquals("CUDA is not usable: " + cuda.reason(), r.reason());
        } else if (CudaProbe.emulated()) {
            assertFalse(r.available());
            assertTrue(r.reason().contains("host emulator"), r.reason());
        } else if (r.available()) {
            assertTrue(r.reason().matches("NCCL \\d+\\.\\d+\\.\\d+|NCCL \\(version unavailable.*"), r.reason());
        } else {
            assertTrue(r.reason().startsWith("NCCL failed to load: ") || r.reason().contains("presets are not on the class path"), r.reason());
        }
    }

    @Test
    void versionCodes() {
        assertEquals("2.27.3", NcclProbe.version(22703));
        assertEquals("2.8.4", NcclProbe.version(2804));
        assertEquals("unknown", NcclProbe.version(0));
    }

    @Test
    void loadFailuresNameTheMissingPiece() {
        UnsatisfiedLinkError e = new UnsatisfiedLinkError("no jninccl in java.library.path");
        e.initCause(new UnsatisfiedLinkError("libnccl.so.2: cannot open shared object file: No such file or directory"));
        String r = NcclProbe.loadFailure(e);
        assertTrue(r.startsWith("NCCL failed to load: UnsatisfiedLinkError: libnccl.so.2: cannot open shared object file"), r);
        assertTrue(r.contains("LD_LIBRARY_PATH"), r);
        assertTrue(NcclProbe.loadFailure(new NoClassDefFoundError("org/bytedeco/cuda/global/nccl")).startsWith(
                "the org.bytedeco:cuda presets are not on the class path"));
    }

    /**
     * The real binding in a fresh JVM, without the CUDA check: where the NCCL (or CUDA) libraries are
     * missing, the reason starts with the file the dynamic linker could not open, not with the JNI
     * library's name.
     */
    @Test
    void loadingTheBindingWithoutItsLibrariesSaysWhichFileIsMissing() throws Exception {
        JavaProcess.Result r = JavaProcess.run(JavaProcess.java(List.of(), NcclLoadMain.class), 60);
        assertEquals(0, r.exit(), r.output());
        String out = r.output().strip();
        if (out.startsWith("loaded: ")) return; // a machine with the driver, cudart 13 and NCCL
        assertTrue(out.startsWith("failed: NCCL failed to load: UnsatisfiedLinkError: "), out);
        assertTrue(out.contains("cannot open shared object file"), out);
        assertTrue(out.indexOf("cannot open shared object file") < out.indexOf("reported as"), "the real cause comes first: " + out);
    }

    @Test
    void whyNotNcclNamesTheReason() {
        assertEquals("the backend is cpu (NCCL reduces CUDA tensors)", Communicators.whyNotNccl("cpu"));
        assumeFalse(NcclProbe.probe().available(), "NCCL is usable here");
        CudaProbe.Result cuda = CudaProbe.probe();
        String why = Communicators.whyNotNccl("cuda");
        assertTrue(cuda.available() ? why.equals("NCCL is not usable: " + NcclProbe.probe().reason())
                : why.equals("the backend is cuda and CUDA is not usable: " + cuda.reason()), why);
        assertThrows(IllegalArgumentException.class, () -> Communicators.whyNotNccl("tpu"));
    }

    /** dist.backend=nccl without NCCL fails before anything is initialized, with the reason. */
    @Test
    void ncclRequestedWithoutNcclFailsWithTheReason() {
        assumeFalse(NcclProbe.probe().available(), "NCCL is usable here");
        for (String backend : List.of("cpu", "auto", "cuda")) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Communicators.select("nccl", backend, Communicators.Options.defaults(), Map.of("OMPI_COMM_WORLD_SIZE", "2")));
            assertEquals("dist.backend=nccl: " + Communicators.whyNotNccl(backend), e.getMessage());
        }
    }

    /** auto for one process stays local whatever the backend, and logs one line saying why. */
    @Test
    void autoAloneIsLocalWithItsReasonLogged() {
        Logger log = Logger.getLogger(Communicators.class.getName());
        List<String> lines = new java.util.ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        log.addHandler(h);
        try (Communicator c = Communicators.select("auto", "cuda", Communicators.Options.defaults(), Map.of())) {
            assertEquals("local", c.name());
        } finally {
            log.removeHandler(h);
        }
        assertEquals(List.of("communicator local (one process) (auto: not started as several processes by mpirun or srun)"), lines);
    }
}
