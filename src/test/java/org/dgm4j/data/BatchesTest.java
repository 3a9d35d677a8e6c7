package org.dgm4j.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class BatchesTest {
    private static List<int[]> indices(Iterable<Batches.Batch> it) {
        List<int[]> out = new ArrayList<>();
        for (Batches.Batch b : it) out.add(b.indices());
        return out;
    }

    private static void assertSameBatches(List<int[]> a, List<int[]> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "batch " + i);
    }

    @Test
    void sameSeedSameOrderEachEpochAPermutationEpochsDiffer() {
        Batches a = new Batches(103, 10, 42, true, false);
        Batches b = new Batches(103, 10, 42, true, false);
        assertSameBatches(indices(a.epoch(3)), indices(b.epoch(3)));
        for (int e = 0; e < 3; e++) {
            int[] p = a.permutation(e);
            int[] sorted = p.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i]);
        }
        assertFalse(Arrays.equals(a.permutation(0), a.permutation(1)));
        assertFalse(Arrays.equals(a.permutation(0), new Batches(103, 10, 43, true, false).permutation(0)));
    }

    @Test
    void resumingFromAPositionServesTheSameRemainingBatches() {
        Batches batches = new Batches(1000, 32, 7, true, true);
        List<Batches.Batch> full = new ArrayList<>();
        batches.epoch(2).forEach(full::add);
        DataPosition saved = full.get(9).next(); // as if a checkpoint was taken after batch 9
        assertEquals(new DataPosition(2, 320), saved);
        // a fresh object, as in a new process
        List<int[]> resumed = indices(new Batches(1000, 32, 7, true, true).from(saved));
        assertSameBatches(full.subList(10, full.size()).stream().map(Batches.Batch::indices).toList(), resumed);
        assertEquals(new DataPosition(3, 0), full.get(full.size() - 1).next(), "after the last batch comes the next epoch");
    }

    @Test
    void dropLastSkipsTheShortBatch() {
        assertEquals(3, new Batches(35, 10, 1, true, true).batchesPerEpoch());
        assertEquals(4, new Batches(35, 10, 1, true, false).batchesPerEpoch());
        List<int[]> keep = indices(new Batches(35, 10, 1, true, false).epoch(0));
        assertEquals(4, keep.size());
        assertEquals(5, keep.get(3).length);
        List<int[]> drop = indices(new Batches(35, 10, 1, true, true).epoch(0));
        assertEquals(3, drop.size());
        assertArrayEquals(new int[] {0, 1, 2}, indices(new Batches(3, 5, 0, false, false).epoch(4)).get(0));
    }

    @Test
    void imageBatchesBecomeScaledTensorsAndOneHotLabels() {
        byte[] px = new byte[3 * 2 * 2];
        px[4] = (byte) 255;
        px[5] = (byte) 51;
        ImageSet set = new ImageSet(px, new int[] {0, 2, 1}, 3, 1, 2, 2, 3);
        int[] idx = {1, 0};
        try (Tensor x = Batches.images(set, idx); Tensor y = Batches.oneHot(set, idx)) {
            assertArrayEquals(new long[] {2, 1, 2, 2}, x.dims());
            assertArrayEquals(new float[] {1f, 0.2f, 0, 0, 0, 0, 0, 0}, x.toFloatArray(), 1e-7f);
            assertArrayEquals(new long[] {2, 3}, y.dims());
            assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0}, y.toFloatArray());
        }
        assertArrayEquals(new int[] {2, 0}, Batches.labels(set, idx));
    }
}
