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

    private Parallel() {}

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
