package org.dgm4j.bench;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Kernels;

/**
 * Wall time per op-table entry, for profiling a workload on a host backend without touching the backend:
 * while open, the backend's op table is replaced (by reflection on its {@code kernels} field) with a
 * proxy that times each call, keyed by method name and, for {@code unary}, {@code binary},
 * {@code reduce} and their backward kernels, the op constant (e.g. {@code unary SOFTPLUS}). Closing it
 * puts the original table back. A measuring tool for benchmarks only: the proxy adds about a
 * microsecond per call, and it is not thread-safe (ops must be issued from one thread, as models do).
 */
public final class OpProfiler implements AutoCloseable {
    private final Backend backend;
    private final Field field;
    private final Kernels original;
    private final Map<String, long[]> stats = new LinkedHashMap<>(); // key → {calls, nanos}

    private OpProfiler(Backend backend) {
        this.backend = backend;
        try {
            field = backend.getClass().getDeclaredField("kernels");
            field.setAccessible(true);
            original = (Kernels) field.get(backend);
            InvocationHandler h = (proxy, method, args) -> {
                if (method.getDeclaringClass() == Object.class) return method.invoke(original, args);
                String key = method.getName();
                if (args != null && args.length > 0 && args[0] instanceof Enum<?> e) key += " " + e.name();
                long t0 = System.nanoTime();
                try {
                    return method.invoke(original, args);
                } catch (InvocationTargetException x) {
                    throw x.getCause();
                } finally {
                    long[] s = stats.computeIfAbsent(key, k -> new long[2]);
                    s[0]++;
                    s[1] += System.nanoTime() - t0;
                }
            };
            field.set(backend, Proxy.newProxyInstance(Kernels.class.getClassLoader(), new Class<?>[] {Kernels.class}, h));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot instrument backend " + backend.name() + ": " + e, e);
        }
    }

    /** Starts timing every op of {@code backend} (a backend whose op table is a field named kernels, e.g. the CPU backend). */
    public static OpProfiler install(Backend backend) {
        return new OpProfiler(backend);
    }

    /** Forgets what was measured so far (e.g. after a warm-up). */
    public void reset() {
        stats.clear();
    }

    /** One row per op: calls and total milliseconds since install or the last reset. */
    public record Row(String op, long calls, double ms) {}

    public List<Row> rows() {
        List<Row> r = new ArrayList<>();
        stats.forEach((k, v) -> r.add(new Row(k, v[0], v[1] / 1e6)));
        r.sort((a, b) -> Double.compare(b.ms(), a.ms()));
        return r;
    }

    /** A markdown table: per op, ms and calls per step (divided by {@code steps}) and the share of {@code stepMs}. */
    public String table(int steps, double stepMs) {
        StringBuilder b = new StringBuilder("| op | calls/step | ms/step | % of step |\n|---|---:|---:|---:|\n");
        double total = 0;
        for (Row r : rows()) {
            double ms = r.ms() / steps;
            total += ms;
            b.append(String.format(Locale.ROOT, "| %s | %.1f | %.3f | %.1f |%n", r.op(), (double) r.calls() / steps, ms, 100 * ms / stepMs));
        }
        b.append(String.format(Locale.ROOT, "| (all ops) | | %.3f | %.1f |%n", total, 100 * total / stepMs));
        b.append(String.format(Locale.ROOT, "| (outside ops: autograd, allocation, Java) | | %.3f | %.1f |%n", stepMs - total, 100 * (stepMs - total) / stepMs));
        return b.toString();
    }

    @Override
    public void close() {
        try {
            field.set(backend, original);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
