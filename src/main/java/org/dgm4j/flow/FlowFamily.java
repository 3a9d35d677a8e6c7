package org.dgm4j.flow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.config.Config;
import org.dgm4j.config.ConfigKey;
import org.dgm4j.nn.Module;
import org.dgm4j.optim.Adam;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.BatchInput;
import org.dgm4j.train.ModelFamily;
import org.dgm4j.train.Objective;
import org.dgm4j.train.Trainable;

/**
 * The flows as {@code dgm4j train} families: {@code glow}, {@code realnvp} and {@code nice} on images,
 * {@code realnvp2d} on 2-D point sets. Images are served dequantized ({@link FlowObjective#dequantized})
 * and scored in bits/dim (the loss); points in nats per point (loss = −log p(x)). The first training
 * batch runs the data-dependent ActNorm initialization ({@link Trainable#initialize}); its done-flags are
 * module buffers, so a resumed run does not repeat it. Samples are drawn at a temperature
 * ({@code model.temperature} for the epoch pictures, {@code dgm4j sample --temperature T} afterwards).
 * Adam at {@code train.lr}, float32.
 */
public final class FlowFamily implements ModelFamily {
    private enum Kind { GLOW, REALNVP, NICE, REALNVP2D }

    private final Kind kind;

    private FlowFamily(Kind kind) {
        this.kind = kind;
    }

    /** Glow (ActNorm, invertible 1x1 convolution, affine coupling; multi-scale with learned split priors). */
    public static FlowFamily glow() {
        return new FlowFamily(Kind.GLOW);
    }

    /** RealNVP's multi-scale image model (checkerboard and channel couplings). */
    public static FlowFamily realNvp() {
        return new FlowFamily(Kind.REALNVP);
    }

    /** NICE (additive couplings on flattened images, diagonal scaling). */
    public static FlowFamily nice() {
        return new FlowFamily(Kind.NICE);
    }

    /** RealNVP on 2-D points (ActNorm + affine couplings with MLP nets). */
    public static FlowFamily realNvp2d() {
        return new FlowFamily(Kind.REALNVP2D);
    }

    @Override
    public String name() {
        return kind.name().toLowerCase();
    }

    @Override
    public String summary() {
        return switch (kind) {
            case GLOW -> "Glow normalizing flow on dequantized images (loss bits/dim)";
            case REALNVP -> "RealNVP multi-scale normalizing flow on dequantized images (loss bits/dim)";
            case NICE -> "NICE additive-coupling flow on dequantized images (loss bits/dim)";
            case REALNVP2D -> "RealNVP normalizing flow on 2-D point sets (loss -log p in nats)";
        };
    }

    private static List<ConfigKey> imageKeys(double temperature) {
        return List.of(
                ConfigKey.integer("model.bits", 8, "pixels reduced to N bits before dequantization (1..8)"),
                ConfigKey.number("model.temperature", temperature, "temperature of the samples drawn each epoch"));
    }

    @Override
    public List<ConfigKey> options() {
        List<ConfigKey> k = new ArrayList<>();
        switch (kind) {
            case GLOW -> {
                k.add(ConfigKey.integer("model.levels", 2, "squeeze levels L (L - 1 splits); images are padded with background to a multiple of 2^L"));
                k.add(ConfigKey.integer("model.steps", 8, "flow steps K per level (ActNorm, 1x1 conv, affine coupling)"));
                k.add(ConfigKey.longInteger("model.hidden", 128, "channels of the coupling nets"));
                k.add(ConfigKey.bool("model.lu", true, "LU-parameterized 1x1 convolutions (false: dense W, LU on the device)"));
                k.add(ConfigKey.bool("model.learn_top", false, "learned per-channel Gaussian top prior (false: standard normal)"));
                k.addAll(imageKeys(0.7));
            }
            case REALNVP -> {
                k.add(ConfigKey.integer("model.scales", 2, "scales S; H and W must be divisible by 2^(S-1)"));
                k.add(ConfigKey.longInteger("model.hidden", 64, "channels of the coupling nets"));
                k.addAll(imageKeys(0.7));
            }
            case NICE -> {
                k.add(ConfigKey.integer("model.couplings", 4, "additive coupling layers"));
                k.add(ConfigKey.longInteger("model.hidden", 1000, "units of each hidden layer of the coupling MLPs"));
                k.add(ConfigKey.integer("model.hidden_layers", 5, "hidden layers of each coupling MLP"));
                k.add(ConfigKey.choice("model.base", "logistic", "base distribution", "logistic", "gaussian"));
                k.addAll(imageKeys(1.0));
            }
            case REALNVP2D -> {
                k.add(ConfigKey.integer("model.couplings", 8, "ActNorm + affine coupling pairs"));
                k.add(ConfigKey.longInteger("model.hidden", 256, "units of each hidden layer of the coupling MLPs"));
                k.add(ConfigKey.integer("model.hidden_layers", 2, "hidden layers of each coupling MLP"));
                k.add(ConfigKey.number("model.temperature", 1.0, "temperature of the samples drawn each epoch"));
            }
        }
        return k;
    }

