package org.dgm4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dgm4j.backend.Backends;
import org.dgm4j.optim.SGD;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class StepContextTest {
    /** loss = 3·p₀ + 4·p₁ has the gradient (3, 4), norm 5; SGD with lr 1 moves p by minus the (clipped) gradient. */
    private static double[] stepWith(double clipNorm) {
        Backends.use(Backends.cpu());
        try (Tensor p = Tensor.of(Backends.cpu(), new double[] {1, 1}, Shape.of(2)).requiresGrad(true); SGD sgd = new SGD(List.of(p), 1)) {
            StepContext ctx = new StepContext(Map.of("p", p), (params, n) -> {}, clipNorm);
            try (Scope s = Scope.open()) {
                Tensor w = Tensor.of(Backends.cpu(), new double[] {3, 4}, Shape.of(2));
                LinkedHashMap<String, Tensor> terms = new LinkedHashMap<>();
                terms.put("loss", p.mul(w).sum());
                ctx.minimize(sgd, terms);
            }
            return p.toDoubleArray();
        }
    }

    @Test
    void clipNormScalesTheWholeGradientDownToItsNormAndLeavesSmallerOnesAlone() {
        assertArrayEquals(new double[] {-2, -3}, stepWith(0), 1e-15, "no clipping");
        assertArrayEquals(new double[] {-2, -3}, stepWith(10), 1e-15, "norm 5 is below 10");
        // scaled by 1 / (5 + 1e-6), PyTorch's clip_grad_norm_: (3, 4) -> (0.6, 0.8)
        assertArrayEquals(new double[] {1 - 3 / (5 + 1e-6), 1 - 4 / (5 + 1e-6)}, stepWith(1), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new StepContext(Map.of(), (params, n) -> {}, -1));
    }

    /** One update of p = (1, 1) with loss = w·p, so the gradient is w. */
    private static void update(StepContext ctx, SGD sgd, Tensor p, double... w) {
        try (Scope s = Scope.open()) {
            LinkedHashMap<String, Tensor> terms = new LinkedHashMap<>();
            terms.put("loss", p.mul(Tensor.of(Backends.cpu(), w, Shape.of(2))).sum());
            ctx.minimize(sgd, terms);
        }
    }

    @Test
    void gradNormIsTheStepsLargestNormBeforeClippingAndNaNWithoutClipping() {
        Backends.use(Backends.cpu());
        try (Tensor p = Tensor.of(Backends.cpu(), new double[] {1, 1}, Shape.of(2)).requiresGrad(true); SGD sgd = new SGD(List.of(p), 1)) {
            StepContext clipping = new StepContext(Map.of("p", p), (params, n) -> {}, 1);
            clipping.at(1, 0, 1);
            update(clipping, sgd, p, 3, 4);
            update(clipping, sgd, p, 6, 8); // a second update in the same step, as a GAN's generator
            update(clipping, sgd, p, 0.3, 0.4);
            assertEquals(10, clipping.gradNorm(), 1e-12, "the largest of the step's norms 5, 10 and 0.5");
            clipping.at(2, 0, 1);
            assertEquals(Double.NaN, clipping.gradNorm(), "a new step starts without a norm");
            update(clipping, sgd, p, 0.3, 0.4);
            assertEquals(0.5, clipping.gradNorm(), 1e-12, "reported also when the clip does not act");

            StepContext plain = new StepContext(Map.of("p", p), (params, n) -> {}, 0);
            plain.at(1, 0, 1);
            update(plain, sgd, p, 3, 4);
            assertEquals(Double.NaN, plain.gradNorm(), "not computed without clipping");
        }
    }
}
