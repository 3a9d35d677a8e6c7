package org.dgm4j.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Scope;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The bucket plan and its run, without MPI: a fake collective stands for two ranks holding the same
 * data (a sum doubles every element; a broadcast writes a known pattern), so every byte that went
 * through a bucket, in place or staged, can be checked. BucketsCudaTest runs the staged path with
 * device tensors.
 */
class BucketsTest {
    /** Host memory at a raw address (JavaCPP sets addresses only from subclasses). */
    static final class Raw extends Pointer {
        Raw(long address, long bytes) {
            this.address = address;
            this.capacity = bytes;
            this.limit = bytes;
        }
    }

    /** Two ranks with equal data: sum = 2x; a broadcast gives receivers root's pattern (byte k = k + 1). */
    static final class TwoEqualRanks implements Buckets.HostCollective {
        final List<String> calls = new ArrayList<>();
        int rank;

        @Override
        public void allReduceSum(DType dtype, long address, long count) {
            calls.add("sum " + dtype + " " + count);
            ByteBuffer b = new Raw(address, count * dtype.bytes()).asByteBuffer().order(ByteOrder.nativeOrder());
            for (int k = 0; k < count; k++) {
                if (dtype == DType.F32) b.putFloat(4 * k, 2 * b.getFloat(4 * k));
                else b.putDouble(8 * k, 2 * b.getDouble(8 * k));
            }
        }

        @Override
        public void broadcast(long address, long bytes, int root) {
            calls.add("bcast " + bytes);
            if (rank == root) return; // MPI_Bcast only reads root's buffer
            ByteBuffer b = new Raw(address, bytes).asByteBuffer();
            for (int k = 0; k < bytes; k++) b.put(k, (byte) (k + 1));
        }
    }

    static Tensor f32(Backend be, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i + 0.5f;
        return Tensor.of(be, v, Shape.of(n));
    }

    static Tensor f64(Backend be, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = -i - 0.25;
        return Tensor.of(be, v, Shape.of(n));
    }

    private static List<String> plan(List<Tensor> list, long bucket) {
        List<String> out = new ArrayList<>();
        for (Buckets.Bucket b : Buckets.plan(list, bucket)) {
            StringBuilder s = new StringBuilder(b.dtype() + " " + b.bytes() + ":");
            for (Buckets.Piece p : b.pieces()) s.append(' ').append(list.indexOf(p.tensor())).append('@').append(p.tensorByteOffset())
                    .append('+').append(p.bytes()).append("->").append(p.bucketByteOffset());
            out.add(s.toString());
        }
        return out;
    }

    @Test
    void planPacksInOrderAndSplitsLargeTensors() {
        try (Scope s = Scope.open()) {
            Backend cpu = Backends.cpu();
            // 40 B, 40 B, 8 B (f64), 0 B, 100 B (> 64: split 64 + 36), 4 B, 64 B (does not fit after 4 B)
            List<Tensor> list = List.of(f32(cpu, 10), f32(cpu, 10), f64(cpu, 1), f32(cpu, 0), f32(cpu, 25), f32(cpu, 1), f32(cpu, 16));
            assertEquals(List.of(
                    "float32 40: 0@0+40->0",          // the second f32 does not fit in 64 - 40
                    "float32 40: 1@0+40->0",
                    "float64 8: 2@0+8->0",            // dtype change
                    "float32 64: 4@0+64->0",          // the empty tensor is skipped; 100 B > 64 B: own buckets
                    "float32 36: 4@64+36->0",
                    "float32 4: 5@0+4->0",
                    "float32 64: 6@0+64->0"), plan(list, 64));
            // an exact fit shares the bucket
            assertEquals(List.of("float32 64: 0@0+4->0 1@0+60->4"), plan(List.of(list.get(5), f32(cpu, 15)), 64));
            List<Tensor> small = List.of(list.get(0), list.get(1), list.get(5));
            assertEquals(List.of("float32 84: 0@0+40->0 1@0+40->40 2@0+4->80"), plan(small, 1024));
        }
    }

    @Test
    void allReduceThroughBucketsInPlaceAndStaged() {
        try (Scope s = Scope.open()) {
            Backend cpu = Backends.cpu();
            Tensor big = f64(cpu, 300);                       // 2400 B > 1024: in place, 3 buckets
            Tensor base = f32(cpu, 12).reshape(4, 3);
            Tensor view = base.narrowBatch(1, 3);             // a view with a byte offset: staged
            List<Tensor> list = List.of(f32(cpu, 7), view, big, f64(cpu, 5));
            List<double[]> before = new ArrayList<>();
            for (Tensor t : list) before.add(t.toDoubleArray());
            double[] baseBefore = base.toDoubleArray();
            TwoEqualRanks fake = new TwoEqualRanks();
            Pointer staging = Pointer.malloc(1024);
            try {
                Buckets.allReduceSum(list, 1024, staging, fake);
            } finally {
                Pointer.free(staging);
            }
            assertEquals(List.of("sum float32 13", "sum float64 128", "sum float64 128", "sum float64 44", "sum float64 5"), fake.calls);
            for (int i = 0; i < list.size(); i++) {
                double[] want = before.get(i).clone();
                for (int k = 0; k < want.length; k++) want[k] *= 2;
                assertArrayEquals(want, list.get(i).toDoubleArray(), "tensor " + i);
            }
            double[] baseAfter = base.toDoubleArray();
            for (int k : new int[] {0, 1, 2, 9, 10, 11}) assertEquals(baseBefore[k], baseAfter[k], "outside the view, element " + k);
        }
    }

    @Test
    void broadcastWritesOnlyReceivers() {
        try (Scope s = Scope.open()) {
            Backend cpu = Backends.cpu();
            Tensor a = f32(cpu, 3), c = f32(cpu, 3), b = f32(cpu, 300);
            float[] rootA = a.toFloatArray(), rootC = c.toFloatArray();
            TwoEqualRanks fake = new TwoEqualRanks();
            Pointer staging = Pointer.malloc(64);
            try {
                // as root: one staged bucket is sent, root's tensors stay as they are
                fake.rank = 0;
                Buckets.broadcast(List.of(a, c), 0, 0, 64, staging, fake);
                assertArrayEquals(rootA, a.toFloatArray());
                assertArrayEquals(rootC, c.toFloatArray());
                // as receiver: staged (a, c) and in-place (b, 1200 B in 19 buckets) both get root's bytes
                fake.rank = 1;
                Buckets.broadcast(List.of(a, c, b), 0, 1, 64, staging, fake);
            } finally {
                Pointer.free(staging);
            }
            assertEquals(1 + 1 + 19, fake.calls.size(), fake.calls.toString());
            byte[] bytes = a.toBytes();
            for (int k = 0; k < bytes.length; k++) assertEquals((byte) (k + 1), bytes[k]);
            bytes = c.toBytes();
            for (int k = 0; k < bytes.length; k++) assertEquals((byte) (12 + k + 1), bytes[k], "c sits at byte 12 of its bucket");
            bytes = b.toBytes();
            for (int k = 0; k < bytes.length; k++) assertEquals((byte) (k % 64 + 1), bytes[k], "byte " + k);
        }
    }

    @Test
    void signatureNamesDtypesAndShapes() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.zeros(Backends.cpu(), DType.F32, Shape.of(2, 3));
            Tensor b = Tensor.zeros(Backends.cpu(), DType.F64, Shape.of(4));
            assertEquals("2 tensors (float32[2, 3];float64[4])", Buckets.describe(Buckets.signature(List.of(a, b))));
            assertEquals("0 tensors ()", Buckets.describe(Buckets.signature(List.of())));
        }
    }
}
