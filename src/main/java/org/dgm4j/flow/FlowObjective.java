package org.dgm4j.flow;

import java.util.LinkedHashMap;
import java.util.Map;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.backend.Backends;
import org.dgm4j.data.Batches;
import org.dgm4j.data.Dequantize;
import org.dgm4j.data.ImageSet;
import org.dgm4j.nn.Module;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.BatchInput;
import org.dgm4j.train.Objective;

/**
 * A flow image model as a {@link org.dgm4j.train.Trainer} objective: n-bit images, uniformly
 * dequantized by {@link #input()}, scored in bits per dimension ({@link BitsPerDim}).
 *
 * <p><b>Padding.</b> When the model's event (C, H', W') is larger than the data's (C, H, W), e.g. Glow
 * with 3 levels on 28×28 images built for 32×32, {@link #terms} pads each image symmetrically
 * (⌊(H' − H)/2⌋ rows on top, the rest below, likewise columns) with pixels of value 0 (Fashion-MNIST's
 * background), dequantized like the data with noise drawn from the objective's generator. bits/dim then
 * counts D_model = C·H'·W' in the discretization term and divides by D_data = C·H·W (the derivation is
 * in {@link BitsPerDim}); samples are cropped back to H×W.
 *
 * <p><b>Terms</b> (per-image means): {@code loss} = bits/dim (minimized), {@code nll} = the discrete
 * negative log-likelihood bound in nats per image, {@code logdet} = log|det ∂z/∂y| in nats and
 * {@code prior} = log p_base(z) in nats (nll = −prior − logdet + D_model·n·ln 2).
 */
public final class FlowObjective implements Objective {
    private final FlowModel model;
    private final int height, width, bits;
    private final double offset, temperature;
    private final long padTop, padBottom, padLeft, padRight;

    /**
     * @param dataHeight  H of the data images (≤ the model's H')
     * @param dataWidth   W of the data images (≤ the model's W')
     * @param bits        n: pixels are reduced to n bits before dequantization (8 keeps them)
     * @param offset      y = (x + u)/2^n − offset: 0.5 (Glow, y ∈ [−½, ½)) or 0 (y ∈ [0, 1))
     * @param temperature of the samples drawn by {@link #sample} (the trainer's grids)
     */
    public FlowObjective(FlowModel model, int dataHeight, int dataWidth, int bits, double offset, double temperature) {
        Shape e = model.eventShape();
        if (e.rank() != 3) throw new IllegalArgumentException("FlowObjective needs an image model (event (C, H, W)), found " + e);
        if (dataHeight < 1 || dataWidth < 1 || dataHeight > e.dim(1) || dataWidth > e.dim(2)) {
            throw new IllegalArgumentException("data images " + dataHeight + "x" + dataWidth + " must fit in the model's " + e.dim(1) + "x" + e.dim(2));
        }
        if (bits < 1 || bits > 8) throw new IllegalArgumentException("bits must be 1..8, found " + bits);
        this.model = model;
        this.height = dataHeight;
        this.width = dataWidth;
        this.bits = bits;
        this.offset = offset;
        this.temperature = temperature;
        padTop = (e.dim(1) - dataHeight) / 2;
        padBottom = e.dim(1) - dataHeight - padTop;
        padLeft = (e.dim(2) - dataWidth) / 2;
        padRight = e.dim(2) - dataWidth - padLeft;
    }

    /** 28×28 8-bit images (Fashion-MNIST), Glow's y ∈ [−½, ½), samples at temperature 0.7. */
    public static FlowObjective fashionMnist(FlowModel model) {
        return new FlowObjective(model, 28, 28, 8, 0.5, 0.7);
    }

    /**
     * The batch input matching this objective: pixels reduced to n bits and dequantized as
     * y = (x_n + u)/2^n − offset with u ~ U[0, 1) drawn from the loader's generator (on the host, so the
     * same seed gives the same batch on every backend), as (B, C, H, W) of the model's dtype.
     */
    public BatchInput input() {
        return dequantized(bits, offset, model.dtype());
    }

    /** See {@link #input()}. */
    public static BatchInput dequantized(int bits, double offset, DType dtype) {
        return (set, indices, g) -> {
            byte[] pixels = set.gatherPixels(indices);
            float[] noise;
            try (Tensor u = g.uniform(Backends.cpu(), DType.F32, Shape.of(pixels.length))) {
                noise = u.toFloatArray();
            }
            Tensor x = Tensor.of(Dequantize.uniform(pixels, bits, offset, noise), indices.length, set.channels(), set.height(), set.width());
            return dtype == DType.F32 ? x : Ops.cast(x, dtype);
        };
    }

    @Override
    public Module module() {
        return model;
    }

    public FlowModel model() {
        return model;
    }

    /** D_data = C·H·W of the data images. */
    public long dataDims() {
        return model.eventShape().dim(0) * height * width;
    }

    /** D_model = C·H'·W' that the model sees (after padding). */
    public long modelDims() {
        return model.latentSize();
    }

    /** x (B, C, H, W) dequantized → (B, C, H', W'), padding with dequantized zero pixels drawn from g. */
    public Tensor pad(Tensor x, Generator g) {
        if (padTop + padBottom + padLeft + padRight == 0) return x;
        long b = x.dim(0), c = x.dim(1);
        Tensor rows = concatNonEmpty(2, padding(x, g, Shape.of(b, c, padTop, width)), x, padding(x, g, Shape.of(b, c, padBottom, width)));
        long h = rows.dim(2);
        return concatNonEmpty(3, padding(x, g, Shape.of(b, c, h, padLeft)), rows, padding(x, g, Shape.of(b, c, h, padRight)));
    }

