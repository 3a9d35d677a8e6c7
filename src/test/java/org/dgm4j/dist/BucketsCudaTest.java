package org.dgm4j.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.cuda.CudaBackend;
import org.dgm4j.backend.cuda.CudaProbe;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Storage;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Device tensors go through the host staging buffer (MPI), a bucket at a time, also when a tensor is
 * larger than a bucket; and through a device staging buffer (NCCL's path, with a stand-in for NCCL's
 * collectives), in place where a bucket is one range of one tensor. Runs on a GPU and on the emulated
 * CUDA library (surefire execution cuda-emu).
 */
@Tag("cuda")
class BucketsCudaTest {
    @Test
    void deviceTensorsAreStaged() {
        CudaProbe.Result probe = CudaProbe.probe();
        assumeTrue(probe.available(), () -> "no CUDA device: " + probe.reason());
        Backend gpu = CudaProbe.backend();
        try (Scope s = Scope.open()) {
            Tensor small = BucketsTest.f32(gpu, 5), big = BucketsTest.f64(gpu, 100), last = BucketsTest.f32(gpu, 2);
            double[] smallBefore = small.toDoubleArray(), bigBefore = big.toDoubleArray();
            BucketsTest.TwoEqualRanks fake = new BucketsTest.TwoEqualRanks();
            Pointer staging = Pointer.malloc(256);
            try {
                Buckets.allReduceSum(List.of(small, big, last), 256, staging, fake);
            } finally {
                Pointer.free(staging);
            }
            assertEquals(List.of("sum float32 5", "sum float64 32", "sum float64 32", "sum float64 32", "sum float64 4", "sum float32 2"),
                    fake.calls);
            for (int k = 0; k < smallBefore.length; k++) smallBefore[k] *= 2;
            for (int k = 0; k < bigBefore.length; k++) bigBefore[k] *= 2;
            assertArrayEquals(smallBefore, small.toDoubleArray());
            assertArrayEquals(bigBefore, big.toDoubleArray());
            assertArrayEquals(new float[] {1f, 3f}, last.toFloatArray());
        }
    }

    /**
     * NCCL's bucket path with a stand-in for NCCL: "sum over two equal ranks" doubles the range, a
     * receiver's broadcast writes zeros over it (root's bytes are not here), through host round trips
     * at the given storage offsets; copies are the backend's device-to-device copies.
     */
    static final class TwoEqualDeviceRanks implements Buckets.DeviceCollective {
        final List<String> calls = new ArrayList<>();
        final CudaBackend gpu;
        final int rank;

        TwoEqualDeviceRanks(CudaBackend gpu, int rank) {
            this.gpu = gpu;
            this.rank = rank;
        }

        @Override
        public void allReduceSum(DType dtype, Storage buf, long byteOffset, long count) {
            calls.add("sum " + dtype + " " + count + (buf.bytes() == STAGING ? " staged" : " in place"));
            try (BytePointer h = new BytePointer(count * dtype.bytes())) {
                gpu.copyToHost(buf, byteOffset, h, count * dtype.bytes());
                ByteBuffer b = h.asByteBuffer().order(ByteOrder.nativeOrder());
                for (int k = 0; k < count; k++) {
                    if (dtype == DType.F32) b.putFloat(4 * k, 2 * b.getFloat(4 * k));
                    else b.putDouble(8 * k, 2 * b.getDouble(8 * k));
                }
                gpu.copyFromHost(h, buf, byteOffset, count * dtype.bytes());
                gpu.synchronize();
            }
        }

        @Override
        public void broadcast(Storage buf, long byteOffset, long bytes, int root) {
            calls.add("bcast " + bytes + (buf.bytes() == STAGING ? " staged" : " in place"));
            if (rank == root) return;
            try (BytePointer zeros = new BytePointer(bytes)) {
                zeros.fill(0);
                gpu.copyFromHost(zeros, buf, byteOffset, bytes);
                gpu.synchronize();
            }
        }

        @Override
        public void copy(Storage src, long srcByteOffset, Storage dst, long dstByteOffset, long bytes) {
            gpu.copyWithin(src, srcByteOffset, dst, dstByteOffset, bytes);
        }
    }

    /** The stand-in's staging size, distinct from every tensor's storage size in these tests. */
    static final long STAGING = 256;

    @Test
    void deviceBucketsReduceInPlaceOrThroughDeviceStaging() {
        CudaProbe.Result probe = CudaProbe.probe();
        assumeTrue(probe.available(), () -> "no CUDA device: " + probe.reason());
        CudaBackend gpu = CudaProbe.backend();
        Storage staging = gpu.allocate(STAGING);
        try (Scope s = Scope.open()) {
            // rows 1 and 2 of a (4, 3) float32 matrix: views at a byte offset of their storage, with neighbours that must not change
            Tensor matrix = Tensor.of(gpu, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, Shape.of(4, 3));
            Tensor rows = matrix.narrowBatch(1, 3), small = BucketsTest.f32(gpu, 5), big = BucketsTest.f64(gpu, 100);
            double[] bigBefore = big.toDoubleArray();
            TwoEqualDeviceRanks fake = new TwoEqualDeviceRanks(gpu, 0);
            Buckets.allReduceSumOnDevice(List.of(rows, small, big), STAGING, staging, fake);
            // rows (24 B) + small (20 B) share a staged bucket; big (800 B) gets 32 + 32 + 32 + 4 doubles of its own, in place
            assertEquals(List.of("sum float32 11 staged", "sum float64 32 in place", "sum float64 32 in place", "sum float64 32 in place",
                    "sum float64 4 in place"), fake.calls);
            assertArrayEquals(new float[] {1, 2, 3, 8, 10, 12, 14, 16, 18, 10, 11, 12}, matrix.toFloatArray());
            assertArrayEquals(new float[] {1f, 3f, 5f, 7f, 9f}, small.toFloatArray());
            for (int k = 0; k < bigBefore.length; k++) bigBefore[k] *= 2;
            assertArrayEquals(bigBefore, big.toDoubleArray());

            // broadcast: the root sends and keeps its values; a receiver takes the bytes (zeros here) at exactly the tensors' places
            TwoEqualDeviceRanks root = new TwoEqualDeviceRanks(gpu, 0);
            Buckets.broadcastOnDevice(List.of(rows, small), 0, 0, STAGING, staging, root);
            assertEquals(List.of("bcast 44 staged"), root.calls);
            assertArrayEquals(new float[] {1f, 3f, 5f, 7f, 9f}, small.toFloatArray());
            TwoEqualDeviceRanks receiver = new TwoEqualDeviceRanks(gpu, 1);
            Buckets.broadcastOnDevice(List.of(rows, small, big), 0, 1, STAGING, staging, receiver);
            assertEquals(List.of("bcast 44 staged", "bcast 256 in place", "bcast 256 in place", "bcast 256 in place", "bcast 32 in place"),
                    receiver.calls);
            assertArrayEquals(new float[] {1, 2, 3, 0, 0, 0, 0, 0, 0, 10, 11, 12}, matrix.toFloatArray());
            assertArrayEquals(new float[5], small.toFloatArray());
            assertArrayEquals(new double[100], big.toDoubleArray());
        } finally {
            gpu.free(staging);
        }
    }
}
