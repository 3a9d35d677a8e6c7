package org.dgm4j.nn;

import org.dgm4j.tensor.DType;

/** {@link BatchNorm} of features: x (N, C) or (N, C, L), statistics over (N) or (N, L) per channel. */
public final class BatchNorm1d extends BatchNorm {
    /** momentum 0.1, eps 1e-5, affine, float32 (PyTorch's defaults). */
    public BatchNorm1d(long channels) {
        this(channels, 0.1, 1e-5, true, DType.F32);
    }

    public BatchNorm1d(long channels, double momentum, double eps, boolean affine, DType dtype) {
        super(channels, momentum, eps, affine, dtype);
    }

    @Override
    protected boolean acceptsRank(int rank) {
        return rank == 2 || rank == 3;
    }
}
