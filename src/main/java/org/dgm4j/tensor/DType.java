package org.dgm4j.tensor;

/** Element types. float64 exists for gradient checks and exact reference computations. */
public enum DType {
    F32(4, "float32"),
    F64(8, "float64");

    private final int bytes;
    private final String label;

    DType(int bytes, String label) {
        this.bytes = bytes;
        this.label = label;
    }

    public int bytes() {
        return bytes;
    }

    @Override
    public String toString() {
        return label;
    }
}
