package org.dgm4j.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.dgm4j.backend.Backend;

/**
 * Finds out once per JVM whether CUDA is usable, and why not. This is the only place that loads
 * {@link CudaNative}: a JavaCPP class whose library failed to load stays broken for the JVM's life,
 * so the outcome and its exact reason are cached here. org.bytedeco.cuda classes are never touched
 * (their JNI libraries need the driver).
 */
public final class CudaProbe {
    /**
     * @param available true when at least one CUDA device can be used
     * @param reason    one line: why CUDA is unavailable, or the runtime and devices when it is
     * @param devices   e.g. {@code cuda:0 NVIDIA H100 80GB HBM3 (79.1 GiB)}; empty when unavailable
     */
    public record Result(boolean available, String reason, List<String> devices) {}

    private static final int CUDA_ERROR_INSUFFICIENT_DRIVER = 35;
    private static final int CUDA_ERROR_NO_DEVICE = 100;

    private CudaProbe() {}

    /** Lazy holder: the probe runs on first use, exactly once, thread-safely. */
    private static final class Holder {
        static final Result RESULT = run();
    }

    public static Result probe() {
        return Holder.RESULT;
    }

    /** The one CUDA backend of this JVM; guarded by CudaProbe.class. */
    private static CudaBackend backend;

    /**
     * The CUDA backend (one per JVM): the one that exists, else a new one on device 0. Only valid
     * when {@link #probe()} says available.
     */
    public static synchronized CudaBackend backend() {
        Result r = probe();
        if (!r.available()) throw new IllegalStateException("CUDA backend not available: " + r.reason());
        if (backend == null) backend = new CudaBackend(0);
        return backend;
    }

    /**
     * The CUDA backend on {@code device}, created now (the explicit step that picks a process's GPU,
     * e.g. by local rank for NCCL), or the existing one when it already runs there. Throws
     * IllegalStateException when CUDA is unavailable or the backend already runs on another device
     * (one per JVM), IllegalArgumentException for a device that does not exist.
     */
    public static synchronized CudaBackend backend(int device) {
        Result r = probe();
        if (!r.available()) throw new IllegalStateException("CUDA backend not available: " + r.reason());
        if (device < 0 || device >= r.devices().size()) {
            throw new IllegalArgumentException("no CUDA device " + device + ": this process sees " + r.devices().size());
        }
        if (backend == null) backend = new CudaBackend(device);
        if (backend.device() != device) {
            throw new IllegalStateException("the CUDA backend already runs on cuda:" + backend.device() + " in this process; asked for cuda:" + device);
        }
        return backend;
    }

    /**
     * True when the loaded library is the host emulator (native/emu) rather than an nvcc build: the
     * same kernels, run on host threads; tests use it to keep sizes small.
     */
    public static boolean emulated() {
        return probe().available() && CudaNative.dgm4j_built_with_cuda() == CudaNative.BUILT_EMULATOR;
    }

    private static Result run() {
        try {
            return query();
        } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError, ExceptionInInitializerError
            return new Result(false, "native library failed to load: " + causes(t), List.of());
        }
    }

    private static Result query() {
        int builtWithCuda = CudaNative.dgm4j_built_with_cuda(); // first touch: loads the libraries
        try (IntPointer count = new IntPointer(1); IntPointer cudaError = new IntPointer(1)) {
            int status = CudaNative.dgm4j_device_count(count, cudaError);
            if (builtWithCuda == 0 || status == CudaNative.DGM4J_ERR_NO_CUDA) {
                // The stub's message: "dgm4j was built without CUDA (<why>)".
                return unavailable(lastError().replaceFirst("^dgm4j was ", ""));
            }
            if (status != CudaNative.DGM4J_OK) {
                int code = cudaError.get();
                String detail = lastError();
                if (code == CUDA_ERROR_INSUFFICIENT_DRIVER) {
                    int driver = driverVersion();
                    if (driver == 0) return unavailable("no CUDA driver (" + detail + ")");
                    return unavailable("CUDA driver too old: driver " + version(driver) + " < runtime "
                            + version(runtimeVersion()) + " (" + detail + ")");
                }
                if (code == CUDA_ERROR_NO_DEVICE) return unavailable("no CUDA device (" + detail + ")");
                return unavailable("CUDA unusable (" + detail + ")");
            }
            int n = count.get();
            if (n <= 0) return unavailable("no CUDA device (cudaGetDeviceCount found 0 devices)");
            List<String> devices = new ArrayList<>();
            for (int dev = 0; dev < n; dev++) devices.add(describe(dev));
            // The emulator names itself, e.g. "CUDA emulator (host threads, AddressSanitizer)".
            String what = builtWithCuda == CudaNative.BUILT_EMULATOR ? deviceName(0)
                    : String.format(Locale.ROOT, "CUDA %s (driver %s)", version(runtimeVersion()), version(driverVersion()));
            String reason = String.format(Locale.ROOT, "%s, %d device%s: %s", what, n, n == 1 ? "" : "s", String.join(", ", devices));
            return new Result(true, reason, List.copyOf(devices));
        }
    }

    private static String deviceName(int dev) {
        try (BytePointer name = new BytePointer(256)) {
            if (CudaNative.dgm4j_device_name(dev, name, 256) != CudaNative.DGM4J_OK) return "(name unavailable: " + lastError() + ")";
            String s = name.getString(); // all 256 bytes (getString reads to the limit): cut at the NUL
            return s.indexOf('\0') >= 0 ? s.substring(0, s.indexOf('\0')) : s;
        }
    }

    private static String describe(int dev) {
        try (LongPointer free = new LongPointer(1); LongPointer total = new LongPointer(1)) {
            String label = deviceName(dev);
            String mem = CudaNative.dgm4j_device_memory(dev, free, total) == CudaNative.DGM4J_OK
                    ? String.format(Locale.ROOT, " (%.1f GiB)", total.get() / (double) (1L << 30)) : "";
            return "cuda:" + dev + " " + label + mem;
        }
    }

    private static Result unavailable(String reason) {
        return new Result(false, reason, List.of());
    }

    private static String lastError() {
        BytePointer p = CudaNative.dgm4j_last_error();
        return p == null || p.isNull() ? "" : p.getString();
    }

    private static int runtimeVersion() {
        try (IntPointer v = new IntPointer(1)) {
            return CudaNative.dgm4j_runtime_version(v) == CudaNative.DGM4J_OK ? v.get() : 0;
        }
    }

    private static int driverVersion() {
        try (IntPointer v = new IntPointer(1)) {
            return CudaNative.dgm4j_driver_version(v) == CudaNative.DGM4J_OK ? v.get() : 0;
        }
    }

    /** CUDA's 1000*major + 10*minor encoding, e.g. 13000 -> "13.0". */
    static String version(int v) {
        return v <= 0 ? "unknown" : (v / 1000) + "." + (v % 1000) / 10;
    }

    /**
     * The whole cause chain, innermost first: UnsatisfiedLinkError names only the JNI library, its
     * cause names the file that is really missing.
     */
    static String causes(Throwable t) {
        List<String> chain = new ArrayList<>();
        for (Throwable c = t; c != null && chain.size() < 8; c = c.getCause()) {
            chain.add(0, c.getClass().getSimpleName() + ": " + c.getMessage());
        }
        return String.join("; reported as ", chain);
    }
}
