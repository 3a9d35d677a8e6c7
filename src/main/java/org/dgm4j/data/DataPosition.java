package org.dgm4j.data;

/**
 * Where a pass over the data stands: {@code index} is the position, in epoch {@code epoch}'s
 * permutation, of the next example to serve. Stored in checkpoints so a resumed run serves exactly the
 * batches the interrupted run would have served next.
 */
public record DataPosition(int epoch, int index) {
    public DataPosition {
        if (epoch < 0 || index < 0) throw new IllegalArgumentException("data position must be non-negative: epoch " + epoch + ", index " + index);
    }

    /** The beginning of the first epoch. */
    public static DataPosition start() {
        return new DataPosition(0, 0);
    }
}
