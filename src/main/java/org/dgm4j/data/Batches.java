package org.dgm4j.data;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.dgm4j.tensor.Tensor;

/**
 * Mini-batches of example indices with seeded shuffling. The permutation of epoch e depends only on
 * (seed, e) — never on what was drawn before — so a run can stop anywhere and resume at a
 * {@link DataPosition} with the very same batches. With {@code dropLast} the final short batch of
 * each epoch is skipped (useful when a model needs a fixed batch size, e.g. batch statistics).
 *
 * <pre>{@code
 * Batches batches = new Batches(train.count(), 128, seed, true, true);
 * for (int e = 0; e < epochs; e++)
 *     for (Batches.Batch b : batches.epoch(e)) {
 *         Tensor x = Batches.images(train, b.indices());   // (B, 1, 28, 28) in [0, 1]
 *         ...                                               // checkpoint b.next() with the model
 *     }
 * }</pre>
 */
public final class Batches {
    private final int size;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final boolean dropLast;

    /** One batch: its epoch, the example indices, and the position right after it. */
    public record Batch(int epoch, int[] indices, DataPosition next) {}

    public Batches(int datasetSize, int batchSize, long seed, boolean shuffle, boolean dropLast) {
        if (datasetSize < 0 || batchSize <= 0) {
            throw new IllegalArgumentException("dataset size must be >= 0 and batch size > 0, found " + datasetSize + " and " + batchSize);
        }
        this.size = datasetSize;
        this.batchSize = batchSize;
        this.seed = seed;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Number of batches in each epoch. */
    public int batchesPerEpoch() {
        return dropLast ? size / batchSize : (size + batchSize - 1) / batchSize;
    }

    /** The order of the examples in {@code epoch}: identity without shuffling, else a seeded Fisher–Yates shuffle. */
    public int[] permutation(int epoch) {
        int[] p = new int[size];
        for (int i = 0; i < size; i++) p[i] = i;
        if (!shuffle) return p;
        SplittableRandom rng = new SplittableRandom(mix(seed, epoch));
        for (int i = size - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** All batches of one epoch. */
    public Iterable<Batch> epoch(int epoch) {
        return from(new DataPosition(epoch, 0));
    }

    /**
     * The batches of {@code position.epoch()} from {@code position.index()} on (the rest of that epoch;
     * continue with {@link #epoch} for the following ones).
     */
    public Iterable<Batch> from(DataPosition position) {
        if (position.index() > size) {
            throw new IllegalArgumentException("position " + position + " is beyond the " + size + " examples of an epoch");
        }
        return () -> new Iterator<>() {
            private int[] perm; // computed on first use: iterating nothing costs nothing
            private int at = position.index();

            @Override
            public boolean hasNext() {
                int left = size - at;
                return left > 0 && (!dropLast || left >= batchSize);
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                if (perm == null) perm = permutation(position.epoch());
                int end = Math.min(size, at + batchSize);
                int[] idx = Arrays.copyOfRange(perm, at, end);
                at = end;
                DataPosition next = hasNext() ? new DataPosition(position.epoch(), at) : new DataPosition(position.epoch() + 1, 0);
                return new Batch(position.epoch(), idx, next);
            }
        };
    }

    /** SplitMix64 finalizer over (seed, epoch): nearby seeds and epochs give unrelated streams. */
    static long mix(long seed, int epoch) {
        long z = seed + 0x9E3779B97F4A7C15L * (epoch + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    // ---- tensors for image batches --------------------------------------------------------------

    /** Images at {@code indices} as float32 (N, C, H, W) on the current backend, pixel/255 in [0, 1]. */
    public static Tensor images(ImageSet set, int[] indices) {
        return Tensor.of(scaled(set.gatherPixels(indices)), indices.length, set.channels(), set.height(), set.width());
    }

    /** pixel/255 for each unsigned byte. */
    public static float[] scaled(byte[] pixels) {
        float[] out = new float[pixels.length];
        for (int i = 0; i < out.length; i++) out[i] = (pixels[i] & 0xFF) / 255f;
        return out;
    }

    /** Labels at {@code indices} as one-hot float32 (N, classes) on the current backend. */
    public static Tensor oneHot(ImageSet set, int[] indices) {
        return oneHot(set.gatherLabels(indices), set.classes());
    }

    /** One-hot float32 (N, classes) of class indices 0..classes-1. */
    public static Tensor oneHot(int[] labels, int classes) {
        float[] out = new float[Math.multiplyExact(labels.length, classes)];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) throw new IllegalArgumentException("label " + labels[i] + " outside 0.." + (classes - 1));
            out[i * classes + labels[i]] = 1f;
        }
        return Tensor.of(out, labels.length, classes);
    }

    /** Labels at {@code indices} as class indices. */
    public static int[] labels(ImageSet set, int[] indices) {
        return set.gatherLabels(indices);
    }
}
