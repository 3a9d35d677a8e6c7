package org.dgm4j.eval;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.backend.Backends;
import org.dgm4j.data.Batches;
import org.dgm4j.data.ImageSet;
import org.dgm4j.io.Safetensors;
import org.dgm4j.nn.Conv2d;
import org.dgm4j.nn.Flatten;
import org.dgm4j.nn.Linear;
import org.dgm4j.nn.Losses;
import org.dgm4j.nn.Module;
import org.dgm4j.nn.ReLU;
import org.dgm4j.nn.Sequential;
import org.dgm4j.optim.Adam;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;

/**
 * The Fashion-MNIST classifier whose penultimate features sample-quality measures use (the Fréchet
 * distance, precision and recall of {@link SampleQuality}). It is NOT the Inception network of FID:
 * numbers made with it compare dgm4j models with each other on Fashion-MNIST, not with published FIDs.
 * <pre>
 * x (B, 1, 28, 28) in [0, 1] → Conv(1, 16, 4, stride 2, pad 1) ReLU    → (16, 14, 14)
 *                            → Conv(16, 32, 4, stride 2, pad 1) ReLU   → (32, 7, 7)
 *                            → Conv(32, 64, 3, stride 2, pad 1) ReLU   → (64, 4, 4)
 *                            → Flatten → Linear(1024, 128) ReLU        → features (B, 128)
 *                            → Linear(128, 10)                         → class logits (B, 10)
 * </pre>
 * The weights dgm4j ships are version {@value #VERSION}, a float32 safetensors resource
 * ({@value #RESOURCE}, 159,482 parameters, 638 KB) whose SHA-256 {@link #load()} checks against
 * {@value #SHA256} before using it; the file's metadata holds the version, the test accuracy and the
 * command that made it ({@code dgm4j feature-classifier}, i.e. {@link #train}; version fmnist-conv-v1: 5 epochs,
 * test accuracy 0.8896). Retraining reproduces
 * the classifier up to float rounding (thread counts change summation order), not the bytes: a new
 * file is a new version with its own checksum, and numbers made with different versions do not compare.
 */
public final class FeatureClassifier extends Module {
    public static final String VERSION = "fmnist-conv-v1";
    public static final String RESOURCE = "/org/dgm4j/eval/fashion-mnist-classifier-v1.safetensors";
    public static final String SHA256 = "7eafa7f35f385582cdd9262f234d761a04af5ebeb7be015adbb977e6f182fcd0";
    public static final int FEATURES = 128, CLASSES = 10;
    /** The training recipe of the shipped version: Adam lr 1e-3, batch 128, 5 epochs, seed 0. */
    public static final int EPOCHS = 5, BATCH = 128;
    public static final double LR = 1e-3;
    private static final int EVAL_BATCH = 500;

    private final Sequential body;
    private final Linear head;

    /** Freshly initialized (PyTorch's default initialization drawn from {@code init}), float32. */
    public FeatureClassifier(Generator init) {
        body = module("body", new Sequential(
                new Conv2d(1, 16, 4, 2, 1, init), new ReLU(),
                new Conv2d(16, 32, 4, 2, 1, init), new ReLU(),
                new Conv2d(32, 64, 3, 2, 1, init), new ReLU(),
                new Flatten(), new Linear(64 * 4 * 4, FEATURES, init), new ReLU()));
        head = module("head", new Linear(FEATURES, CLASSES, init));
    }

    /** Penultimate features: x (B, 1, 28, 28) in [0, 1] → (B, 128), after the ReLU. */
    public Tensor features(Tensor x) {
        return body.forward(x);
    }

    /** Class logits: x (B, 1, 28, 28) → (B, 10). */
    public Tensor logits(Tensor x) {
        return head.forward(features(x));
    }

    /**
     * Features of many images (N, 1, 28, 28) in [0, 1], in evaluation mode without a graph, in batches
     * of {@value #EVAL_BATCH}; returns (N, 128) float32 in the current scope.
     */
    public Tensor featuresOf(Tensor images) {
        long n = images.dim(0);
        float[] out = new float[Math.toIntExact(n * FEATURES)];
        eval();
        try (var ng = Autograd.noGrad()) {
            for (long start = 0; start < n; start += EVAL_BATCH) {
                long end = Math.min(n, start + EVAL_BATCH);
                try (Scope s = Scope.open()) {
                    float[] f = features(images.narrowBatch(start, end)).toFloatArray();
                    System.arraycopy(f, 0, out, (int) (start * FEATURES), f.length);
                }
            }
        } finally {
            train();
        }
        return Tensor.of(out, n, FEATURES);
    }

