package org.dgm4j.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MpiProbeTest {
    @Test
    void probeGivesAReasonAndIsCached() {
        MpiProbe.Result r = MpiProbe.probe();
        assertFalse(r.reason().isBlank());
        assertSame(r, MpiProbe.probe(), "the probe runs once per JVM");
        // The library loaded: the packaging put libdgm4j_mpi beside the JNI glue (a load failure is a build bug).
        assertFalse(r.reason().startsWith("native library failed to load"), r.reason());
        if (!r.available()) assertTrue(r.reason().startsWith("built without MPI ("), r.reason());
    }

    @Test
    void libraryNameIsTheFirstClause() {
        assertEquals("Open MPI v4.1.4", MpiProbe.libraryName("Open MPI v4.1.4, package: Debian OpenMPI, ident: 4.1.4\nmore\0junk"));
        assertEquals("MPICH Version:\t4.0", MpiProbe.libraryName("MPICH Version:\t4.0\nMPICH Release date: ..."));
        assertEquals("MPI (unnamed library)", MpiProbe.libraryName("  \n"));
    }

    /** MpiNative's constants must match the #defines of mpi.h, and dtype codes the DType ordinals. */
    @Test
    void statusCodesMatchTheHeader() throws IOException {
        String text = Files.readString(Path.of("native/include/dgm4j/mpi.h"));
        Matcher m = Pattern.compile("#define (DGM4J_MPI_\\w+) (\\d+)").matcher(text);
        Map<String, Integer> header = new HashMap<>();
        while (m.find()) header.put(m.group(1), Integer.parseInt(m.group(2)));
        Map<String, Integer> java = new HashMap<>();
        for (var f : MpiNative.class.getDeclaredFields()) {
            if (f.getName().startsWith("DGM4J_MPI_") && f.getType() == int.class) {
                try {
                    f.setAccessible(true);
                    java.put(f.getName(), f.getInt(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        assertEquals(header, java);
    }
}
