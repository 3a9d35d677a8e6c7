package org.dgm4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.data.DataFileException;
import org.dgm4j.data.Dequantize;
import org.dgm4j.data.FashionMnist;
import org.dgm4j.data.ImageSet;
import org.dgm4j.eval.ImportanceSampling;
import org.dgm4j.eval.ImportanceWeighted;
import org.dgm4j.helmholtz.HelmholtzMachine;
import org.dgm4j.io.Safetensors;
import org.dgm4j.nn.Module;
import org.dgm4j.rbm.AnnealedImportanceSampling;
import org.dgm4j.rbm.BinaryRbm;
import org.dgm4j.rbm.RbmFamily;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.BatchInput;
import org.dgm4j.vae.Likelihood;
import org.dgm4j.vae.Vae;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dgm4j nll MODEL}: the test NLL of a saved latent-variable model on the Fashion-MNIST test set:
 * importance-sampled for a VAE or a Helmholtz machine (anything with a proposal q(h|x)), through log Z
 * by annealed importance sampling for an RBM.
 */
@Command(name = "nll", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Test NLL of a saved model (model.safetensors of a vae, helmholtz or rbm run). vae, helmholtz: importance sampled, "
                + "-log (1/k) sum_i p(x, h_i)/q(h_i|x), h_i ~ q(h|x), on the first N Fashion-MNIST test images, "
                + "in nats per image (sum over pixels) with the standard error over images; for a VAE the IWAE bound. "
                + "Also the ELBO from the same draws (mean log-weight).",
                "Binary models see the test set binarized once with java.util.Random(seed).nextFloat() per pixel in file order, "
                + "pixel on iff u < pixel/255 (the peers' FashionMnist.binarized(12345)); the logistic VAE sees 8-bit pixels, "
                + "the Gaussian VAE pixels dequantized with seeded noise.",
                "An rbm: log p(v) = -F(v) - log Z with log Z by annealed importance sampling from the base-rate model of the "
                + "training pixel means (Salakhutdinov & Murray 2008), with its +-3 sigma bracket; --k does not apply.", ""},
        footerHeading = "%nExamples:%n",
        footer = {"  dgm4j nll runs/a/model.safetensors --k 5000 --images 1000",
                  "  dgm4j nll runs/hm/model.safetensors --k 1000 --images 10000",
                  "  dgm4j nll runs/rbm/model.safetensors --ais-chains 100 --ais-scale 1 --images 10000"})
