package org.dgm4j.train;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Training progress for people: on a terminal one line redrawn in place (a bar with step/total, loss,
 * images/s and ETA); otherwise, e.g. in a batch job's log file, where carriage returns would pile up,
 * a plain line every {@code everySeconds}. Other messages (epoch results) go through {@link #line}
 * so they never collide with the bar.
 */
final class Progress {
    private static final double REDRAW_SECONDS = 0.25;
    private static final int BAR_WIDTH = 24;

    private final PrintWriter out;
    private final boolean bar;
    private final double everySeconds;
    private final long totalSteps;
    private long lastShown = System.nanoTime();
    private int barLength;

    Progress(PrintWriter out, boolean bar, double everySeconds, long totalSteps) {
        this.out = out;
        this.bar = bar;
        this.everySeconds = everySeconds;
        this.totalSteps = totalSteps;
    }

    /** Called after every step; prints only when due (and always at the last step on a terminal). */
    void step(long step, int epoch, int epochs, double loss, double imagesPerSecond, double etaSeconds) {
        long now = System.nanoTime();
        double since = (now - lastShown) / 1e9;
        if (bar ? since < REDRAW_SECONDS && step != totalSteps : since < everySeconds) return;
        lastShown = now;
        String stats = String.format(Locale.ROOT, "%d/%d  loss %.2f  %.0f img/s  ETA %s",
                step, totalSteps, loss, imagesPerSecond, clock(etaSeconds));
        String where = String.format(Locale.ROOT, "epoch %d/%d ", epoch + 1, epochs);
        if (bar) {
            int filled = (int) (BAR_WIDTH * step / Math.max(1, totalSteps));
            String text = where + "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] " + stats;
            out.print("\r" + text + " ".repeat(Math.max(0, barLength - text.length())));
            barLength = text.length();
        } else {
            out.println(where + "step " + stats);
        }
        out.flush();
    }

    /** A message on its own line, below a bar that stays visible. */
    void line(String text) {
        if (barLength > 0) out.println();
        barLength = 0;
        out.println(text);
        out.flush();
    }

    /** h:mm:ss or m:ss. */
    static String clock(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) return "?";
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
