package org.dgm4j.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Xiao et al. 2017): 60,000 training and 10,000 test images, 28×28 grey, 10 classes,
 * read from the four IDX files of the distribution (gzipped or not).
 *
 * <p>The directory is, in order of precedence: the constructor argument, the system property
 * {@value #DIR_PROPERTY}, the environment variable {@value #DIR_ENV}, and {@value #DEFAULT_DIR} (where
 * Debian's {@code dataset-fashion-mnist} package installs it). No data is ever downloaded.
 */
public final class FashionMnist {
    public static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";
    public static final String DIR_PROPERTY = "dgm4j.fashionMnistDir";
    public static final String DIR_ENV = "FASHION_MNIST_DIR";
    public static final int HEIGHT = 28;
    public static final int WIDTH = 28;

    /** Class names by label, as in the dataset's documentation. */
    public static final List<String> CLASS_NAMES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private final Path dir;
    private final String origin;

    /** Uses the directory found as described in the class comment. */
    public FashionMnist() {
        String prop = System.getProperty(DIR_PROPERTY);
        String env = System.getenv(DIR_ENV);
        if (prop != null && !prop.isBlank()) {
            dir = Path.of(prop);
            origin = "system property " + DIR_PROPERTY;
        } else if (env != null && !env.isBlank()) {
            dir = Path.of(env);
            origin = "environment variable " + DIR_ENV;
        } else {
            dir = Path.of(DEFAULT_DIR);
            origin = "default location";
        }
    }

    public FashionMnist(Path dir) {
        this.dir = dir;
        this.origin = "given directory";
    }

    public Path dir() {
        return dir;
    }

    /** Whether all four files are present (for tests and tools that skip without the data). */
    public boolean isAvailable() {
        for (String base : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")) {
            if (find(base) == null) return false;
        }
        return true;
    }

    /** The 60,000 training images. */
    public ImageSet train() {
        return load("train");
    }

    /** The 10,000 test images. */
    public ImageSet test() {
        return load("t10k");
    }

    private ImageSet load(String prefix) {
        Path imagesFile = require(prefix + "-images-idx3-ubyte");
        Path labelsFile = require(prefix + "-labels-idx1-ubyte");
        Idx.Data images = Idx.read(imagesFile);
        Idx.Data labels = Idx.read(labelsFile);
        int[] d = images.dims();
        if (images.type() != Idx.Type.UBYTE || d.length != 3 || d[1] != HEIGHT || d[2] != WIDTH) {
            throw new DataFileException(imagesFile.toString(), 2, "expected UBYTE images of (N, 28, 28), found "
                    + images.type() + " " + java.util.Arrays.toString(d));
        }
        if (labels.type() != Idx.Type.UBYTE || labels.dims().length != 1) {
            throw new DataFileException(labelsFile.toString(), 2, "expected UBYTE labels of (N), found "
                    + labels.type() + " " + java.util.Arrays.toString(labels.dims()));
        }
        if (labels.dims()[0] != d[0]) {
            throw new DataFileException(labelsFile.toString(), 4, "expected " + d[0] + " labels (as many as images in "
                    + imagesFile.getFileName() + "), found " + labels.dims()[0]);
        }
        byte[] raw = labels.unsignedBytes();
        int[] classes = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            classes[i] = raw[i] & 0xFF;
            if (classes[i] >= CLASS_NAMES.size()) {
                throw new DataFileException(labelsFile.toString(), 8 + i, "expected a label 0..9, found " + classes[i]);
            }
        }
        return new ImageSet(images.unsignedBytes(), classes, d[0], 1, HEIGHT, WIDTH, CLASS_NAMES.size());
    }

    /** The gzipped file if present, else the uncompressed one, else null. */
    private Path find(String base) {
        for (String name : List.of(base + ".gz", base)) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    private Path require(String base) {
        Path p = find(base);
        if (p == null) {
            throw new DataFileException(dir.resolve(base + ".gz").toString(), -1, "Fashion-MNIST file not found (looked for "
                    + base + ".gz and " + base + " in " + dir + ", the " + origin + "). Install it with "
                    + "`apt-get install dataset-fashion-mnist` (Debian, puts it in " + DEFAULT_DIR + "), or point "
                    + DIR_ENV + " or -D" + DIR_PROPERTY + " at a directory holding the four IDX files");
        }
        return p;
    }
}