public final class NllCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "MODEL", description = "A model.safetensors written by dgm4j train.")
    Path model;

    @Option(names = "--k", defaultValue = "5000", description = "Samples from q per image (default ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--images", defaultValue = "1000", description = "The first N test images (default ${DEFAULT-VALUE}; 10000 = all).")
    int images;

    @Option(names = "--batch-images", defaultValue = "10", description = "Images evaluated together (default ${DEFAULT-VALUE}).")
    int batchImages;

    @Option(names = "--chunk", defaultValue = "500", description = "Samples per image and decoder call; memory ~ batch-images x chunk rows (default ${DEFAULT-VALUE}).")
    int chunk;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the samples from q (and of the Gaussian VAE's dequantization noise) (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--binarization-seed", defaultValue = "12345", description = "Seed of the fixed test binarization for binary models (default ${DEFAULT-VALUE}).")
    long binarizationSeed;

    @Option(names = "--backend", defaultValue = "auto", paramLabel = "auto|cpu|cuda", description = "Backend (default ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--ais-chains", defaultValue = "100", description = "rbm: AIS chains (default ${DEFAULT-VALUE}).")
    int aisChains;

    @Option(names = "--ais-scale", defaultValue = "1", description = "rbm: fraction of Salakhutdinov and Murray's 14,500 annealing steps (default ${DEFAULT-VALUE}).")
    double aisScale;

    /** A loaded model: what importance sampling needs, its module (to close), how to serve images, and the bits/dim offset. */
    private record Loaded(ImportanceWeighted model, Module module, String description, BatchInput input, boolean binary, double discretizationNats)
            implements AutoCloseable {
        @Override
        public void close() {
            module.close();
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (k < 1 || images < 1 || batchImages < 1 || chunk < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--k, --images, --batch-images and --chunk must be >= 1");
        if (!Files.isRegularFile(model)) throw new CommandLine.ParameterException(spec.commandLine(), "MODEL " + model + ": no such file");
        Backend previous = Backends.current();
        try {
            Backend chosen = Backends.select(backend);
            FashionMnist data = new FashionMnist();
            ImageSet test = data.test();
            int n = Math.min(images, test.count());
            Safetensors.Contents saved = Safetensors.read(model, chosen);
            if ("rbm".equals(saved.metadata().get("model"))) {
                try (BinaryRbm rbm = RbmFamily.load(saved.metadata(), saved.tensors())) {
                    rbmNll(rbm, data.train(), test, Math.min(images, test.count()), out);
                } finally {
                    saved.tensors().values().forEach(Tensor::close);
                }
                return 0;
            }
            try (Loaded m = load(saved.metadata())) {
                m.module().loadStateDict(saved.tensors());
                m.module().eval();
                float[] binarized = m.binary() ? fixedBinarization(test, binarizationSeed) : null;
                out.printf(Locale.ROOT, "%s, %,d parameters; %d test images, k = %d (chunks of %d), backend %s%n", m.description(),
                        m.module().parameterCount(), n, k, chunk, chosen.name());
                out.flush();
                double[] nll = new double[n], nelbo = new double[n];
                Generator g = new Generator(seed);
                long t0 = System.nanoTime(), lastPrint = t0;
                for (int start = 0; start < n; start += batchImages) {
                    int b = Math.min(batchImages, n - start);
                    try (Scope s = Scope.open()) {
                        Tensor x;
                        int[] idx = new int[b];
                        for (int i = 0; i < b; i++) idx[i] = start + i;
                        if (binarized != null) {
                            int d = test.imageSize();
                            x = Tensor.of(Arrays.copyOfRange(binarized, start * d, (start + b) * d), b, test.channels(), test.height(), test.width());
                        } else {
                            x = m.input().load(test, idx, g);
                        }
                        ImportanceSampling.Estimate e = ImportanceSampling.estimate(m.model(), x, k, chunk, g);
                        for (int i = 0; i < b; i++) {
                            nll[start + i] = -e.logLikelihood()[i];
                            nelbo[start + i] = -e.elbo()[i];
                        }
                    }
                    long now = System.nanoTime();
                    if (now - lastPrint > 30e9 || start + b == n) {
                        lastPrint = now;
                        double el = (now - t0) / 1e9;
                        out.printf(Locale.ROOT, "  %d/%d images, running NLL %.2f, %.0f s elapsed, ~%.0f s left%n", start + b, n,
                                ImportanceSampling.meanAndStandardError(Arrays.copyOf(nll, start + b))[0], el, el / (start + b) * (n - start - b));
                        out.flush();
                    }
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                double[] a = ImportanceSampling.meanAndStandardError(nll), e = ImportanceSampling.meanAndStandardError(nelbo);
                long d = test.imageSize();
                out.printf(Locale.ROOT, "test NLL (importance sampled, k = %d): %.2f ± %.2f nats per image (± = standard error over %d images)%n", k, a[0], a[1], n);
                out.printf(Locale.ROOT, "test -ELBO (mean log-weight of the same draws): %.2f ± %.2f nats; gap %.2f nats%n", e[0], e[1], e[0] - a[0]);
                if (!m.binary()) {
                    out.printf(Locale.ROOT, "bits/dim of the 8-bit pixels: %.4f%n", (a[0] + m.discretizationNats()) / (d * Math.log(2)));
                }
                out.printf(Locale.ROOT, "wall time %.1f s (%.1f ms per image)%n", seconds, 1000 * seconds / n);
                out.flush();
            } finally {
                saved.tensors().values().forEach(Tensor::close);
            }
            return 0;
        } catch (DataFileException | IllegalStateException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("dgm4j nll: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        } finally {
            Backends.use(previous);
        }
    }

    /** The RBM's test log-likelihood through log Z by AIS from the base-rate model of the training set's pixel means. */
    private void rbmNll(BinaryRbm rbm, ImageSet train, ImageSet test, int n, PrintWriter out) {
        if (aisChains < 2 || !(aisScale > 0)) throw new CommandLine.ParameterException(spec.commandLine(), "--ais-chains must be >= 2 and --ais-scale > 0");
        int d = train.imageSize();
        if (d != rbm.visible()) throw new IllegalArgumentException("the RBM has " + rbm.visible() + " visible units, the images " + d + " pixels");
        double[] betas = AnnealedImportanceSampling.salakhutdinovBetas(aisScale);
        out.printf(Locale.ROOT, "rbm %d-%d; AIS: %d chains, %,d annealing steps; %d test images, backend %s%n", rbm.visible(), rbm.hidden(),
                aisChains, betas.length - 1, n, rbm.backend().name());
        out.flush();
        double[] mean = new double[d];
        byte[] px = train.pixels();
        for (int i = 0; i < px.length; i++) mean[i % d] += (px[i] & 0xff) / 255.0;
        for (int j = 0; j < d; j++) mean[j] /= train.count();
        long t0 = System.nanoTime();
        try (Scope s = Scope.open()) {
            Tensor base = AnnealedImportanceSampling.baseRateBias(Tensor.of(rbm.backend(), mean, Shape.of(d)).toDType(rbm.dtype()), 1e-3);
            AnnealedImportanceSampling.Estimate z = AnnealedImportanceSampling.logPartition(rbm, base, aisChains, betas, new Generator(seed));
            float[] binarized = Arrays.copyOf(fixedBinarization(test, binarizationSeed), n * d);
            double[] ll = rbm.logLikelihood(Tensor.of(rbm.backend(), binarized, Shape.of(n, d)).toDType(rbm.dtype()), z.logZ()).toDoubleArray();
            double[] nll = Arrays.stream(ll).map(v -> -v).toArray();
            double[] a = ImportanceSampling.meanAndStandardError(nll);
            out.printf(Locale.ROOT, "log Z = %.2f, bracket [%.2f, %.2f] (base-rate log Z0 = %.2f); effective sample size %.1f of %d chains%n",
                    z.logZ(), z.logZLow(), z.logZHigh(), z.logZBase(), z.effectiveSampleSize(), aisChains);
            out.printf(Locale.ROOT, "test NLL (AIS log Z): %.2f ± %.2f nats per image (± = standard error over %d images; log Z's bracket moves it by %+.2f .. %+.2f)%n",
                    a[0], a[1], n, z.logZLow() - z.logZ(), z.logZHigh() - z.logZ());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "wall time %.1f s%n", seconds);
        out.flush();
    }

    private static Loaded load(Map<String, String> meta) {
        String name = meta.get("model");
        if ("vae".equals(name)) {
            Vae vae = Vae.fromMetadata(meta, new Generator(0));
            Likelihood l = vae.likelihood();
            return new Loaded(vae, vae, "vae " + meta, l.input(), l.name().equals("bernoulli"), l.discretizationNats(vae.pixels()));
        }
        if ("helmholtz".equals(name)) {
            HelmholtzMachine hm = HelmholtzMachine.fromMetadata(meta, new Generator(0));
            return new Loaded(hm, hm, "helmholtz " + meta,
                    BatchInput.dynamicBinarization(), true, 0);
        }
        throw new IllegalArgumentException("model.safetensors holds model '" + name + "'; nll knows vae, helmholtz and rbm");
    }

    /**
     * The whole set binarized once: u = new java.util.Random(seed).nextFloat() per pixel in file order,
     * pixel on iff u < pixel/255 (the peers' FashionMnist.binarized; the same images bit for bit).
     */
    static float[] fixedBinarization(ImageSet set, long seed) {
        Random r = new Random(seed);
        float[] u = new float[set.pixels().length];
        for (int i = 0; i < u.length; i++) u[i] = r.nextFloat();
        return Dequantize.binarize(set.pixels(), u);
    }
}
