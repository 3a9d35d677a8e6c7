package org.dgm4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.backend.UnaryOp;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The CUDA backend's memory, copies and errors; on a GPU or the emulator, skipped without either. */
@Tag("cuda")
class CudaBackendTest {
    private static CudaBackend gpu;

    @BeforeAll
    static void backend() {
        CudaProbe.Result probe = CudaProbe.probe();
        assumeTrue(probe.available(), () -> "no CUDA device: " + probe.reason());
        gpu = (CudaBackend) CudaProbe.backend();
    }

    @Test
    void probeNamesTheDevice() {
        CudaProbe.Result r = CudaProbe.probe();
        assertTrue(!r.devices().isEmpty(), r.reason());
        if (CudaProbe.emulated()) assertTrue(r.reason().startsWith("CUDA emulator (host threads"), r.reason());
        assertTrue(Backends.select("auto") == gpu, "auto picks the device");
        Backends.use(Backends.cpu());
    }

    @Test
    void copiesRoundTripIncludingViews() {
        try (Scope s = Scope.open()) {
            float[] data = {1, 2, 3, 4, 5, 6};
            Tensor t = Tensor.of(gpu, data, Shape.of(3, 2));
            assertArrayEquals(data, t.toFloatArray());
            Tensor rows = t.narrowBatch(1, 3); // a view at an offset into the same device block
            assertArrayEquals(new float[] {3, 4, 5, 6}, rows.toFloatArray());
            Tensor neg = Tensor.empty(gpu, DType.F32, rows.shape());
            gpu.kernels().unary(UnaryOp.NEG, 0, rows, neg);
            assertArrayEquals(new float[] {-3, -4, -5, -6}, neg.toFloatArray());
        }
    }

    @Test
    void allocatorReusesFreedBlocksAndCountsBytes() {
        CachingAllocator.Stats before = gpu.memoryStats();
        long reserved;
        try (Tensor a = Tensor.empty(gpu, DType.F64, Shape.of(1000))) {
            CachingAllocator.Stats during = gpu.memoryStats();
            long size = gpu.exactSizes() ? 8000 : CachingAllocator.round(8000); // exact on the emulator and under the sanitizer
            assertEquals(before.currentBytes() + size, during.currentBytes());
            assertTrue(during.peakBytes() >= during.currentBytes());
            reserved = during.reservedBytes();
        }
        assertEquals(before.currentBytes(), gpu.memoryStats().currentBytes());
        try (Tensor b = Tensor.empty(gpu, DType.F32, Shape.of(2000))) { // same size: the cached block
            assertEquals(reserved, gpu.memoryStats().reservedBytes(), "a cached block is reused, not a new one allocated");
        }
        assertEquals(512, CachingAllocator.round(1));
        assertEquals(1 << 20, CachingAllocator.round((1 << 20) - 1));
        assertEquals(2 << 20, CachingAllocator.round((1 << 20) + 1));
    }

    @Test
    void outOfMemoryIsTypedWithSizes() {
        long total;
        try (org.bytedeco.javacpp.LongPointer f = new org.bytedeco.javacpp.LongPointer(1);
             org.bytedeco.javacpp.LongPointer t = new org.bytedeco.javacpp.LongPointer(1)) {
            CudaBackend.check(CudaNative.dgm4j_device_memory(0, f, t), "dgm4j_device_memory");
            total = t.get();
        }
        long request = total + (1L << 30);
        CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class, () -> gpu.allocate(request));
        assertEquals(request, e.requestedBytes());
        assertEquals(total, e.totalBytes());
        assertTrue(e.freeBytes() >= 0 && e.freeBytes() <= total, e.getMessage());
        assertTrue(e.getMessage().contains("out of device memory"), e.getMessage());
    }

    @Test
    void nativeErrorsNameTheCallAndCudasMessage() {
        // A bad op code cannot come through CheckedKernels; call the C ABI directly.
        CudaException e = assertThrows(CudaException.class,
                () -> CudaBackend.check(CudaNative.dgm4j_unary(99, 0, 0, 0, 0, 1, null), "unary 99"));
        assertEquals(CudaNative.DGM4J_ERR_ARG, e.status());
        assertTrue(e.getMessage().contains("unary 99") && e.getMessage().contains("dgm4j_unary"), e.getMessage());
    }
}
