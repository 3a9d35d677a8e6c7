package org.dgm4j.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The library built without MPI: the build always also makes the stub (target/native/mpi-stub); a
 * fresh JVM told to search that directory first (as the cuda-emu tests do for the emulator) loads it
 * under the same soname through the same binding, and must say precisely why MPI is missing.
 */
class MpiStubTest {
    @Test
    void stubSaysWhyAndSelectionFollows() throws Exception {
        Path stubDir = Path.of("target", "native", "mpi-stub");
        assertTrue(Files.isRegularFile(stubDir.resolve("libdgm4j_mpi.so")), "the build makes the stub in " + stubDir);
        List<String> cmd = JavaProcess.java(List.of("-Dorg.bytedeco.javacpp.pathsFirst=true",
                "-Djava.library.path=" + stubDir.toAbsolutePath()), ProbeMain.class);
        JavaProcess.Result r = JavaProcess.run(cmd, 60);
        assertEquals(0, r.exit(), r.output());
        String out = r.output();
        assertTrue(out.contains("available: false"), out);
        assertTrue(out.contains("reason: built without MPI (stub built for tests)"), out);
        assertTrue(out.contains("mpi: IllegalStateException: MPI is not usable: built without MPI (stub built for tests)"), out);
        // Started as 2 processes but no MPI: refuse rather than run 2 independent copies.
        assertTrue(out.contains("auto-launched: IllegalStateException: started as one of 2 processes (OMPI_COMM_WORLD_SIZE=2) but MPI is "
                + "not usable: built without MPI (stub built for tests)"), out);
        assertTrue(out.contains("auto-alone: selected local (one process)"), out);
    }
}
