package org.dgm4j.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.data.Synthetic2D;
import org.dgm4j.mixture.GaussianMixture;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;

/**
 * EM on the 8-Gaussian ring, the measurement behind docs/RESULTS.md (not a test):
 * <pre>
 * java -cp 'target/dgm4j.jar:target/lib/*' org.dgm4j.bench.LatentVariableBench gmm [key=value ...]
 * </pre>
 * Fits {@link Synthetic2D#ring8Unequal()} (radius 2, weights ∝ 1..8, stddev 0.02 or {@code std}) for
 * several seeds, full and diagonal; keys: n=20000 seeds=5 std=0.02 kmeans=10 (Lloyd steps after
 * k-means++) restarts=1 backend=auto. The RBM's measurements run through {@code dgm4j train --model rbm}
 * and {@code dgm4j nll}.
 */
public final class LatentVariableBench {
    private LatentVariableBench() {}

    public static void main(String[] args) {
        if (args.length == 0 || !args[0].equals("gmm")) {
            System.err.println("usage: LatentVariableBench gmm [key=value ...]");
            System.exit(2);
        }
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq < 1) {
                System.err.println("expected key=value, found " + args[i]);
                System.exit(2);
            }
            o.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        Backend be = Backends.select(o.getOrDefault("backend", "auto"));
        System.out.println("backend " + be.name());
        gmm(o);
    }

    private static int integer(Map<String, String> o, String k, int def) {
        return Integer.parseInt(o.getOrDefault(k, Integer.toString(def)));
    }

    private static double real(Map<String, String> o, String k, double def) {
        return Double.parseDouble(o.getOrDefault(k, Double.toString(def)));
    }

    static void gmm(Map<String, String> o) {
        int n = integer(o, "n", 20000), seeds = integer(o, "seeds", 5), kmeans = integer(o, "kmeans", 10), restarts = integer(o, "restarts", 1);
        double std = real(o, "std", 0.02);
        Synthetic2D.Mixture truth = Synthetic2D.ring(8, 2.0, std, new double[] {1, 2, 3, 4, 5, 6, 7, 8});
        Synthetic2D.Sample tr = truth.sample(n, 1), te = truth.sample(n / 4, 2);
        double trueTest = trueLogLikelihood(truth, te);
        System.out.printf(Locale.ROOT, "8-Gaussian ring (radius 2, stddev %g, weights 1..8/36): %d train, %d test points; true model test LL %.4f nats/point;"
                + " %d Lloyd steps after k-means++, best of %d restarts%n", std, n, te.size(), trueTest, kmeans, restarts);
        for (GaussianMixture.Covariance type : GaussianMixture.Covariance.values()) {
            for (int s = 0; s < seeds; s++) {
                try (Scope sc = Scope.open(); GaussianMixture gmm = new GaussianMixture(8, 2, type)) {
                    Tensor x = tr.toTensor();
                    long t0 = System.nanoTime();
                    GaussianMixture.FitResult r = gmm.tolerance(1e-6).maxIterations(500).kmeansIterations(kmeans).restarts(restarts).fit(x, new Generator(s));
                    double sec = (System.nanoTime() - t0) / 1e9;
                    double testLl = gmm.meanLogLikelihood(te.toTensor());
                    double[] mu = gmm.means().toDoubleArray(), w = gmm.weights().toDoubleArray();
                    int found = 0;
                    double worstMean = 0, worstWeight = 0;
                    double[] p = truth.probabilities();
                    for (int t = 0; t < 8; t++) {
                        int best = 0;
                        double bd = Double.MAX_VALUE;
                        for (int c = 0; c < 8; c++) {
                            double d = Math.hypot(mu[2 * c] - truth.means()[t][0], mu[2 * c + 1] - truth.means()[t][1]);
                            if (d < bd) {
                                bd = d;
                                best = c;
                            }
                        }
                        if (bd < Math.max(0.1, 3 * std / Math.sqrt(n * p[t]))) found++; // within 3 standard errors (0.1 at least)
                        worstMean = Math.max(worstMean, bd);
                        worstWeight = Math.max(worstWeight, Math.abs(w[best] - p[t]));
                    }
                    System.out.printf(Locale.ROOT, "%-8s seed %d: %3d iterations, converged %-5b, %.2f s wall, train LL %.4f, test LL %.4f, modes found %d/8, "
                                    + "max |mean err| %.4f, max |weight err| %.4f, max LL drop %.2e%n",
                            type.name().toLowerCase(), s, r.iterations(), r.converged(), sec, r.finalLogLikelihood(), testLl, found, worstMean, worstWeight,
                            Math.max(0, r.maxDecrease()));
                }
            }
        }
    }

    private static double trueLogLikelihood(Synthetic2D.Mixture m, Synthetic2D.Sample s) {
        double[] p = m.probabilities();
        double total = 0;
        for (int i = 0; i < s.size(); i++) {
            double x = s.points()[2 * i], y = s.points()[2 * i + 1], dens = 0;
            for (int c = 0; c < p.length; c++) {
                double sx = m.stddevs()[c][0], sy = m.stddevs()[c][1];
                double zx = (x - m.means()[c][0]) / sx, zy = (y - m.means()[c][1]) / sy;
                dens += p[c] * Math.exp(-0.5 * (zx * zx + zy * zy)) / (2 * Math.PI * sx * sy);
            }
            total += Math.log(dens);
        }
        return total / s.size();
    }
}
