package org.dgm4j.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.cuda.CudaProbe;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Device tensors go through the host staging buffer, a bucket at a time, also when a tensor is
 * larger than a bucket. Runs on a GPU and on the emulated CUDA library (surefire execution cuda-emu).
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
}
