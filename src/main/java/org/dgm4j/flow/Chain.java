package org.dgm4j.flow;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * Bijectors composed in order: forward applies them first to last, inverse last to first; the
 * logdets (B, float64) add up. Steps are submodules named "0", "1", ...
 */
public final class Chain extends Bijector {
    private final List<Bijector> steps = new ArrayList<>();

    public Chain(Bijector... steps) {
        for (Bijector b : steps) add(b);
    }

    /** Appends a step (taking ownership); returns this. */
    public Chain add(Bijector step) {
        steps.add(module(Integer.toString(steps.size()), step));
        return this;
    }

    public List<Bijector> steps() {
        return Collections.unmodifiableList(steps);
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

    private Result run(Tensor x, boolean init) {
        Tensor h = x, logdet = null;
        for (Bijector b : steps) {
            Result r = init ? b.initialize(h) : b.forward(h);
            h = r.value();
            logdet = logdet == null ? r.logdet() : Ops.add(logdet, r.logdet());
        }
        return new Result(h, logdet == null ? zeroLogdet(x) : logdet);
    }

    @Override
    public Result inverse(Tensor z) {
        Tensor h = z, logdet = null;
        for (int i = steps.size() - 1; i >= 0; i--) {
            Result r = steps.get(i).inverse(h);
            h = r.value();
            logdet = logdet == null ? r.logdet() : Ops.add(logdet, r.logdet());
        }
        return new Result(h, logdet == null ? zeroLogdet(z) : logdet);
    }

    @Override
    public Shape outputShape(Shape in) {
        Shape s = in;
        for (Bijector b : steps) s = b.outputShape(s);
        return s;
    }
}
