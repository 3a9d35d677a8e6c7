package org.dgm4j.tensor;

import java.util.Arrays;

/** An immutable list of dimension sizes; rank 0 is a scalar. Printed as {@code (2, 3)}. */
public final class Shape {
    private final long[] dims;

    private Shape(long[] dims) {
        for (long d : dims) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
        }
        this.dims = dims;
    }

    public static Shape of(long... dims) {
        return new Shape(dims.clone());
    }

    public static Shape of(int... dims) {
        long[] l = new long[dims.length];
        for (int i = 0; i < dims.length; i++) l[i] = dims[i];
        return new Shape(l);
    }

    public static Shape scalar() {
        return new Shape(new long[0]);
    }

    public int rank() {
        return dims.length;
    }

    public long dim(int axis) {
        return dims[normalizeAxis(axis)];
    }

    public long[] dims() {
        return dims.clone();
    }

    public long numel() {
        long n = 1;
        for (long d : dims) n = Math.multiplyExact(n, d);
        return n;
    }

    /** Row-major strides in elements. */
    public long[] strides() {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= dims[i];
        }
        return s;
    }

    /** Accepts negative axes counted from the end; throws naming the shape when out of range. */
    public int normalizeAxis(int axis) {
        int a = axis < 0 ? axis + dims.length : axis;
        if (a < 0 || a >= dims.length) {
            throw new IllegalArgumentException("axis " + axis + " out of range for shape " + this);
        }
        return a;
    }

    /** A copy with one dimension replaced. */
    public Shape with(int axis, long size) {
        long[] d = dims.clone();
        d[normalizeAxis(axis)] = size;
        return new Shape(d);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) b.append(", ");
            b.append(dims[i]);
        }
        if (dims.length == 1) b.append(',');
        return b.append(')').toString();
    }
}
