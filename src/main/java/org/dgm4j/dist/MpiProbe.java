package org.dgm4j.dist;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;

/**
 * Finds out once per JVM whether the MPI shim is usable, and why not. This is the only place that
 * loads {@link MpiNative} (a JavaCPP class whose library failed to load stays broken for the JVM's
 * life, so the outcome and its exact reason are cached here). Probing loads libmpi but does not
 * initialize MPI: that is {@link MpiCommunicator#open}'s explicit step.
 */
public final class MpiProbe {
    /**
     * @param available true when libdgm4j_mpi was built against MPI and loaded with its libmpi
     * @param reason    one line: why MPI is unavailable, or the MPI library's own name when it is,
     *                  e.g. {@code Open MPI v4.1.4}
     */
    public record Result(boolean available, String reason) {}

    private MpiProbe() {}

    /** Lazy holder: the probe runs on first use, exactly once, thread-safely. */
    private static final class Holder {
        static final Result RESULT = run();
    }

    public static Result probe() {
        return Holder.RESULT;
    }

    private static Result run() {
        try {
            return query();
        } catch (Throwable t) { // UnsatisfiedLinkError (e.g. libmpi.so.40 missing), NoClassDefFoundError, ...
            return new Result(false, "native library failed to load: " + causes(t));
        }
    }

    private static Result query() {
        if (MpiNative.dgm4j_mpi_built_with_mpi() == 0) { // first touch: loads the libraries
            // The stub's message: "dgm4j was built without MPI (<why>)".
            return new Result(false, lastError().replaceFirst("^dgm4j was ", ""));
        }
        try (BytePointer buf = new BytePointer(4096)) {
            if (MpiNative.dgm4j_mpi_library_version(buf, 4096) != MpiNative.DGM4J_MPI_OK) {
                return new Result(true, "MPI (library version unavailable: " + lastError() + ")");
            }
            return new Result(true, libraryName(buf.getString()));
        }
    }

    /**
     * The first clause of MPI_Get_library_version's text, which runs over several lines, e.g.
     * "Open MPI v4.1.4, package: Debian OpenMPI, ident: 4.1.4, ..." gives "Open MPI v4.1.4".
     */
    static String libraryName(String version) {
        String s = version.indexOf('\0') >= 0 ? version.substring(0, version.indexOf('\0')) : version;
        s = s.strip();
        int cut = s.length();
        for (char c : new char[] {',', '\n', '\r'}) if (s.indexOf(c) >= 0) cut = Math.min(cut, s.indexOf(c));
        s = s.substring(0, cut).strip();
        return s.isEmpty() ? "MPI (unnamed library)" : s;
    }

    static String lastError() {
        BytePointer p = MpiNative.dgm4j_mpi_last_error();
        return p == null || p.isNull() ? "" : p.getString();
    }

    /** The cause chain, innermost first: UnsatisfiedLinkError names the JNI library, its cause the missing file. */
    static String causes(Throwable t) {
        List<String> chain = new ArrayList<>();
        for (Throwable c = t; c != null && chain.size() < 8; c = c.getCause()) {
            chain.add(0, c.getClass().getSimpleName() + ": " + c.getMessage());
        }
        return String.join("; reported as ", chain);
    }
}
