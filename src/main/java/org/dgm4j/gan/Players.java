package org.dgm4j.gan;

import java.util.Arrays;
import org.dgm4j.nn.BatchNorm1d;
import org.dgm4j.nn.BatchNorm2d;
import org.dgm4j.nn.Conv2d;
import org.dgm4j.nn.ConvTranspose2d;
import org.dgm4j.nn.Flatten;
import org.dgm4j.nn.Init;
import org.dgm4j.nn.Layer;
import org.dgm4j.nn.LeakyReLU;
import org.dgm4j.nn.Linear;
import org.dgm4j.nn.Module;
import org.dgm4j.nn.ReLU;
import org.dgm4j.nn.Reshape;
import org.dgm4j.nn.Sequential;
import org.dgm4j.nn.Tanh;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Tensor;

/**
 * The networks the adversarial families are built from. MLP layers use PyTorch's default
 * initialization; the DCGAN players use Radford et al.'s (below). Discriminators return logits (B, 1).
 */
public final class Players {
    /** DCGAN's LeakyReLU slope in the discriminator, and the stddev of its N(0, 0.02²) weight initialization. */
    public static final double LEAKY_SLOPE = 0.2, DCGAN_INIT_STD = 0.02;

    private Players() {}

    /**
     * An MLP generator z (B, latent) → Linear(latent, h) ReLU Linear(h, h) ReLU Linear(h, D) [Tanh]
     * → (B, outShape...), D = ∏ outShape. {@code tanh}: squash into (−1, 1) (images scaled to [−1, 1]);
     * without it the output is unbounded (2-D points).
     */
    public static Sequential mlpGenerator(long latent, long hidden, long[] outShape, boolean tanh, DType dtype, Generator init) {
        return mlpGenerator(latent, hidden, outShape, tanh, false, dtype, init);
    }

    /**
     * The same with {@code batchNorm}: BatchNorm1d before each hidden ReLU (Linear BN ReLU, as the
     * DCGAN recipe and BiGAN's MLP generator have it), which keeps an MLP generator of images from
     * the noisy pixels it otherwise starts with.
     */
    public static Sequential mlpGenerator(long latent, long hidden, long[] outShape, boolean tanh, boolean batchNorm, DType dtype, Generator init) {
        long d = numel(outShape);
        Sequential s = new Sequential(new Linear(latent, hidden, true, dtype, init));
        if (batchNorm) s.add(new BatchNorm1d(hidden, 0.1, 1e-5, true, dtype));
        s.add(new ReLU()).add(new Linear(hidden, hidden, true, dtype, init));
        if (batchNorm) s.add(new BatchNorm1d(hidden, 0.1, 1e-5, true, dtype));
        s.add(new ReLU()).add(new Linear(hidden, d, true, dtype, init));
        if (tanh) s.add(new Tanh());
        return s.add(new Reshape(outShape));
    }

    /**
     * An MLP discriminator x (B, ...) → Flatten → Linear(D, h) LeakyReLU(0.2) Linear(h, h) LeakyReLU(0.2)
     * Linear(h, 1) → logits (B, 1). Also the discriminator on codes of the AAE (x = z) and on joint
     * (x, z) vectors of ALI.
     */
    public static Sequential mlpDiscriminator(long inputs, long hidden, DType dtype, Generator init) {
        return new Sequential(new Flatten(),
                new Linear(inputs, hidden, true, dtype, init), new LeakyReLU(LEAKY_SLOPE),
                new Linear(hidden, hidden, true, dtype, init), new LeakyReLU(LEAKY_SLOPE),
                new Linear(hidden, 1, true, dtype, init));
    }

    /**
     * An MLP encoder x (B, ...) → Flatten → Linear(D, h) ReLU Linear(h, h) ReLU Linear(h, out) → (B, out).
     */
    public static Sequential mlpEncoder(long inputs, long hidden, long out, DType dtype, Generator init) {
        return new Sequential(new Flatten(),
                new Linear(inputs, hidden, true, dtype, init), new ReLU(),
                new Linear(hidden, hidden, true, dtype, init), new ReLU(),
                new Linear(hidden, out, true, dtype, init));
    }

