package org.dgm4j.rbm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.nn.Module;
import org.dgm4j.optim.Optimizer;
import org.dgm4j.tensor.Generator;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.dgm4j.train.StepContext;
import org.dgm4j.train.Trainable;

/**
 * A {@link BinaryRbm} as the trainer drives it. Each step writes the CD-k / PCD-k gradient of the
 * flattened batch (B, V) ({@link ContrastiveDivergence#gradient}) and applies it through
 * {@link StepContext#applyGradients} (non-finite guard, data-parallel averaging). The first batch sets
 * the visible biases to the logits of its pixel means (Hinton's guide, section 8) and, for PCD, starts
 * the chains from that model; the chains are a buffer of the module, so checkpoints keep them.
 *
 * <p>Metrics (per example): {@code loss} = the reconstruction error Σ_i (v_i − p(v_i | h))², h ~ p(h | v),
 * the usual monitor (not a likelihood); {@code free_energy} = mean F(v) of the batch; on training
 * steps also {@code fe_gap} = mean F(data) − mean F(negative samples).
 */
public final class RbmTrainable implements Trainable {
    /** SGD momentum {@code initial} for the first {@code epochs} epochs, then {@code later}. */
    public record Momentum(double initial, int epochs, double later) {}

    private final Model module;
    private final long[] exampleShape;
    private final ContrastiveDivergence cd;
    private final Momentum momentum;
    private final int sampleSteps;

    /** The RBM ("rbm.*") and, for PCD, the persistent chains ("chains", (M, V)). */
    private static final class Model extends Module {
        final BinaryRbm rbm;
        final Tensor chains;

        Model(BinaryRbm rbm, int chains) {
            this.rbm = module("rbm", rbm);
            this.chains = chains > 0 ? buffer("chains", Tensor.zeros(rbm.backend(), rbm.dtype(), Shape.of(chains, rbm.visible()))) : null;
        }
    }

    RbmTrainable(BinaryRbm rbm, long[] exampleShape, ContrastiveDivergence.Options options, Momentum momentum, int sampleSteps) {
        if (sampleSteps < 1) throw new IllegalArgumentException("model.sample_steps must be >= 1, found " + sampleSteps);
        this.module = new Model(rbm, options.persistent() ? options.chains() : 0);
        this.exampleShape = exampleShape.clone();
        this.cd = new ContrastiveDivergence(rbm, options.withMomentum(momentum.initial()), module.chains);
        this.momentum = momentum;
        this.sampleSteps = sampleSteps;
    }

    /** The "rbm.*" entries of a saved state dict, without the prefix. */
    static Map<String, Tensor> rbmTensors(Map<String, Tensor> state) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        state.forEach((k, v) -> {
            if (k.startsWith("rbm.")) m.put(k.substring(4), v);
        });
        return m;
    }

    @Override
    public Module module() {
        return module;
    }

    @Override
    public Map<String, Optimizer> optimizers() {
        return cd.optimizers();
    }

    @Override
    public void initialize(Tensor x, Generator g) {
        try (var ng = Autograd.noGrad()) {
            module.rbm.initVisibleBiasFromMean(flat(x).mean(0), 1e-3);
        }
        cd.restartChains(g);
    }

    @Override
    public LinkedHashMap<String, Double> trainStep(Tensor x, Generator g, StepContext ctx) {
        cd.setMomentum(ctx.epoch() < momentum.epochs() ? momentum.initial() : momentum.later());
        ContrastiveDivergence.Step s = cd.gradient(flat(x), g);
        LinkedHashMap<String, Double> values = new LinkedHashMap<>();
        values.put("loss", s.reconstruction().item());
        values.put("fe_gap", s.freeEnergyGap().item());
        values.put("free_energy", s.freeEnergy().item());
        ctx.applyGradients(List.copyOf(cd.optimizers().values()), values);
        return values;
    }

    @Override
    public LinkedHashMap<String, Double> evaluate(Tensor x, Generator g) {
        Tensor v = flat(x);
        LinkedHashMap<String, Double> values = new LinkedHashMap<>();
        values.put("loss", module.rbm.reconstructionError(v, g).item());
        values.put("free_energy", module.rbm.freeEnergy(v).mean().item());
        return values;
    }

    @Override
    public Tensor sample(int n, Generator g) {
        long[] shape = new long[exampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
        return module.rbm.sample(n, sampleSteps, g).reshape(shape);
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of("model", "rbm", "visible", Integer.toString(module.rbm.visible()), "hidden", Integer.toString(module.rbm.hidden()));
    }

    /** (B, C, H, W) or (B, D) → (B, V) in the RBM's dtype. */
    private Tensor flat(Tensor x) {
        return x.reshape(x.dim(0), module.rbm.visible()).toDType(module.rbm.dtype());
    }

    @Override
    public void close() {
        cd.close();
        module.close();
    }
}
