package org.dgm4j.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.data.Batches;
import org.dgm4j.data.FashionMnist;
import org.dgm4j.data.ImageSet;
import org.dgm4j.data.Synthetic2D;
import org.dgm4j.io.Safetensors;
import org.dgm4j.mixture.GaussianMixture;
import org.dgm4j.rbm.AnnealedImportanceSampling;
import org.dgm4j.rbm.BinaryRbm;
import org.dgm4j.rbm.ContrastiveDivergence;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;

/**
 * Measurements of the latent-variable family (not a test; numbers go into reports):
 * <pre>
 * java -cp 'target/dgm4j.jar:target/lib/*' org.dgm4j.bench.LatentVariableBench rbm [key=value ...]
 * java -cp 'target/dgm4j.jar:target/lib/*' org.dgm4j.bench.LatentVariableBench gmm [key=value ...]
 * </pre>
 * {@code rbm}: a binary RBM on dynamically binarized Fashion-MNIST (each batch binarized afresh by
 * Generator.bernoulli of the pixel intensities) by CD-k or PCD-k with momentum 0.5 in the first epoch
 * and 0.9 after (Hinton's guide), then log Z by AIS from the base-rate model of the training means
 * and the mean log-likelihood of the first {@code test} test images (binarized once, seeded).
 * Keys and defaults: backend=auto hidden=500 epochs=2 batch=100 lr=0.05 k=1 pcd=false chains=100
 * wd=0.0002 seed=0 aisChains=100 aisScale=1 (the fraction of Salakhutdinov and Murray's 14,500 β intervals; 0 skips
 * AIS) test=1000, save=FILE (safetensors after training), load=FILE (start from a saved model; with epochs=0
 * only AIS runs), aisSeed (default seed + 1), weightsOut=FILE (the run's log-weights, for {@code pool}).
 * {@code pool FILE...}: pools AIS runs of the same model with different aisSeed (chains are
 * independent) into one estimate, so a long AIS can be split into runs of a few minutes.
 * {@code gmm}: EM on the 8-Gaussian ring of {@link Synthetic2D#ring8Unequal()} (radius 2, weights ∝ 1..8,
 * stddev 0.02 or {@code std}) for several seeds, full and diagonal; keys: n=20000 seeds=5 std=0.02
 * kmeans=10 (Lloyd steps after k-means++) restarts=1 backend=auto.
 */
public final class LatentVariableBench {
    private LatentVariableBench() {}