    private Tensor padding(Tensor like, Generator g, Shape s) {
        if (s.numel() == 0) return null;
        return Ops.addScalar(Ops.mulScalar(g.uniform(like.backend(), like.dtype(), s), 1.0 / (1 << bits)), -offset);
    }

    private static Tensor concatNonEmpty(int axis, Tensor... parts) {
        return Ops.concat(axis, java.util.Arrays.stream(parts).filter(java.util.Objects::nonNull).toArray(Tensor[]::new));
    }

    @Override
    public LinkedHashMap<String, Tensor> terms(Tensor x, Generator g) {
        if (x.rank() != 4 || x.dim(2) != height || x.dim(3) != width) {
            throw new IllegalArgumentException("FlowObjective: expected images (B, C, " + height + ", " + width + "), found " + x.shape());
        }
        FlowModel.LogLikelihood ll = model.logLikelihood(pad(x, g));
        LinkedHashMap<String, Tensor> t = new LinkedHashMap<>();
        Tensor logProb = Ops.mean(ll.logProb(), false);
        t.put("loss", BitsPerDim.of(logProb, modelDims(), dataDims(), bits));
        t.put("nll", Ops.addScalar(Ops.neg(logProb), modelDims() * bits * Math.log(2)));
        t.put("logdet", Ops.mean(ll.logdet(), false));
        t.put("prior", Ops.mean(ll.prior(), false));
        return t;
    }

    /** n samples at this objective's temperature, cropped to H×W and mapped to [0, 1] (y + offset, clamped). */
    @Override
    public Tensor sample(int n, Generator g) {
        return sample(n, g, temperature);
    }

    /** n samples (n, C, H, W) at temperature T, cropped to H×W and mapped to [0, 1] (y + offset, clamped); no graph. */
    @Override
    public Tensor sample(int n, Generator g, double temperature) {
        try (var ng = Autograd.noGrad()) {
            return images(model.sample(n, temperature, g));
        }
    }

    /**
     * For each pair (a[i], b[i]) of dequantized images (B, C, H, W), padded with noise from g: steps
     * images decoded from z_a + t·(z_b − z_a), t = 0 .. 1 ({@link FlowModel#interpolate}), cropped and
     * mapped to [0, 1] like samples; (B·steps, C, H, W), pair after pair. No graph.
     */
    @Override
    public Tensor interpolate(Tensor a, Tensor b, int steps, Generator g) {
        if (a.rank() != 4 || !a.shape().equals(b.shape()) || a.dim(2) != height || a.dim(3) != width) {
            throw new IllegalArgumentException("interpolate: a and b must both be (B, C, " + height + ", " + width + "), found " + a.shape() + " and " + b.shape());
        }
        try (var ng = Autograd.noGrad()) {
            Tensor pa = pad(a, g), pb = pad(b, g);
            Tensor[] lines = new Tensor[(int) a.dim(0)];
            for (int i = 0; i < lines.length; i++) lines[i] = model.interpolate(pa.narrowBatch(i, i + 1), pb.narrowBatch(i, i + 1), steps);
            return images(Ops.concat(0, lines));
        }
    }

    /** Model-space y (n, C, H', W') → the data's H×W crop in [0, 1] (y + offset, clamped). */
    private Tensor images(Tensor y) {
        Tensor crop = Ops.slice(Ops.slice(y, 2, padTop, padTop + height, 1), 3, padLeft, padLeft + width, 1);
        Tensor v = Ops.addScalar(crop, offset);
        return Ops.minimum(Ops.maximum(v, Ops.scalarLike(v, 0)), Ops.scalarLike(v, 1));
    }

    @Override
    public Map<String, String> metadata() {
        LinkedHashMap<String, String> m = new LinkedHashMap<>(model.metadata());
        m.put("objective", "bits/dim");
        m.put("bits", Integer.toString(bits));
        m.put("dequantization_offset", Double.toString(offset));
        m.put("data_shape", model.eventShape().dim(0) + "x" + height + "x" + width);
        m.put("sample_temperature", Double.toString(temperature));
        return m;
    }

    /**
     * The model's data-dependent initialization (ActNorm) on a dequantized batch x (B, C, H, W) as
     * {@link #input()} serves it, padded with noise from g; layers already initialized are left alone.
     */
    @Override
    public void initialize(Tensor x, Generator g) {
        try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
            model.initialize(pad(x, g));
        }
    }

    /**
     * The model's data-dependent initialization (ActNorm), the explicit step before training: the
     * first {@code count} images of {@code set}, dequantized and padded with noise from g.
     */
    public void initialize(ImageSet set, int count, Generator g) {
        int[] idx = new int[Math.min(count, set.count())];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
            model.initialize(pad(input().load(set, idx, g), g));
        }
    }

    /** Mean bits/dim over a whole image set (test set), batch by batch, without a graph; noise from g. */
    public double bitsPerDim(ImageSet set, int batchSize, Generator g) {
        double sum = 0;
        BatchInput in = input();
        for (Batches.Batch b : new Batches(set.count(), batchSize, 0, false, false).epoch(0)) {
            try (Scope s = Scope.open(); var ng = Autograd.noGrad()) {
                sum += terms(in.load(set, b.indices(), g), g).get("loss").item() * b.indices().length;
            }
        }
        return sum / set.count();
    }
}
