package org.dgm4j.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.dgm4j.backend.Backends;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LocalCommunicatorTest {
    @Test
    void oneProcessCollectivesKeepTheData() {
        try (Communicator c = new LocalCommunicator(); Scope s = Scope.open()) {
            assertEquals("local", c.name());
            assertEquals(0, c.rank());
            assertEquals(1, c.size());
            assertTrue(c.isRoot());
            Tensor a = Tensor.of(Backends.cpu(), new float[] {1.5f, -2f}, Shape.of(2));
            Tensor b = Tensor.of(Backends.cpu(), new double[] {0.1, 0.2, 0.3}, Shape.of(3, 1));
            c.allReduceSum(List.of(a, b));
            c.broadcast(List.of(a, b), 0);
            assertArrayEquals(new float[] {1.5f, -2f}, a.toFloatArray());
            assertArrayEquals(new double[] {0.1, 0.2, 0.3}, b.toDoubleArray());
            c.verifySameTensors(List.of(a, b));
            c.barrier();
            byte[] sent = {1, 2, 3};
            byte[] got = c.broadcast(sent, 0);
            assertArrayEquals(sent, got);
            assertNotSame(sent, got, "a copy, as MPI's receivers get");
        }
    }

    @Test
    void argumentsAreCheckedAsForMpi() {
        try (Communicator c = new LocalCommunicator(); Scope s = Scope.open()) {
            Tensor a = Tensor.zeros(Backends.cpu(), org.dgm4j.tensor.DType.F32, Shape.of(4, 3));
            assertThrows(IllegalArgumentException.class, () -> c.broadcast(List.of(a), 1));
            assertThrows(IllegalArgumentException.class, () -> c.broadcast(new byte[1], -1));
            assertThrows(NullPointerException.class, () -> c.broadcast((byte[]) null, 0));
            IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> c.allReduceSum(List.of(a, a)));
            assertTrue(twice.getMessage().contains("overlap"), twice.getMessage());
            // overlapping views of one storage would be summed twice; disjoint ones are fine
            Tensor rows01 = a.narrowBatch(0, 2), rows12 = a.narrowBatch(1, 3), rows23 = a.narrowBatch(2, 4);
            assertThrows(IllegalArgumentException.class, () -> c.allReduceSum(List.of(rows01, rows12)));
            c.allReduceSum(List.of(rows01, rows23));
            Tensor closed = Tensor.zeros(Backends.cpu(), org.dgm4j.tensor.DType.F32, Shape.of(1));
            closed.close();
            assertThrows(IllegalStateException.class, () -> c.allReduceSum(List.of(closed)));
        }
    }

    @Test
    void closedCommunicatorRefusesWork() {
        Communicator c = new LocalCommunicator();
        c.close();
        c.close(); // idempotent
        assertThrows(IllegalStateException.class, c::barrier);
        assertThrows(IllegalStateException.class, () -> c.allReduceSum(List.of()));
    }

    @Test
    void selection() {
        Communicators.Options o = Communicators.Options.defaults();
        try (Communicator c = Communicators.select("local")) {
            assertEquals("local", c.name());
            assertEquals(Communicator.DEFAULT_BUCKET_BYTES, c.bucketBytes());
        }
        // auto without a launcher's variables: local, never touching MPI
        try (Communicator c = Communicators.select("auto", o, Map.of("SLURM_NTASKS", "8"))) {
            assertEquals("local", c.name());
        }
        assertThrows(IllegalArgumentException.class, () -> Communicators.select("gloo"));
        // nccl is a choice; on the CPU backend it fails with the reason (NcclProbeTest covers the GPU-less cases)
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Communicators.select("nccl", "cpu", o));
        assertEquals("dist.backend=nccl: the backend is cpu (NCCL reduces CUDA tensors)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Communicators.Options(1001, Communicators.Summation.ALLREDUCE));
        assertThrows(IllegalArgumentException.class, () -> new Communicators.Options(4, Communicators.Summation.ALLREDUCE));
        assertThrows(IllegalArgumentException.class, () -> new Communicators.Options(2L << 30, Communicators.Summation.ALLREDUCE));
    }
}
