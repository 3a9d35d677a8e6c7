package org.dgm4j.autograd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.IdentityHashMap;
import java.util.Map;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class NonFiniteTraceTest {
    @Test
    void namesTheFirstOpThatProducedANanAndTheLayerFeedingIt() {
        try (Scope s = Scope.open()) {
            Tensor w = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
            Tensor x = Tensor.of(new float[] {1, -1, 0.5f, 2}, 2, 2);
            Map<Tensor, String> names = new IdentityHashMap<>();
            names.put(w, "encoder.0.weight");
            // matmul is finite; its output has negative entries, so log makes NaN; exp and sum carry it on
            Tensor loss = x.matmul(w).sub(1).log().exp().sum();
            String trace = NonFiniteTrace.describe(loss, names);
            assertTrue(trace.contains("op 'log'") && trace.contains("in layer encoder.0"), trace);

            Tensor fine = x.matmul(w).square().sum();
            assertNull(NonFiniteTrace.describe(fine, names));
            assertFalse(NonFiniteTrace.finite(Tensor.of(new float[] {1, Float.POSITIVE_INFINITY}, 2)));
            assertFalse(NonFiniteTrace.finite(Tensor.of(new double[] {Double.NaN}, 1)));
            assertTrue(NonFiniteTrace.finite(Tensor.of(new float[] {Float.MAX_VALUE, Float.MAX_VALUE}, 2)), "large but finite (a sum would overflow)");
        }
    }
}
