package org.dgm4j.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.dgm4j.backend.Backends;
import org.dgm4j.backend.cuda.CudaBackend;
import org.dgm4j.backend.cuda.CudaProbe;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * NCCL on a real GPU: a one-rank NCCL communicator (a single GPU cannot host two ranks of one
 * communicator) over the local communicator, on CUDA tensors of the backend's stream. The sum over
 * one rank is the tensor itself, so every value is checked exactly: a wrong device address, offset,
 * count or dtype in the bucket plumbing (in place, staged, split tensors, views) would change it.
 * Skipped where the NCCL probe fails (no GPU, the emulator, no libnccl); scripts/gpu-check.sh runs
 * the tag "nccl" on the GPU machine with the NCCL libraries of its Python packages.
 */
@Tag("nccl")
class NcclCommunicatorTest {
    /** 256-byte buckets: the lists below need in-place, staged and split buckets. */
    private static final long BUCKET = 256;

    private CudaBackend gpu;

    @BeforeEach
    void needsNccl() {
        NcclProbe.Result probe = NcclProbe.probe();
        assumeTrue(probe.available(), () -> "NCCL not usable: " + probe.reason());
        gpu = CudaProbe.backend();
    }

    private NcclCommunicator open() {
        return NcclCommunicator.open(new LocalCommunicator(BUCKET), gpu);
    }

    @Test
    void oneRankAllReduceAndBroadcastKeepEveryValueExactly() {
        try (NcclCommunicator comm = open(); Scope s = Scope.open()) {
            assertEquals(0, comm.rank());
            assertEquals(1, comm.size());
            assertTrue(comm.describe().startsWith("nccl rank 0 of 1 on " + gpu.name() + " (NCCL "), comm.describe());
            float[] m = new float[4 * 3];
            for (int i = 0; i < m.length; i++) m[i] = 1.5f * i - 7;
            Tensor matrix = Tensor.of(gpu, m, Shape.of(4, 3));
            Tensor rows = matrix.narrowBatch(1, 3); // a view at a byte offset of its storage
            Tensor small = BucketsTest.f32(gpu, 5), big = BucketsTest.f64(gpu, 100), last = BucketsTest.f32(gpu, 2);
            double[] bigBefore = big.toDoubleArray();
            float[] smallBefore = small.toFloatArray(), lastBefore = last.toFloatArray();
            List<Tensor> list = List.of(rows, small, big, last);
            comm.verifySameTensors(list); // host tensors through the local communicator
            for (int round = 0; round < 3; round++) {
                comm.allReduceSum(list); // staged (rows + small), in place (big, in 4 pieces), in place (last)
                comm.broadcast(list, 0);
            }
            assertArrayEquals(m, matrix.toFloatArray());
            assertArrayEquals(smallBefore, small.toFloatArray());
            assertArrayEquals(bigBefore, big.toDoubleArray());
            assertArrayEquals(lastBefore, last.toFloatArray());
            assertArrayEquals("config".getBytes(), comm.broadcast("config".getBytes(), 0));
            comm.barrier();
        }
    }

    /** A GPU-sized bucket list: gradients of a small MLP, reduced many times, still exact. */
    @Test
    void manyLargeBucketsStayExact() {
        try (NcclCommunicator comm = NcclCommunicator.open(new LocalCommunicator(), gpu); Scope s = Scope.open()) {
            Tensor w = Tensor.of(gpu, sequence(784 * 512), Shape.of(784, 512)), b = Tensor.of(gpu, sequence(512), Shape.of(512));
            float[] wBefore = w.toFloatArray();
            for (int round = 0; round < 10; round++) comm.allReduceSum(List.of(w, b));
            assertArrayEquals(wBefore, w.toFloatArray());
            assertArrayEquals(sequence(512), b.toFloatArray());
        }
    }

    private static float[] sequence(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) Math.sin(i) * 1e3f;
        return v;
    }

    @Test
    void hostTensorsGoToTheHostCommunicatorAlsoInMixedLists() {
        try (NcclCommunicator comm = open(); Scope s = Scope.open()) {
            Tensor host = Tensor.of(Backends.cpu(), new double[] {1, 2}, Shape.of(2));
            comm.allReduceSum(List.of(host));
            assertArrayEquals(new double[] {1, 2}, host.toDoubleArray());
            Tensor device = BucketsTest.f32(gpu, 3);
            comm.allReduceSum(List.of(device, host));
            comm.broadcast(List.of(host, device), 0);
            assertArrayEquals(new double[] {1, 2}, host.toDoubleArray());
            assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f}, device.toFloatArray());
            assertThrows(IllegalArgumentException.class, () -> comm.broadcast(List.of(device), 1));
            assertThrows(IllegalArgumentException.class, () -> comm.allReduceSum(List.of(device, device)));
        }
    }

    @Test
    void useAfterCloseFails() {
        NcclCommunicator comm = open();
        comm.close();
        comm.close(); // idempotent
        try (Scope s = Scope.open()) {
            Tensor t = BucketsTest.f32(gpu, 3);
            assertThrows(IllegalStateException.class, () -> comm.allReduceSum(List.of(t)));
        }
    }
}
