package org.dgm4j.data;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.dgm4j.tensor.Tensor;

/**
 * Two-dimensional toy distributions for flows and GANs. Every sampler takes an explicit seed and
 * draws from {@link SplittableRandom} with our own Box–Muller normals, so the same seed gives the same
 * points on every JDK. Each point carries the index of the component it came from (mixture
 * component, moon, ring), which the mode-coverage evaluation uses as ground truth.
 */
public final class Synthetic2D {
    private Synthetic2D() {}

    /**
     * Points and the component that generated each.
     *
     * @param points     (n, 2) row-major: x of point i at 2i, y at 2i+1
     * @param components (n) component index of each point
     */
    public record Sample(float[] points, int[] components) {
        public int size() {
            return components.length;
        }

        /** The points as a float32 tensor (n, 2) on the current backend. */
        public Tensor toTensor() {
            return Tensor.of(points, components.length, 2);
        }

        /** Fraction of points from each of {@code k} components. */
        public double[] componentFrequencies(int k) {
            double[] f = new double[k];
            for (int c : components) f[c] += 1.0 / components.length;
            return f;
        }
    }

    /**
     * A mixture of axis-aligned Gaussians: component k has probability weights[k] / sum(weights), mean
     * (means[k][0], means[k][1]) and standard deviations (stddevs[k][0], stddevs[k][1]).
     */
    public record Mixture(double[] weights, double[][] means, double[][] stddevs) {
        public Mixture {
            int k = weights.length;
            if (k == 0 || means.length != k || stddevs.length != k) {
                throw new IllegalArgumentException("mixture needs as many means and stddevs as weights (" + k + ")");
            }
            for (int i = 0; i < k; i++) {
                if (!(weights[i] >= 0) || means[i].length != 2 || stddevs[i].length != 2 || !(stddevs[i][0] >= 0) || !(stddevs[i][1] >= 0)) {
                    throw new IllegalArgumentException("component " + i + ": weight must be >= 0, mean and stddev 2-D with stddev >= 0");
                }
            }
            if (!(Arrays.stream(weights).sum() > 0)) throw new IllegalArgumentException("mixture weights sum to 0");
        }

        public int components() {
            return weights.length;
        }

        /** Normalized weights (probabilities). */
        public double[] probabilities() {
            double s = Arrays.stream(weights).sum();
            return Arrays.stream(weights).map(w -> w / s).toArray();
        }

        public Sample sample(int n, long seed) {
            SplittableRandom rng = new SplittableRandom(seed);
            double[] cdf = probabilities();
            for (int i = 1; i < cdf.length; i++) cdf[i] += cdf[i - 1];
            float[] p = new float[2 * n];
            int[] c = new int[n];
            for (int i = 0; i < n; i++) {
                double u = rng.nextDouble() * cdf[cdf.length - 1];
                int k = 0;
                while (k < cdf.length - 1 && u >= cdf[k]) k++;
                c[i] = k;
                p[2 * i] = (float) (means[k][0] + stddevs[k][0] * gaussian(rng));
                p[2 * i + 1] = (float) (means[k][1] + stddevs[k][1] * gaussian(rng));
            }
            return new Sample(p, c);
        }
    }

    /** {@code k} isotropic Gaussians of stddev {@code std} evenly spaced on a circle, component j at angle 2πj/k. */
    public static Mixture ring(int k, double radius, double std, double[] weights) {
        if (weights.length != k) throw new IllegalArgumentException("ring of " + k + " needs " + k + " weights, found " + weights.length);
        double[][] means = new double[k][];
        double[][] stds = new double[k][];
        for (int j = 0; j < k; j++) {
            double a = 2 * Math.PI * j / k;
            means[j] = new double[] {radius * Math.cos(a), radius * Math.sin(a)};
            stds[j] = new double[] {std, std};
        }
        return new Mixture(weights.clone(), means, stds);
    }

    /**
     * The ring of 8 Gaussians of the mode-collapse literature (radius 2, stddev 0.02, as in Metz et
     * al.'s unrolled GAN) with unequal weights proportional to 1, 2, ..., 8, so that the rarest mode
     * holds 1/36 of the mass: a generator that drops rare modes is visible in the coverage counts.
     */
    public static Mixture ring8Unequal() {
        return ring(8, 2.0, 0.02, new double[] {1, 2, 3, 4, 5, 6, 7, 8});
    }

