package org.dgm4j.bench;

import static org.junit.jupiter.api.Assertions.*;

import org.dgm4j.backend.Backends;
import org.dgm4j.backend.Kernels;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The per-op profiler counts the ops issued while it is open and puts the backend's own op table back when closed. */
class OpProfilerTest {
    @Test
    void countsOpsAndRestoresTheOpTable() {
        Kernels before = Backends.cpu().kernels();
        try (OpProfiler p = OpProfiler.install(Backends.cpu()); Scope s = Scope.open()) {
            assertNotSame(before, Backends.cpu().kernels());
            Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
            a.softplus().add(a).sum();
            a.matmul(a);
            var rows = p.rows();
            assertTrue(rows.stream().anyMatch(r -> r.op().equals("unary SOFTPLUS") && r.calls() == 1), rows.toString());
            assertTrue(rows.stream().anyMatch(r -> r.op().equals("binary ADD") && r.calls() == 1), rows.toString());
            assertTrue(rows.stream().anyMatch(r -> r.op().equals("matmul") && r.calls() == 1), rows.toString());
            assertTrue(p.table(1, 1.0).contains("| matmul | 1.0 |"));
            assertThrows(IllegalArgumentException.class, () -> a.matmul(Tensor.zeros(DType.F32, 3, 3)), "checks still run behind the proxy");
        }
        assertSame(before, Backends.cpu().kernels());
    }
}
