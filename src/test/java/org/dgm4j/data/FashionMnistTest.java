package org.dgm4j.data;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @TempDir
    Path dir;

    private static FashionMnist installed() {
        FashionMnist f = new FashionMnist();
        assumeTrue(f.isAvailable(), "Fashion-MNIST not installed in " + f.dir() + " (apt-get install dataset-fashion-mnist)");
        return f;
    }

    /** The first label, by the simplest possible parse: skip magic and count, read one byte. */
    private static int firstLabelIndependently(Path labels) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(labels)))) {
            assertEquals(0x00000801, in.readInt());
            in.readInt();
            return in.readUnsignedByte();
        }
    }

    @Test
    void trainAndTestHaveTheDocumentedSizesAndLabels() throws IOException {
        FashionMnist f = installed();
        ImageSet train = f.train();
        ImageSet test = f.test();
        assertEquals(60000, train.count());
        assertEquals(10000, test.count());
        assertEquals(28 * 28, train.imageSize());
        assertEquals(10, train.classes());
        int[] perClass = new int[10];
        for (int l : train.labels()) perClass[l]++; // ImageSet guarantees 0..9, this counts them
        for (int c : perClass) assertEquals(6000, c, "Fashion-MNIST train is balanced");
        Path labelsFile = f.dir().resolve("train-labels-idx1-ubyte.gz");
        assumeTrue(Files.exists(labelsFile));
        assertEquals(firstLabelIndependently(labelsFile), train.labels()[0]);
        int max = 0;
        for (byte b : train.pixels()) max = Math.max(max, b & 0xFF);
        assertEquals(255, max, "pixels are unsigned 0..255");
    }

    @Test
    void classNamesFollowTheDatasetDocumentation() {
        assertEquals(10, FashionMnist.CLASS_NAMES.size());
        assertEquals("T-shirt/top", FashionMnist.CLASS_NAMES.get(0));
        assertEquals("Ankle boot", FashionMnist.CLASS_NAMES.get(9));
    }

    @Test
    void missingDataSaysWhereItLookedAndHowToInstall() {
        FashionMnist f = new FashionMnist(dir.resolve("nowhere"));
        assertFalse(f.isAvailable());
        DataFileException e = assertThrows(DataFileException.class, f::train);
        assertTrue(e.getMessage().contains(dir.resolve("nowhere").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains(FashionMnist.DIR_ENV), e.getMessage());
    }

    @Test
    void systemPropertyOverridesTheDefaultDirectory() {
        String old = System.getProperty(FashionMnist.DIR_PROPERTY);
        try {
            System.setProperty(FashionMnist.DIR_PROPERTY, dir.toString());
            assertEquals(dir, new FashionMnist().dir());
        } finally {
            if (old == null) System.clearProperty(FashionMnist.DIR_PROPERTY);
            else System.setProperty(FashionMnist.DIR_PROPERTY, old);
        }
    }

    @Test
    void smallCopyInAnotherDirectoryLoadsUncompressedFiles() throws IOException {
        byte[] img = new byte[3 * 28 * 28];
        img[5] = (byte) 200;
        Idx.writeUbyte(dir.resolve("t10k-images-idx3-ubyte"), img, false, 3, 28, 28);
        Idx.writeUbyte(dir.resolve("t10k-labels-idx1-ubyte"), new byte[] {9, 0, 4}, false, 3);
        ImageSet s = new FashionMnist(dir).test();
        assertEquals(3, s.count());
        assertEquals(200, s.pixel(0, 5));
        assertArrayEquals(new int[] {9, 0, 4}, s.labels());
    }

    @Test
    void imageAndLabelCountsMustAgree() throws IOException {
        Idx.writeUbyte(dir.resolve("t10k-images-idx3-ubyte.gz"), new byte[2 * 28 * 28], true, 2, 28, 28);
        Idx.writeUbyte(dir.resolve("t10k-labels-idx1-ubyte.gz"), new byte[] {1, 2, 3}, true, 3);
        DataFileException e = assertThrows(DataFileException.class, () -> new FashionMnist(dir).test());
        assertTrue(e.getMessage().contains("expected 2 labels") && e.getMessage().contains("found 3"), e.getMessage());
    }

    @Test
    void labelsOutsideTheTenClassesAreRejected() throws IOException {
        Idx.writeUbyte(dir.resolve("t10k-images-idx3-ubyte.gz"), new byte[2 * 28 * 28], true, 2, 28, 28);
        Idx.writeUbyte(dir.resolve("t10k-labels-idx1-ubyte.gz"), new byte[] {1, 10}, true, 2);
        DataFileException e = assertThrows(DataFileException.class, () -> new FashionMnist(dir).test());
        assertEquals(9, e.offset());
    }
}
