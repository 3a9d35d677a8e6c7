package org.dgm4j.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Splits a loop over [0, n) into contiguous chunks run on the CPU backend's pool (one thread per core
 * unless -Ddgm4j.threads says otherwise). Small loops run inline: a fork costs microseconds.
 */
final class Parallel {
    static final int THREADS = Integer.getInteger("dgm4j.threads", Runtime.getRuntime().availableProcessors());
    private static final ForkJoinPool POOL = new ForkJoinPool(Math.max(1, THREADS));

    interface Body {
        void run(int lo, int hi);
    }

    /** Narrowest column chunk {@link #columns} gives a thread (4 KiB of float32 per row). */
    static final int MIN_COLUMNS = 1024;

    private Parallel() {}

    /**
     * Column chunks of a row-major (rows, columns) array that each thread walks row by row (column sums
     * kept in the reference's row order): {@code grain} elements per chunk, and at least
     * {@value #MIN_COLUMNS} columns, because narrower chunks put several threads into every row's cache
     * lines (measured at (12544, 128) on 2 cores: two 64-column chunks took 1.7–2.6 ms, one thread 1.1).
     */
    static void columns(long columns, long rows, long grain, Body body) {
        range(columns, Math.max(MIN_COLUMNS, grain / Math.max(1, rows)), body);
    }

    /** Runs body over [0, n) in chunks of at least {@code grain} iterations. */
    static void range(long n, long grain, Body body) {
        int total = Math.toIntExact(n);
        int chunks = (int) Math.min(THREADS, n / Math.max(1, grain));
        if (chunks <= 1 || ForkJoinTask.inForkJoinPool()) {
            body.run(0, total);
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int lo = (int) ((long) total * c / chunks), hi = (int) ((long) total * (c + 1) / chunks);
            tasks[c - 1] = POOL.submit(() -> body.run(lo, hi));
        }
        body.run(0, total / chunks);
        for (ForkJoinTask<?> t : tasks) t.join();
    }
}