    public static void main(String[] args) {
        if (args.length == 0 || !(args[0].equals("rbm") || args[0].equals("gmm") || args[0].equals("pool"))) {
            System.err.println("usage: LatentVariableBench rbm|gmm [key=value ...] | pool FILE...");
            System.exit(2);
        }
        if (args[0].equals("pool")) {
            pool(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
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
        if (args[0].equals("rbm")) rbm(o);
        else gmm(o);
    }

    private static int integer(Map<String, String> o, String k, int def) {
        return Integer.parseInt(o.getOrDefault(k, Integer.toString(def)));
    }

    private static double real(Map<String, String> o, String k, double def) {
        return Double.parseDouble(o.getOrDefault(k, Double.toString(def)));
    }

    static void rbm(Map<String, String> o) {
        int hidden = integer(o, "hidden", 500), epochs = integer(o, "epochs", 2), batch = integer(o, "batch", 100), k = integer(o, "k", 1);
        int chains = integer(o, "chains", 100), aisChains = integer(o, "aisChains", 100), testN = integer(o, "test", 1000);
        double lr = real(o, "lr", 0.05), wd = real(o, "wd", 2e-4), aisScale = real(o, "aisScale", 1);
        boolean pcd = Boolean.parseBoolean(o.getOrDefault("pcd", "false"));
        long seed = Long.parseLong(o.getOrDefault("seed", "0"));
        FashionMnist fm = new FashionMnist();
        ImageSet train = fm.train(), test = fm.test();
        int v = train.imageSize();
        double[] mean = new double[v];
        for (int i = 0; i < train.count(); i++) for (int j = 0; j < v; j++) mean[j] += train.pixel(i, j) / 255.0 / train.count();
        Generator g = new Generator(seed);
        System.out.printf(Locale.ROOT, "RBM %d-%d, %s-%d, batch %d, lr %g, wd %g, epochs %d%s%n", v, hidden, pcd ? "PCD" : "CD", k, batch, lr, wd, epochs,
                pcd ? ", " + chains + " chains" : "");
        try (BinaryRbm rbm = new BinaryRbm(v, hidden, DType.F32, 0.01, g); Scope all = Scope.open()) {
            Tensor meanT = Tensor.of(mean, v).toDType(DType.F32);
            rbm.initVisibleBiasFromMean(meanT, 1e-3);
            ContrastiveDivergence.Options opts = (pcd ? ContrastiveDivergence.Options.pcd(k, chains, lr) : ContrastiveDivergence.Options.cd(k, lr))
                    .withMomentum(0.5).withWeightDecay(wd);
            Batches batches = new Batches(train.count(), batch, seed, true, true);
            if (o.containsKey("load")) {
                Safetensors.Contents c = Safetensors.read(Path.of(o.get("load")), rbm.backend());
                rbm.loadStateDict(c.tensors());
                c.tensors().values().forEach(Tensor::close);
                System.out.println("loaded " + o.get("load") + " " + c.metadata());
            }
            long t0 = System.nanoTime();
            try (ContrastiveDivergence cd = new ContrastiveDivergence(rbm, opts, g)) {
                for (int e = 0; e < epochs; e++) {
                    if (e == 1) cd.setMomentum(0.9);
                    long te = System.nanoTime();
                    double recon = 0;
                    int steps = 0;
                    for (Batches.Batch b : batches.epoch(e)) {
                        try (Scope s = Scope.open()) {
                            Tensor x = g.bernoulli(Batches.images(train, b.indices()).reshape(b.indices().length, v));
                            recon += cd.step(x, g).reconstruction().item();
                            steps++;
                        }
                    }
                    System.out.printf(Locale.ROOT, "epoch %d: reconstruction error %.2f per image, %d steps, %.1f s wall, %.1f s process CPU so far%n",
                            e + 1, recon / steps, steps, (System.nanoTime() - te) / 1e9, cpuSeconds());
                }
            }
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            if (o.containsKey("save")) {
                try {
                    Safetensors.write(Path.of(o.get("save")), rbm.stateDict(), Map.of("model", "rbm", "visible", "" + v, "hidden", "" + hidden,
                            "epochs", "" + epochs, "method", (pcd ? "pcd" : "cd") + "-" + k, "lr", "" + lr, "seed", "" + seed));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            if (aisScale <= 0) return;
            double[] betas = AnnealedImportanceSampling.salakhutdinovBetas(aisScale);
            long ta = System.nanoTime();
            long aisSeed = Long.parseLong(o.getOrDefault("aisSeed", Long.toString(seed + 1)));
            AnnealedImportanceSampling.Estimate est = AnnealedImportanceSampling.logPartition(rbm, AnnealedImportanceSampling.baseRateBias(meanT, 1e-3),
                    aisChains, betas, new Generator(aisSeed));
            double aisSeconds = (System.nanoTime() - ta) / 1e9;
            int[] idx = new int[testN];
            for (int i = 0; i < testN; i++) idx[i] = i;
            Generator bin = new Generator(seed + 2);
            // logLikelihood(v, 0) = −F(v), without a graph
            double meanNegF = rbm.logLikelihood(bin.bernoulli(Batches.images(test, idx).reshape(testN, v)), 0).mean().item();
            double trainNegF = rbm.logLikelihood(bin.bernoulli(Batches.images(train, idx).reshape(testN, v)), 0).mean().item();
            System.out.printf(Locale.ROOT, "training %.1f s wall; AIS %d chains x %d intervals %.1f s wall; process CPU %.1f s in all; ESS %.1f of %d%n",
                    trainSeconds, aisChains, betas.length - 1, aisSeconds, cpuSeconds(), est.effectiveSampleSize(), aisChains);
            System.out.printf(Locale.ROOT, "log Z = %.2f  bracket [%.2f, %.2f]  (base-rate log Z0 = %.2f)%n", est.logZ(), est.logZLow(), est.logZHigh(), est.logZBase());
            System.out.printf(Locale.ROOT, "test  log p(v), first %d images: %.2f nats  (bracket %.2f .. %.2f)%n", testN, meanNegF - est.logZ(),
                    meanNegF - est.logZHigh(), meanNegF - est.logZLow());
            System.out.printf(Locale.ROOT, "train log p(v), first %d images: %.2f nats%n", testN, trainNegF - est.logZ());
            if (o.containsKey("weightsOut")) writeRun(Path.of(o.get("weightsOut")), est, meanNegF, trainNegF);
        }
    }

    /** One AIS run for {@code pool}: "logZ0 meanNegFTest meanNegFTrain" on the first line, the log-weights on the second. */
    private static void writeRun(Path file, AnnealedImportanceSampling.Estimate est, double negFTest, double negFTrain) {
        StringBuilder b = new StringBuilder().append(est.logZBase()).append(' ').append(negFTest).append(' ').append(negFTrain).append('\n');
        for (double w : est.logWeights()) b.append(w).append(' ');
        try {
            java.nio.file.Files.writeString(file, b.append('\n').toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Pools AIS runs written by {@code rbm ... weightsOut=FILE} (same model, different aisSeed) into one estimate. */
    static void pool(String[] files) {
        AnnealedImportanceSampling.Estimate[] parts = new AnnealedImportanceSampling.Estimate[files.length];
        double negFTest = Double.NaN, negFTrain = Double.NaN;
        for (int i = 0; i < files.length; i++) {
            try {
                String[] lines = java.nio.file.Files.readString(Path.of(files[i])).split("\n");
                String[] head = lines[0].trim().split(" ");
                negFTest = Double.parseDouble(head[1]);
                negFTrain = Double.parseDouble(head[2]);
                double[] w = java.util.Arrays.stream(lines[1].trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
                parts[i] = new AnnealedImportanceSampling.Estimate(Double.NaN, Double.NaN, Double.NaN, Double.parseDouble(head[0]), w);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        AnnealedImportanceSampling.Estimate est = AnnealedImportanceSampling.pool(parts);
        System.out.printf(Locale.ROOT, "pooled %d runs, %d chains; ESS %.1f%n", files.length, est.logWeights().length, est.effectiveSampleSize());
        System.out.printf(Locale.ROOT, "log Z = %.2f  bracket [%.2f, %.2f]  (base-rate log Z0 = %.2f)%n", est.logZ(), est.logZLow(), est.logZHigh(), est.logZBase());
        System.out.printf(Locale.ROOT, "test  log p(v): %.2f nats  (bracket %.2f .. %.2f)%n", negFTest - est.logZ(), negFTest - est.logZHigh(), negFTest - est.logZLow());
        System.out.printf(Locale.ROOT, "train log p(v): %.2f nats%n", negFTrain - est.logZ());
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

    /** CPU time of the whole process (all threads), seconds: the machine is shared, so wall time alone misleads. */
    private static double cpuSeconds() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1e9 : Double.NaN;
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
