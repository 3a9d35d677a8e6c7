package org.dgm4j.eval;

import java.util.Locale;
import org.dgm4j.data.Synthetic2D;

/**
 * Mode statistics of 2-D samples against a Gaussian mixture with known components (the ring of 8 and
 * its unequal variants in {@link Synthetic2D}). A sample lands in mode k when its standardized
 * distance to that mode, √(((x − μ_kx)/σ_kx)² + ((y − μ_ky)/σ_ky)²), is at most {@code radius}
 * ({@value #DEFAULT_RADIUS} stddevs by default, holding 98.9% of a 2-D Gaussian's mass); when several
 * modes qualify the nearest in that distance wins. A mode is captured when the fraction of samples in
 * it is at least {@code capture} times its true weight ({@value #DEFAULT_CAPTURE} by default: a mode
 * holding under a quarter of its share counts as dropped).
 */
public final class ModeStatistics {
    public static final double DEFAULT_RADIUS = 3, DEFAULT_CAPTURE = 0.25;

    private ModeStatistics() {}

    /**
     * @param fractions per mode, the fraction of all samples in it
     * @param weights   per mode, its true probability
     * @param offMode   fraction of samples in no mode (the complement of "high-quality samples")
     * @param captured  modes whose fraction reaches capture·weight
     */
    public record Report(double[] fractions, double[] weights, double offMode, int captured, double radius, double capture, int samples) {
        public int modes() {
            return weights.length;
        }

        /** One line per mode and a summary, for the console. */
        public String table() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "mode  true weight  sample fraction  (within %.1f stddevs of %d samples)%n", radius, samples));
            for (int k = 0; k < modes(); k++) {
                b.append(String.format(Locale.ROOT, "%4d  %11.4f  %15.4f%s%n", k, weights[k], fractions[k], fractions[k] >= capture * weights[k] ? "" : "  dropped"));
            }
            b.append(String.format(Locale.ROOT, "captured %d of %d modes (fraction >= %.2f x weight); off-mode samples %.4f%n", captured, modes(), capture, offMode));
            return b.toString();
        }
    }

    public static Report of(Synthetic2D.Mixture mixture, float[] points) {
        return of(mixture, points, DEFAULT_RADIUS, DEFAULT_CAPTURE);
    }

    /** points: n (x, y) pairs, row-major (2n floats). */
    public static Report of(Synthetic2D.Mixture mixture, float[] points, double radius, double capture) {
        if (points.length % 2 != 0 || points.length == 0) throw new IllegalArgumentException("points must be a non-empty list of (x, y) pairs, found " + points.length + " values");
        if (!(radius > 0) || !(capture >= 0)) throw new IllegalArgumentException("radius must be > 0 and capture >= 0, found " + radius + ", " + capture);
        int k = mixture.components(), n = points.length / 2;
        double[] counts = new double[k];
        int off = 0;
        for (int i = 0; i < n; i++) {
            double x = points[2 * i], y = points[2 * i + 1];
            int best = -1;
            double bestD = Double.POSITIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                double dx = (x - mixture.means()[c][0]) / mixture.stddevs()[c][0], dy = (y - mixture.means()[c][1]) / mixture.stddevs()[c][1];
                double d = Math.sqrt(dx * dx + dy * dy);
                if (d <= radius && d < bestD) {
                    bestD = d;
                    best = c;
                }
            }
            if (best < 0) off++;
            else counts[best]++;
        }
        double[] weights = mixture.probabilities(), fractions = new double[k];
        int captured = 0;
        for (int c = 0; c < k; c++) {
            fractions[c] = counts[c] / n;
            if (fractions[c] >= capture * weights[c]) captured++;
        }
        return new Report(fractions, weights, (double) off / n, captured, radius, capture, n);
    }
}