    @Override
    public Map<String, Object> defaults() {
        return switch (kind) {
            case REALNVP2D -> Map.of("data.set", "two-moons", "train.batch_size", 512, "train.epochs", 10);
            case NICE -> Map.of("train.batch_size", 128);
            default -> Map.of("train.batch_size", 64);
        };
    }

    /** Images dequantized to y = (x_n + u)/2^n − ½ (Glow's convention), float32. */
    @Override
    public BatchInput input(Config c) {
        return FlowObjective.dequantized(c.getInt("model.bits"), 0.5, DType.F32);
    }

    @Override
    public Trainable create(Config c, long[] shape, Generator init) {
        boolean images = shape.length == 3;
        if (images == (kind == Kind.REALNVP2D)) {
            throw new IllegalArgumentException(name() + " trains on " + (images ? "2-D points (data.set two-moons, ring8, ...)" : "images (data.set fashion-mnist)")
                    + ", found examples of shape " + Arrays.toString(shape));
        }
        DType f32 = DType.F32;
        double temperature = c.getDouble("model.temperature");
        if (!(temperature > 0)) throw new IllegalArgumentException("model.temperature must be > 0, found " + temperature);
        if (!images) {
            RealNvp2d m = new RealNvp2d(c.getInt("model.couplings"), c.getLong("model.hidden"), c.getInt("model.hidden_layers"), f32, init);
            return Trainable.minimizing(new Points(m, temperature), new Adam(m.parameters(), c.getDouble("train.lr")));
        }
        int ch = (int) shape[0], h = (int) shape[1], w = (int) shape[2];
        FlowModel m = switch (kind) {
            case GLOW -> {
                int levels = c.getInt("model.levels");
                if (levels < 1 || levels > 5) throw new IllegalArgumentException("model.levels must be 1..5, found " + levels);
                int div = 1 << levels;
                yield new Glow(Shape.of(ch, roundUp(h, div), roundUp(w, div)), levels, c.getInt("model.steps"), c.getLong("model.hidden"),
                        c.getBool("model.learn_top"), c.getBool("model.lu"), f32, init);
            }
            case REALNVP -> new RealNvpImage(Shape.of(ch, h, w), c.getInt("model.scales"), c.getLong("model.hidden"), f32, init);
            case NICE -> new Nice(Shape.of(ch, h, w), c.getInt("model.couplings"), c.getLong("model.hidden"), c.getInt("model.hidden_layers"),
                    c.getString("model.base").equals("logistic") ? Base.LOGISTIC : Base.GAUSSIAN, f32, init);
            case REALNVP2D -> throw new AssertionError();
        };
        FlowObjective obj = new FlowObjective(m, h, w, c.getInt("model.bits"), 0.5, temperature);
        return Trainable.minimizing(obj, new Adam(m.parameters(), c.getDouble("train.lr")));
    }

    private static int roundUp(int n, int div) {
        return (n + div - 1) / div * div;
    }

    /** A 2-D flow's objective: −log p(x) in nats per point, with its logdet and prior parts. */
    private record Points(FlowModel model, double temperature) implements Objective {
        @Override
        public Module module() {
            return model;
        }

        @Override
        public void initialize(Tensor x, Generator g) {
            try (var ng = Autograd.noGrad()) {
                model.initialize(x);
            }
        }

        @Override
        public LinkedHashMap<String, Tensor> terms(Tensor x, Generator g) {
            FlowModel.LogLikelihood ll = model.logLikelihood(x);
            LinkedHashMap<String, Tensor> t = new LinkedHashMap<>();
            t.put("loss", Ops.neg(Ops.mean(ll.logProb(), false)));
            t.put("logdet", Ops.mean(ll.logdet(), false));
            t.put("prior", Ops.mean(ll.prior(), false));
            return t;
        }

        @Override
        public Tensor sample(int n, Generator g) {
            return sample(n, g, temperature);
        }

        @Override
        public Tensor sample(int n, Generator g, double t) {
            return model.sample(n, t, g);
        }

        @Override
        public Map<String, String> metadata() {
            LinkedHashMap<String, String> m = new LinkedHashMap<>(model.metadata());
            m.put("objective", "nll nats");
            m.put("sample_temperature", Double.toString(temperature));
            return m;
        }
    }
}
