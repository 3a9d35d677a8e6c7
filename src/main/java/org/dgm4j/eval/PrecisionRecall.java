package org.dgm4j.eval;

import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;

/**
 * Improved precision and recall of Kynkäänniemi et al. 2019 on features: each set's manifold is
 * estimated as the union of balls around its points, the radius of a point being the distance to
 * its k-th nearest neighbour in its own set (the point itself not counted). Then
 * <pre>
 *   precision = fraction of generated points inside the real manifold   (how many samples look real)
 *   recall    = fraction of real points inside the generated manifold   (how much of the data is covered)
 * </pre>
 * k = 3 is the paper's choice ({@link #DEFAULT_K}). Distances are Euclidean; squared distances come
 * from ‖a‖² + ‖b‖² − 2·a·b with the norms in float64 and the products a float32 matmul on the
 * current backend, in blocks of {@value #BLOCK} rows (for features of norm r the absolute error of
 * a squared distance is about 1e-7·r², which moves no point across a ball's boundary except exact
 * ties). Cost O((n + m)²·d).
 */
public final class PrecisionRecall {
    public static final int DEFAULT_K = 3;
    static final int BLOCK = 500;

    private PrecisionRecall() {}

    public record Result(double precision, double recall, int k) {}

    /** real (n, d) and fake (m, d) features, n, m > k. */
    public static Result of(Tensor real, Tensor fake, int k) {
        if (real.rank() != 2 || fake.rank() != 2 || real.dim(1) != fake.dim(1)) {
            throw new IllegalArgumentException("features must be (n, d) and (m, d), found " + real.shape() + " and " + fake.shape());
        }
        if (k < 1 || real.dim(0) <= k || fake.dim(0) <= k) throw new IllegalArgumentException("need k >= 1 and more than k points in each set, k " + k);
        double[] realRadii = kthNeighbourSquaredDistances(real, k), fakeRadii = kthNeighbourSquaredDistances(fake, k);
        int n = (int) real.dim(0), m = (int) fake.dim(0);
        boolean[] realCovered = new boolean[n];
        int fakeInside = 0;
        try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
            Tensor r = Ops.cast(real, DType.F32), f = Ops.cast(fake, DType.F32);
            double[] realNorms = squaredNorms(r);
            for (int start = 0; start < m; start += BLOCK) {
                int end = Math.min(m, start + BLOCK);
                double[] d2 = squaredDistances(f, start, end, r, realNorms);
                for (int i = 0; i < end - start; i++) {
                    boolean inside = false;
                    for (int j = 0; j < n; j++) {
                        double v = d2[i * n + j];
                        if (v <= realRadii[j]) inside = true;
                        if (v <= fakeRadii[start + i]) realCovered[j] = true;
                    }
                    if (inside) fakeInside++;
                }
            }
        }
        int covered = 0;
        for (boolean c : realCovered) if (c) covered++;
        return new Result((double) fakeInside / m, (double) covered / n, k);
    }

    /** For each point of x (n, d): the squared distance to its k-th nearest other point of x. */
    public static double[] kthNeighbourSquaredDistances(Tensor x, int k) {
        int n = (int) x.dim(0);
        double[] out = new double[n];
        try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
            Tensor f = Ops.cast(x, DType.F32);
            double[] norms = squaredNorms(f);
            double[] smallest = new double[k];
            for (int start = 0; start < n; start += BLOCK) {
                int end = Math.min(n, start + BLOCK);
                double[] d2 = squaredDistances(f, start, end, f, norms);
                for (int i = 0; i < end - start; i++) {
                    java.util.Arrays.fill(smallest, Double.POSITIVE_INFINITY);
                    for (int j = 0; j < n; j++) {
                        if (j == start + i) continue; // not itself
                        double v = d2[i * n + j];
                        if (v < smallest[k - 1]) { // insert into the sorted k smallest
                            int at = k - 1;
                            while (at > 0 && smallest[at - 1] > v) {
                                smallest[at] = smallest[at - 1];
                                at--;
                            }
                            smallest[at] = v;
                        }
                    }
                    out[start + i] = smallest[k - 1];
                }
            }
        }
        return out;
    }

    private static double[] squaredNorms(Tensor x) {
        int n = (int) x.dim(0), d = (int) x.dim(1);
        float[] v = x.toFloatArray();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) s += (double) v[i * d + j] * v[i * d + j];
            out[i] = s;
        }
        return out;
    }

    /** Squared distances of rows [start, end) of a to every row of b, row-major ((end − start), n), clamped at 0. */
    private static double[] squaredDistances(Tensor a, int start, int end, Tensor b, double[] bNorms) {
        try (Scope s = Scope.open()) {
            Tensor rows = a.narrowBatch(start, end);
            float[] dots = Ops.matmul(rows, false, b, true).toFloatArray();
            double[] aNorms = squaredNorms(rows);
            int n = bNorms.length;
            double[] out = new double[dots.length];
            for (int i = 0; i < end - start; i++) {
                for (int j = 0; j < n; j++) out[i * n + j] = Math.max(0, aNorms[i] + bNorms[j] - 2.0 * dots[i * n + j]);
            }
            return out;
        }
    }
}
