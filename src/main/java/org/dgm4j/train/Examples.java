package org.dgm4j.train;

import org.dgm4j.data.ImageSet;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Tensor;

/** A training or test set as the trainer sees it: a count and batches by index. */
public interface Examples {
    int count();

    /** The examples at {@code indices} as one tensor on the current backend, in the current scope; noise from g. */
    Tensor load(int[] indices, Generator g);

    /** What one example looks like, e.g. [1, 28, 28] or [2] (without the batch axis). */
    long[] exampleShape();

    /** The first n examples (n = 0 or n >= count: all). */
    default Examples first(int n) {
        Examples all = this;
        if (n == 0 || n >= count()) return all;
        return new Examples() {
            @Override
            public int count() {
                return n;
            }

            @Override
            public Tensor load(int[] indices, Generator g) {
                return all.load(indices, g);
            }

            @Override
            public long[] exampleShape() {
                return all.exampleShape();
            }
        };
    }

    /** Images served through {@code input} (binarized, dequantized, scaled). */
    static Examples images(ImageSet set, BatchInput input) {
        return new Examples() {
            @Override
            public int count() {
                return set.count();
            }

            @Override
            public Tensor load(int[] indices, Generator g) {
                return input.load(set, indices, g);
            }

            @Override
            public long[] exampleShape() {
                return new long[] {set.channels(), set.height(), set.width()};
            }
        };
    }

    /** Points: {@code values} holds count × dim floats, row by row; batches are float32 (B, dim). */
    static Examples points(float[] values, int dim) {
        if (dim < 1 || values.length % dim != 0) throw new IllegalArgumentException(values.length + " values are not rows of " + dim);
        int count = values.length / dim;
        return new Examples() {
            @Override
            public int count() {
                return count;
            }

            @Override
            public Tensor load(int[] indices, Generator g) {
                float[] batch = new float[indices.length * dim];
                for (int i = 0; i < indices.length; i++) System.arraycopy(values, indices[i] * dim, batch, i * dim, dim);
                return Tensor.of(batch, indices.length, dim);
            }

            @Override
            public long[] exampleShape() {
                return new long[] {dim};
            }
        };
    }
}
