package org.dgm4j.dist;

import org.bytedeco.javacpp.IntPointer;
import org.dgm4j.backend.cuda.CudaProbe;

/**
 * Finds out once per JVM whether NCCL is usable, and why not. This is the only place that loads the
 * CUDA presets' NCCL binding ({@code org.bytedeco.cuda.global.nccl}), and only after the CUDA probe
 * succeeded on a real GPU: a JavaCPP class whose native library failed to load stays broken for the
 * JVM's life, so the outcome and its exact reason are cached here. Loading the binding loads the
 * presets' JNI libraries of cudart and then NCCL ({@code libjnicudart.so}, {@code libjninccl.so}, in
 * the org.bytedeco:cuda linux-x86_64 jar), which need {@code libcuda.so.1} (the driver),
 * {@code libcudart.so.13} and {@code libnccl.so.2} from the system, found through LD_LIBRARY_PATH,
 * the loader's cache, java.library.path or the presets' CUDA folders; no jar carries them.
 */
public final class NcclProbe {
    /**
     * @param available true when the CUDA backend runs on a GPU and libnccl loaded
     * @param reason    one line: why NCCL is unavailable, or its version when it is, e.g. {@code NCCL 2.27.3}
     */
    public record Result(boolean available, String reason) {}

    private NcclProbe() {}

    /** Lazy holder: the probe runs on first use, exactly once, thread-safely. */
    private static final class Holder {
        static final Result RESULT = run();
    }

    /** Never throws; the first call probes CUDA (when not done yet) and may load libnccl. */
    public static Result probe() {
        return Holder.RESULT;
    }

    private static Result run() {
        try {
            CudaProbe.Result cuda = CudaProbe.probe();
            if (!cuda.available()) return new Result(false, "CUDA is not usable: " + cuda.reason());
            if (CudaProbe.emulated()) return new Result(false, "the CUDA library is the host emulator; NCCL needs a GPU");
            return new Result(true, Library.version());
        } catch (Throwable t) { // UnsatisfiedLinkError (libnccl.so.2 missing), NoClassDefFoundError (no presets jar), ...
            return new Result(false, loadFailure(t));
        }
    }

    /** The reason for a failed load: the whole cause chain, innermost first, and what to install. */
    static String loadFailure(Throwable t) {
        String chain = MpiProbe.causes(t);
        boolean noClasses = false;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if ((c instanceof NoClassDefFoundError || c instanceof ClassNotFoundException) && String.valueOf(c.getMessage()).contains("org/bytedeco/cuda")) {
                noClasses = true;
            }
        }
        if (noClasses) return "the org.bytedeco:cuda presets are not on the class path (" + chain + ")";
        return "NCCL failed to load: " + chain + " (the presets' JNI libraries need the driver's libcuda.so.1, libcudart.so.13 and "
                + "libnccl.so.2: put their folders on LD_LIBRARY_PATH)";
    }

    /** NCCL_VERSION_CODE: major*10000 + minor*100 + patch since 2.9, major*1000 + minor*100 + patch before. */
    static String version(int code) {
        if (code <= 0) return "unknown";
        return code >= 10000 ? (code / 10000) + "." + (code / 100 % 100) + "." + (code % 100)
                : (code / 1000) + "." + (code / 100 % 10) + "." + (code % 100);
    }

    /**
     * The part that touches org.bytedeco.cuda, in its own class so that NcclProbe links without the
     * presets jar. Package-private for a test that runs it in a throwaway JVM without a GPU (to see
     * the reason a missing libnccl gives); everything else goes through {@link #probe()}.
     */
    static final class Library {
        private Library() {}

        /** Loads the NCCL binding (its static initializer runs Loader.load) and asks for the version. */
        static String version() {
            try (IntPointer v = new IntPointer(1)) {
                int status = org.bytedeco.cuda.global.nccl.ncclGetVersion(v);
                if (status != org.bytedeco.cuda.global.nccl.ncclSuccess) {
                    return "NCCL (version unavailable: ncclGetVersion returned " + status + ")";
                }
                return "NCCL " + NcclProbe.version(v.get());
            }
        }
    }
}
