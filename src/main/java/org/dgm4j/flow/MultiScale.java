package org.dgm4j.flow;

import java.util.ArrayList;
import java.util.List;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * The multi-scale architecture of RealNVP and Glow: L levels; after every level but the last, half of
 * the channels are factored out (they leave the flow and go straight to the latent) and the rest go on.
 *
 * <pre>
 * x (B, C, H, W) → z (B, D), D = C·H·W
 *   h = x
 *   for level l = 0 .. L−1:
 *     h = level_l(h)                                    e.g. squeeze, then K flow steps
 *     if l &lt; L−1:
 *       h = split_l(h)          (optional)              e.g. {@link SplitPrior}: [z1 | z2] → [z1 | ε2]
 *       emit the last ⌊C_l/2⌋ channels of h; h = the first ⌈C_l/2⌉
 *   h = top(h)                  (optional)              e.g. {@link LearnedPrior}
 *   z = concat(flatten(emitted_0), …, flatten(emitted_{L−2}), flatten(h)) along axis 1
 * </pre>
 *
 * Without a split bijector the factored-out half is scored by the base distribution directly (RealNVP);
 * with one, by the learned conditional prior it implements (Glow). logdet adds every piece's.
 * Submodules: "level0", "split0", …, "top".
 */
public final class MultiScale extends Bijector {
    private final Shape event;
    private final List<Bijector> levels = new ArrayList<>(), splits = new ArrayList<>();
    private final Bijector top;
    /** Per-example shape of what level l emits (l &lt; L−1), and of the top output (index L−1). */
    private final Shape[] emitted;

    /**
     * @param event  per-example input shape (C, H, W)
     * @param levels the L level bijectors, in order
     * @param splits L − 1 bijectors applied before each split (entries may be null: plain factor-out)
     * @param top    applied to what remains after the last level, or null
     */
    public MultiScale(Shape event, List<? extends Bijector> levels, List<? extends Bijector> splits, Bijector top) {
        if (event.rank() != 3) throw new IllegalArgumentException("MultiScale: event must be (C, H, W), found " + event);
        if (levels.isEmpty() || splits.size() != levels.size() - 1) {
            throw new IllegalArgumentException("MultiScale needs L >= 1 levels and L - 1 splits, found " + levels.size() + " and " + splits.size());
        }
        this.event = event;
        emitted = new Shape[levels.size()];
        Shape s = event;
        for (int l = 0; l < levels.size(); l++) {
            this.levels.add(module("level" + l, levels.get(l)));
            s = levels.get(l).outputShape(s);
            if (l < levels.size() - 1) {
                Bijector split = splits.get(l);
                this.splits.add(split == null ? null : module("split" + l, split));
                if (split != null) s = split.outputShape(s);
                long kept = SplitPrior.keptChannels(s.dim(0));
                if (s.dim(0) < 2) throw new IllegalArgumentException("MultiScale: level " + l + " outputs " + s + ", too few channels to split");
                emitted[l] = Shape.of(s.dim(0) - kept, s.dim(1), s.dim(2));
                s = Shape.of(kept, s.dim(1), s.dim(2));
            }
        }
        this.top = top == null ? null : module("top", top);
        emitted[levels.size() - 1] = top == null ? s : top.outputShape(s);
    }

    /** The per-example shapes of the latent's pieces: what each level factors out, then the top. */
    public List<Shape> latentPieces() {
        return List.of(emitted);
    }

    @Override
    public Shape outputShape(Shape in) {
        if (!in.equals(event)) throw new IllegalArgumentException("MultiScale: built for " + event + ", given " + in);
        return Shape.of(event.numel());
    }

    @Override
    public Result forward(Tensor x) {
        return run(x, false);
    }

    @Override
    public Result initialize(Tensor x) {
        try (var ng = Autograd.noGrad()) {
            return run(x, true);
        }
    }

    private static Result step(Bijector b, Tensor h, boolean init) {
        return init ? b.initialize(h) : b.forward(h);
    }

    private Result run(Tensor x, boolean init) {
        if (x.rank() != 4 || !Shape.of(x.dim(1), x.dim(2), x.dim(3)).equals(event)) {
            throw new IllegalArgumentException("MultiScale: input must be (B, " + event + "), found " + x.shape());
        }
        long batch = x.dim(0);
        List<Tensor> out = new ArrayList<>();
        Result r = step(levels.get(0), x, init);
        Tensor h = r.value(), logdet = r.logdet();
        for (int l = 0; l < levels.size(); l++) {
            if (l > 0) {
                r = step(levels.get(l), h, init);
                h = r.value();
                logdet = Ops.add(logdet, r.logdet());
            }
            if (l == levels.size() - 1) break;
            if (splits.get(l) != null) {
                r = step(splits.get(l), h, init);
                h = r.value();
                logdet = Ops.add(logdet, r.logdet());
            }
            long c = h.dim(1), kept = SplitPrior.keptChannels(c);
            Tensor[] parts = Ops.split(h, 1, kept, c - kept);
            out.add(Ops.reshape(parts[1], Shape.of(batch, emitted[l].numel())));
            h = parts[0];
        }
        if (top != null) {
            r = step(top, h, init);
            h = r.value();
            logdet = Ops.add(logdet, r.logdet());
        }
        out.add(Ops.reshape(h, Shape.of(batch, h.numel() / batch)));
        return new Result(Ops.concat(1, out.toArray(new Tensor[0])), logdet);
    }

    @Override
    public Result inverse(Tensor z) {
        if (z.rank() != 2 || z.dim(1) != event.numel()) throw new IllegalArgumentException("MultiScale: latent must be (B, " + event.numel() + "), found " + z.shape());
        long batch = z.dim(0);
        int last = levels.size() - 1;
        long[] start = new long[levels.size()];
        for (int l = 1; l <= last; l++) start[l] = start[l - 1] + emitted[l - 1].numel();
        Tensor h = piece(z, start[last], emitted[last], batch), logdet = null;
        if (top != null) {
            Result r = top.inverse(h);
            h = r.value();
            logdet = r.logdet();
        }
        for (int l = last; l >= 0; l--) {
            if (l < last) {
                h = Ops.concat(1, h, piece(z, start[l], emitted[l], batch));
                if (splits.get(l) != null) {
                    Result r = splits.get(l).inverse(h);
                    h = r.value();
                    logdet = logdet == null ? r.logdet() : Ops.add(logdet, r.logdet());
                }
            }
            Result r = levels.get(l).inverse(h);
            h = r.value();
            logdet = logdet == null ? r.logdet() : Ops.add(logdet, r.logdet());
        }
        return new Result(h, logdet);
    }

    private static Tensor piece(Tensor z, long start, Shape shape, long batch) {
        Tensor s = Ops.slice(z, 1, start, start + shape.numel(), 1);
        return Ops.reshape(s, Shape.of(batch, shape.dim(0), shape.dim(1), shape.dim(2)));
    }

    @Override
    protected String describe() {
        return event + " -> (" + event.numel() + "), " + levels.size() + " levels";
    }
}