    /**
     * The DCGAN generator (Radford et al. 2016) sized for 28×28 grey images, base width w:
     * <pre>
     * z (B, latent) → (latent, 1, 1) → ConvT(latent, 4w, 7, stride 1, pad 0) BN ReLU   → (4w, 7, 7)
     *                                 → ConvT(4w, 2w, 4, stride 2, pad 1)    BN ReLU   → (2w, 14, 14)
     *                                 → ConvT(2w, 1, 4, stride 2, pad 1)     Tanh      → (1, 28, 28)
     * </pre>
     * Batch norm after every layer but the output, ReLU inside, tanh at the output (data scaled to
     * [−1, 1]). Convolutions followed by batch norm have no bias (BN's β replaces it).
     */
    public static Sequential dcganGenerator(long latent, long width, Generator init) {
        Sequential s = new Sequential(new Reshape(latent, 1, 1),
                new ConvTranspose2d(latent, 4 * width, 7, 1, 0, 0, 1, false, DType.F32, init), new BatchNorm2d(4 * width), new ReLU(),
                new ConvTranspose2d(4 * width, 2 * width, 4, 2, 1, 0, 1, false, DType.F32, init), new BatchNorm2d(2 * width), new ReLU(),
                new ConvTranspose2d(2 * width, 1, 4, 2, 1, 0, 1, true, DType.F32, init), new Tanh());
        dcganInit(s, init);
        return s;
    }

    /**
     * The DCGAN discriminator for 28×28 grey images, base width w:
     * <pre>
     * x (B, 1, 28, 28) → Conv(1, w, 4, stride 2, pad 1)       LeakyReLU(0.2)   → (w, 14, 14)
     *                  → Conv(w, 2w, 4, stride 2, pad 1)   BN LeakyReLU(0.2)   → (2w, 7, 7)
     *                  → Conv(2w, 1, 7, stride 1, pad 0) → flatten            → logits (B, 1)
     * </pre>
     * Batch norm everywhere but at the input layer (and the output), strided convolutions instead of
     * pooling, no fully connected hidden layer.
     */
    public static Sequential dcganDiscriminator(long width, Generator init) {
        Sequential s = new Sequential(
                new Conv2d(1, width, 4, 2, 1, 1, true, DType.F32, init), new LeakyReLU(LEAKY_SLOPE),
                new Conv2d(width, 2 * width, 4, 2, 1, 1, false, DType.F32, init), new BatchNorm2d(2 * width), new LeakyReLU(LEAKY_SLOPE),
                new Conv2d(2 * width, 1, 7, 1, 0, 1, true, DType.F32, init), new Flatten());
        dcganInit(s, init);
        return s;
    }

    /**
     * Radford et al.'s initialization, as in PyTorch's DCGAN example: convolution weights N(0, 0.02²),
     * batch-norm scales N(1, 0.02²) and shifts 0; biases keep PyTorch's default.
     */
    static void dcganInit(Sequential s, Generator init) {
        for (Layer l : s.layers()) {
            if (l instanceof Conv2d c) Init.normal(c.weight().tensor(), 0, DCGAN_INIT_STD, init);
            else if (l instanceof ConvTranspose2d c) Init.normal(c.weight().tensor(), 0, DCGAN_INIT_STD, init);
            else if (l instanceof BatchNorm2d b) {
                Init.normal(b.weight().tensor(), 1, DCGAN_INIT_STD, init);
                Init.zeros(b.bias().tensor());
            }
        }
    }

    /** ∏ dims (the flattened size of one example). */
    public static long numel(long[] dims) {
        return Arrays.stream(dims).reduce(1, Math::multiplyExact);
    }

    /** The first parameter's tensor: which backend and dtype a module lives on. */
    static Tensor anyParameter(Module m) {
        return m.parameters().get(0);
    }
}