    /** Fraction of {@code set} classified correctly. */
    public double accuracy(ImageSet set) {
        int correct = 0;
        eval();
        try {
            for (Batches.Batch b : new Batches(set.count(), EVAL_BATCH, 0, false, false).epoch(0)) {
                try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
                    float[] l = logits(Batches.images(set, b.indices())).toFloatArray();
                    int[] labels = Batches.labels(set, b.indices());
                    for (int i = 0; i < labels.length; i++) {
                        int best = 0;
                        for (int k = 1; k < CLASSES; k++) if (l[i * CLASSES + k] > l[i * CLASSES + best]) best = k;
                        if (best == labels[i]) correct++;
                    }
                }
            }
        } finally {
            train();
        }
        return (double) correct / set.count();
    }

    /**
     * Trains a fresh classifier with the recipe above (Adam, cross-entropy, shuffled batches from
     * {@code seed}) for {@code epochs} passes, printing one line per epoch to {@code log}.
     */
    public static FeatureClassifier train(ImageSet train, ImageSet test, int epochs, long seed, PrintWriter log) {
        FeatureClassifier c = new FeatureClassifier(new Generator(seed));
        try (Adam opt = new Adam(c.parameters(), LR)) {
            Batches batches = new Batches(train.count(), BATCH, seed, true, false);
            for (int e = 0; e < epochs; e++) {
                double sum = 0;
                int count = 0;
                for (Batches.Batch b : batches.epoch(e)) {
                    try (Scope s = Scope.open()) {
                        opt.zeroGrad();
                        Tensor loss = Losses.crossEntropy(c.logits(Batches.images(train, b.indices())), Batches.labels(train, b.indices()));
                        loss.backward();
                        opt.step();
                        sum += loss.item() * b.indices().length;
                        count += b.indices().length;
                    }
                }
                log.printf(Locale.ROOT, "epoch %d/%d  train loss %.4f  test accuracy %.4f%n", e + 1, epochs, sum / count, c.accuracy(test));
                log.flush();
            }
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Writes the weights with metadata: version, test accuracy and the command that made them. */
    public void save(Path file, String version, double testAccuracy, String command) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("model", "feature-classifier");
        meta.put("version", version);
        meta.put("test_accuracy", String.format(Locale.ROOT, "%.4f", testAccuracy));
        meta.put("features", Integer.toString(FEATURES));
        meta.put("command", command);
        Safetensors.write(file, stateDict(), meta);
    }

    /**
     * The shipped classifier (version {@value #VERSION}) on the current backend, in evaluation mode.
     * Throws when the resource is missing, its SHA-256 differs from {@value #SHA256} or its metadata
     * names another version.
     */
    public static FeatureClassifier load() {
        byte[] bytes = resourceBytes();
        String sum = sha256(bytes);
        if (!sum.equals(SHA256)) {
            throw new IllegalStateException("feature classifier " + RESOURCE + ": SHA-256 " + sum + ", expected " + SHA256 + " (version " + VERSION + ")");
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile("dgm4j-classifier", ".safetensors"); // Safetensors reads files
            Files.write(tmp, bytes);
            Safetensors.Contents c = Safetensors.read(tmp, Backends.current());
            try {
                if (!VERSION.equals(c.metadata().get("version"))) {
                    throw new IllegalStateException("feature classifier " + RESOURCE + ": version " + c.metadata().get("version") + ", expected " + VERSION);
                }
                FeatureClassifier f = new FeatureClassifier(new Generator(0));
                f.loadStateDict(c.tensors());
                f.eval();
                return f;
            } finally {
                c.tensors().values().forEach(Tensor::close);
            }
        } catch (IOException e) {
            throw new IllegalStateException("feature classifier " + RESOURCE + ": " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    /** The resource's bytes. */
    public static byte[] resourceBytes() {
        try (InputStream in = FeatureClassifier.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("feature classifier resource " + RESOURCE + " not on the class path");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE + ": " + e, e);
        }
    }

    /** Lower-case hex SHA-256 of bytes. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    @Override
    protected String describe() {
        return "Fashion-MNIST features " + FEATURES + ", version " + VERSION;
    }
}
