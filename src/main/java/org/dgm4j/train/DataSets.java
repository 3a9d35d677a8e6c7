package org.dgm4j.train;

import java.util.Arrays;
import org.dgm4j.config.Config;
import org.dgm4j.data.FashionMnist;
import org.dgm4j.data.ImageSet;
import org.dgm4j.data.Synthetic2D;

/**
 * The data a run's config names ({@code data.set}): Fashion-MNIST served as the family asks, or a
 * 2-D set drawn with fixed seeds (the data is the same whatever the run's seed; 10,000 test points).
 */
public final class DataSets {
    /** Fixed draws of the 2-D sets; the run's seed varies the model, not the data. */
    private static final long TRAIN_SEED = 1, TEST_SEED = 2;
    private static final int TEST_POINTS = 10_000;

    private DataSets() {}

    public record Split(Examples train, Examples test, String description) {}

    public static Split load(Config c, ModelFamily family) {
        int limitTest = c.getInt("data.limit_test");
        if (limitTest < 0) throw new IllegalArgumentException("data.limit_test must be >= 0, found " + limitTest);
        Split all = loadAll(c, family);
        return limitTest == 0 ? all : new Split(all.train(), all.test().first(limitTest), all.description());
    }

    private static Split loadAll(Config c, ModelFamily family) {
        String set = c.getString("data.set");
        int limit = c.getInt("data.limit_train");
        if (limit < 0) throw new IllegalArgumentException("data.limit_train must be >= 0, found " + limit);
        if (set.equals("fashion-mnist")) {
            FashionMnist f = new FashionMnist();
            ImageSet train = limit(f.train(), limit);
            BatchInput input = family.input(c);
            return new Split(Examples.images(train, input), Examples.images(f.test(), input), "fashion-mnist");
        }
        int n = c.getInt("data.points");
        if (n < 1) throw new IllegalArgumentException("data.points must be >= 1, found " + n);
        float[] train = points(set, limit > 0 ? Math.min(n, limit) : n, TRAIN_SEED), test = points(set, TEST_POINTS, TEST_SEED);
        return new Split(Examples.points(train, 2), Examples.points(test, 2), set);
    }

    /** One example's shape without loading the data: [1, 28, 28] for Fashion-MNIST, [2] for the 2-D sets. */
    public static long[] exampleShape(Config c) {
        return c.getString("data.set").equals("fashion-mnist") ? new long[] {1, FashionMnist.HEIGHT, FashionMnist.WIDTH} : new long[] {2};
    }

    /** The first n training points of a named 2-D set, as {@link #load} serves them with data.points = n. */
    public static float[] trainPoints(String set, int n) {
        return points(set, n, TRAIN_SEED);
    }

    /** n points of a named 2-D set, (x, y) pairs. */
    public static float[] points(String set, int n, long seed) {
        return switch (set) {
            case "two-moons" -> Synthetic2D.twoMoons(n, 0.05, seed).points();
            case "ring8", "ring8-unequal", "ring8-minor" -> mixture(set).sample(n, seed).points();
            case "checkerboard" -> Synthetic2D.checkerboard(n, seed).points();
            case "rings" -> Synthetic2D.rings(n, new double[] {1, 2, 3}, 0.08, seed).points();
            default -> throw new IllegalArgumentException("unknown data set '" + set + "'");
        };
    }

    /**
     * The Gaussian mixture behind a 2-D set, whose exact density the mode statistics and KL estimates
     * use, or null for sets that are not such a mixture: ring8 (8 equal modes), ring8-unequal
     * (weights ∝ 1..8), both with stddev 0.02, and ring8-minor (7 equal modes and one at 1/10 of their
     * weight, stddev 0.05), all on a circle of radius 2 ({@link Synthetic2D}).
     */
    public static Synthetic2D.Mixture mixture(String set) {
        return switch (set) {
            case "ring8" -> Synthetic2D.ring8();
            case "ring8-unequal" -> Synthetic2D.ring8Unequal();
            case "ring8-minor" -> Synthetic2D.ring8MinorMode();
            default -> null;
        };
    }

    /** The first n images (n = 0: all). */
    public static ImageSet limit(ImageSet set, int n) {
        if (n == 0 || n >= set.count()) return set;
        int size = set.imageSize();
        return new ImageSet(Arrays.copyOf(set.pixels(), n * size), Arrays.copyOf(set.labels(), n), n, set.channels(), set.height(), set.width(), set.classes());
    }
}
