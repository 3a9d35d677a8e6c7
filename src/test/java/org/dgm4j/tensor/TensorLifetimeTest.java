package org.dgm4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dgm4j.autograd.Autograd;
import org.dgm4j.autograd.Ops;
import org.junit.jupiter.api.Test;

/** Deterministic freeing through scopes, views sharing storage, and errors on misuse. */
class TensorLifetimeTest {
    @Test
    void scopeClosesWhatWasCreatedInsideAndKeepHandsTensorsOut() {
        Tensor kept;
        Tensor inner;
        try (Scope s = Scope.open()) {
            inner = Tensor.of(new float[] {1, 2, 3}, 3);
            kept = s.keep(inner.mul(2));
            assertEquals(1, s.size());
        }
        assertTrue(inner.isClosed());
        assertFalse(kept.isClosed());
        assertArrayEquals(new float[] {2, 4, 6}, kept.toFloatArray());
        kept.close();
        assertThrows(IllegalStateException.class, kept::toFloatArray);
    }

    @Test
    void viewsKeepTheirStorageAliveAfterTheBaseIsClosed() {
        Tensor base = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Tensor rows = base.narrowBatch(1, 3);
        Tensor flat = rows.reshape(-1);
        base.close();
        assertArrayEquals(new float[] {3, 4, 5, 6}, flat.toFloatArray());
        rows.close();
        assertFalse(flat.storage().isFreed());
        flat.close();
        assertTrue(flat.isClosed());
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsAndNoGradRecordsNothing() {
        Tensor w = Tensor.of(new double[] {1, -2}, 2).requiresGrad(true);
        try (Scope s = Scope.open()) {
            Ops.sum(w.square(), false).backward();
            Ops.sum(w.mul(3), false).backward();
            assertArrayEquals(new double[] {2 + 3, -4 + 3}, w.grad().toDoubleArray(), 1e-15);
            try (var ng = Autograd.noGrad()) {
                assertFalse(w.mul(2).requiresGrad());
            }
        }
        assertFalse(w.grad().isClosed(), "a leaf's gradient outlives the step scope");
        w.close();
    }

    @Test
    void badShapesAreJavaErrorsNamingBothShapes() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.zeros(DType.F32, 2, 3), b = Tensor.zeros(DType.F32, 4, 5);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.matmul(b));
            assertTrue(e.getMessage().contains("(2, 3)") && e.getMessage().contains("(4, 5)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> a.add(Tensor.zeros(DType.F32, 4)));
            assertTrue(e.getMessage().contains("(2, 3)") && e.getMessage().contains("(4,)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> a.add(Tensor.zeros(DType.F64, 2, 3)));
            assertTrue(e.getMessage().contains("float32") && e.getMessage().contains("float64"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> a.reshape(4, -1));
            assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
        }
    }
}