    /**
     * The ring of 8 with one minor mode: component 0 (at (2, 0)) has 1/10 the weight of each of the
     * other seven (weights 1, 10, 10, ..., 10, so it holds 1/71 of the mass), for measuring whether a
     * model drops a rare mode. Radius 2 as the other rings, but stddev {@value #MINOR_RING_STD}: the
     * modes stay 15 stddevs apart, and the 3-stddev window of the mode statistics (0.15) is wider
     * than the imprecision of networks trained for a few thousand steps, which at 0.02 (a 0.06 window)
     * decided the mode counts more than coverage did.
     */
    public static Mixture ring8MinorMode() {
        return ring(8, 2.0, MINOR_RING_STD, new double[] {1, 10, 10, 10, 10, 10, 10, 10});
    }

    /** The stddev of each mode of {@link #ring8MinorMode()}. */
    public static final double MINOR_RING_STD = 0.05;

    /** The same ring with equal weights. */
    public static Mixture ring8() {
        double[] w = new double[8];
        Arrays.fill(w, 1);
        return ring(8, 2.0, 0.02, w);
    }

    /**
     * Two interleaving half circles (as scikit-learn's make_moons, but with random angles): moon 0 is
     * (cos t, sin t), moon 1 is (1 − cos t, 0.5 − sin t), t ~ U[0, π), each with N(0, noise²) added per
     * coordinate; each point picks its moon with probability 1/2.
     */
    public static Sample twoMoons(int n, double noise, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] p = new float[2 * n];
        int[] c = new int[n];
        for (int i = 0; i < n; i++) {
            int moon = rng.nextInt(2);
            double t = Math.PI * rng.nextDouble();
            double x = moon == 0 ? Math.cos(t) : 1 - Math.cos(t);
            double y = moon == 0 ? Math.sin(t) : 0.5 - Math.sin(t);
            c[i] = moon;
            p[2 * i] = (float) (x + noise * gaussian(rng));
            p[2 * i + 1] = (float) (y + noise * gaussian(rng));
        }
        return new Sample(p, c);
    }

    /**
     * Concentric circles: a point picks ring r uniformly, then angle t ~ U[0, 2π) and lies at
     * radii[r]·(cos t, sin t) plus N(0, noise²) per coordinate.
     */
    public static Sample rings(int n, double[] radii, double noise, long seed) {
        if (radii.length == 0) throw new IllegalArgumentException("rings: no radius given");
        SplittableRandom rng = new SplittableRandom(seed);
        float[] p = new float[2 * n];
        int[] c = new int[n];
        for (int i = 0; i < n; i++) {
            int r = rng.nextInt(radii.length);
            double t = 2 * Math.PI * rng.nextDouble();
            c[i] = r;
            p[2 * i] = (float) (radii[r] * Math.cos(t) + noise * gaussian(rng));
            p[2 * i + 1] = (float) (radii[r] * Math.sin(t) + noise * gaussian(rng));
        }
        return new Sample(p, c);
    }

    /**
     * The checkerboard of the FFJORD paper: uniform on the 8 dark squares of a 4×4 board of side-2
     * squares covering [−4, 4]², i.e. x = 2·x1, y = 2·(x2 + (floor(x1) mod 2)) with x1 ~ U[−2, 2),
     * x2 ~ U[0, 1) − 2·Bernoulli(1/2). The component is the square index 0..7 (row-major over the
     * dark squares, for coverage counts).
     */
    public static Sample checkerboard(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] p = new float[2 * n];
        int[] c = new int[n];
        for (int i = 0; i < n; i++) {
            double x1 = 4 * rng.nextDouble() - 2;
            double x2 = rng.nextDouble() - 2 * rng.nextInt(2) + Math.floorMod((long) Math.floor(x1), 2);
            double x = 2 * x1;
            double y = 2 * x2;
            int col = (int) Math.floor(x / 2) + 2; // 0..3
            int row = (int) Math.floor(y / 2) + 2; // 0..3
            c[i] = row * 2 + col / 2; // two dark squares per row
            p[2 * i] = (float) x;
            p[2 * i + 1] = (float) y;
        }
        return new Sample(p, c);
    }

    /** A standard normal by Box–Muller from two uniforms (one value used; simplicity over speed). */
    static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble(); // (0, 1]: log stays finite
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
