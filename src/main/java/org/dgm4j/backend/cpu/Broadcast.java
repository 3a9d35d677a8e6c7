package org.dgm4j.backend.cpu;

import org.dgm4j.tensor.Shape;

/**
 * Iteration over an output shape with inputs broadcast to it: an input's stride is 0 along axes
 * where it has size 1 or is missing. Rows are the output's last axis; {@link #rowOffset} gives an
 * input's offset at the start of a row.
 */
final class Broadcast {
    final long[] outDims;
    final int rank;
    final int rows;
    final int rowLength;

    Broadcast(Shape out) {
        outDims = out.rank() == 0 ? new long[] {1} : out.dims();
        rank = outDims.length;
        rowLength = (int) outDims[rank - 1];
        rows = rowLength == 0 ? 0 : (int) (out.numel() / rowLength);
    }

    /** Element strides of {@code in} aligned to the output's axes (0 where broadcast). */
    long[] stridesOf(Shape in) {
        long[] s = new long[rank];
        long[] inStrides = in.strides();
        int shift = rank - in.rank();
        for (int i = 0; i < in.rank(); i++) {
            s[i + shift] = in.dim(i) == 1 ? 0 : inStrides[i];
        }
        return s;
    }

    /** Offset of row {@code row}'s first element in an input with the given aligned strides. */
    int rowOffset(int row, long[] strides) {
        long off = 0;
        long r = row;
        for (int ax = rank - 2; ax >= 0; ax--) {
            long d = outDims[ax];
            off += (r % d) * strides[ax];
            r /= d;
        }
        return (int) off;
    }
}
