package org.dgm4j.optim;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ClipAndScheduleTest {
    private static Tensor withGrad(float[] g) {
        return Scope.unscoped(() -> {
            Tensor p = Tensor.zeros(DType.F32, g.length).requiresGrad(true);
            p.setGrad(Tensor.of(g, g.length));
            return p;
        });
    }

    @Test
    void clippingScalesAllGradientsToTheMaxNorm() {
        try (Tensor a = withGrad(new float[] {3, 4}); Tensor b = withGrad(new float[] {12}); Tensor none = Scope.unscoped(() -> Tensor.zeros(DType.F32, 2).requiresGrad(true))) {
            List<Tensor> params = List.of(a, b, none);
            assertEquals(13, Clip.byGlobalNorm(params, 100), 1e-12, "below the limit: untouched");
            assertArrayEquals(new float[] {3, 4}, a.grad().toFloatArray());
            assertEquals(13, Clip.byGlobalNorm(params, 6.5), 1e-12);
            assertEquals(6.5, Clip.globalNorm(params), 1e-5); // float32 gradients after scaling
            double scale = 6.5 / (13 + 1e-6);
            assertArrayEquals(new float[] {(float) (3 * scale), (float) (4 * scale)}, a.grad().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void schedulesAtGivenSteps() {
        assertEquals(0.1, LrSchedule.constant(0.1).lr(12345));
        LrSchedule step = LrSchedule.stepDecay(1.0, 10, 0.5);
        assertEquals(1.0, step.lr(9));
        assertEquals(0.5, step.lr(10));
        assertEquals(0.25, step.lr(25));
        assertEquals(Math.pow(0.99, 7), LrSchedule.exponential(1.0, 0.99).lr(7), 1e-15);
        LrSchedule cos = LrSchedule.cosine(1.0, 100, 0.1);
        assertEquals(1.0, cos.lr(0), 1e-15);
        assertEquals(0.55, cos.lr(50), 1e-15);
        assertEquals(0.1, cos.lr(100), 1e-15);
        assertEquals(0.1, cos.lr(1000), 1e-15);
        LrSchedule warm = cos.withWarmup(4);
        assertEquals(0.25, warm.lr(0), 1e-15);
        assertEquals(0.75, warm.lr(2), 1e-15);
        assertEquals(1.0, warm.lr(4), 1e-15);
        assertEquals(0.55, warm.lr(54), 1e-15);
    }

    @Test
    void applySetsTheLearningRateOfTheNextUpdate() {
        try (Tensor p = withGrad(new float[] {1}); SGD opt = new SGD(List.of(p), 1)) {
            LrSchedule s = LrSchedule.stepDecay(0.4, 1, 0.5);
            assertEquals(0.4, s.apply(opt));
            opt.step();
            assertEquals(0.2, s.apply(opt));
            assertEquals(0.2, opt.lr());
            assertEquals(-0.4f, p.toFloatArray()[0], 1e-7f);
        }
    }
}
