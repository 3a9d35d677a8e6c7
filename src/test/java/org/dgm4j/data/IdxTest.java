package org.dgm4j.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxTest {
    @TempDir
    Path dir;

    private static byte[] pixels(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 37 + 11);
        return b;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void ubyteRoundTripKeepsDimsAndUnsignedValues(boolean gzip) throws IOException {
        byte[] values = pixels(3 * 4 * 5);
        Path f = dir.resolve("x.idx");
        Idx.writeUbyte(f, values, gzip, 3, 4, 5);
        Idx.Data d = Idx.read(f);
        assertEquals(Idx.Type.UBYTE, d.type());
        assertArrayEquals(new int[] {3, 4, 5}, d.dims());
        assertArrayEquals(values, d.unsignedBytes());
        assertEquals(values[7] & 0xFF, d.toFloatArray()[7]); // unsigned: 0..255, never negative
        assertTrue(d.toFloatArray()[5] > 127);
    }

    @Test
    void everyTypeConvertsFromBigEndian() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 * 2);
        b.putDouble(1.5).putDouble(-2.25);
        Path f = dir.resolve("d.idx");
        Idx.write(f, new Idx.Data(Idx.Type.DOUBLE, new int[] {2}, b.array()), false);
        assertArrayEquals(new float[] {1.5f, -2.25f}, Idx.read(f).toFloatArray());

        ByteBuffer s = ByteBuffer.allocate(2 * 3).putShort((short) -3).putShort((short) 300).putShort((short) 0);
        Idx.write(f, new Idx.Data(Idx.Type.SHORT, new int[] {3}, s.array()), true);
        assertArrayEquals(new float[] {-3, 300, 0}, Idx.read(f).toFloatArray());

        ByteBuffer i = ByteBuffer.allocate(4 * 2).putInt(-70000).putFloat(0.5f);
        Idx.write(f, new Idx.Data(Idx.Type.INT, new int[] {1, 1}, Arrays.copyOf(i.array(), 4)), false);
        assertArrayEquals(new float[] {-70000}, Idx.read(f).toFloatArray());
        Idx.write(f, new Idx.Data(Idx.Type.FLOAT, new int[] {1}, Arrays.copyOfRange(i.array(), 4, 8)), false);
        assertArrayEquals(new float[] {0.5f}, Idx.read(f).toFloatArray());
        Idx.write(f, new Idx.Data(Idx.Type.BYTE, new int[] {1}, new byte[] {-5}), false);
        assertArrayEquals(new float[] {-5}, Idx.read(f).toFloatArray());
    }

    @Test
    void gzipIsDetectedByContentNotName() throws IOException {
        Path gz = dir.resolve("named-raw.idx");
        Path raw = dir.resolve("named-gzip.gz");
        Idx.writeUbyte(gz, pixels(6), true, 6);
        Idx.writeUbyte(raw, pixels(6), false, 6);
        assertArrayEquals(pixels(6), Idx.read(gz).unsignedBytes());
        assertArrayEquals(pixels(6), Idx.read(raw).unsignedBytes());
    }

    private static byte[] header(int type, int... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) b.putInt(d);
        return b.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(o)) {
            z.write(b);
        }
        return o.toByteArray();
    }

    private DataFileException failure(String name, byte[] content) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, content);
        DataFileException e = assertThrows(DataFileException.class, () -> Idx.read(f));
        assertTrue(e.getMessage().contains(name), e.getMessage());
        return e;
    }

    @Test
    void malformedHeadersNameFileOffsetExpectedAndFound() throws IOException {
        DataFileException e = failure("type.idx", concat(header(0x41, 2), new byte[2]));
        assertEquals(2, e.offset());
        assertTrue(e.getMessage().contains("byte 2: expected IDX type code 0x08") && e.getMessage().contains("found 0x41"), e.getMessage());

        e = failure("magic.idx", new byte[] {0x50, 0x4B, 3, 4});
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("found 0x50"), e.getMessage());

        e = failure("zero-dim.idx", header(0x08, 3, 0, 2));
        assertEquals(8, e.offset());
        assertTrue(e.getMessage().contains("found 0"), e.getMessage());

        e = failure("negative-dim.idx", header(0x08, -5));
        assertEquals(4, e.offset());

        e = failure("no-dims.idx", header(0x08));
        assertEquals(3, e.offset());
    }

    @Test
    void hugeClaimedSizesFailWithoutAllocating() throws IOException {
        // product overflows a long only via many factors; must be rejected by size, not by OOM
        DataFileException e = failure("overflow.idx", header(0x08, 65536, 65536, 65536));
        assertEquals(8, e.offset());
        assertTrue(e.getMessage().contains("more than"), e.getMessage());
        // 1.9 GB claimed with 10 bytes present: raw (checked against file size) and gzip (data never arrives)
        byte[] h = header(0x08, 60000, 28, 28, 41);
        e = failure("claims-more.idx", concat(h, new byte[10]));
        assertEquals(h.length, e.offset());
        assertTrue(e.getMessage().contains("expected 1928640000 data bytes, file ends after 10"), e.getMessage());
        e = failure("claims-more.gz", gzip(concat(h, new byte[10])));
        assertTrue(e.getMessage().contains("expected 1928640000 data bytes, file ends after 10"), e.getMessage());
    }

    @Test
    void trailingBytesAreAnError() throws IOException {
        byte[] good = concat(header(0x08, 4), pixels(4));
        DataFileException e = failure("trailing.idx", concat(good, new byte[] {1}));
        assertEquals(12, e.offset()); // the first byte after 8 header + 4 data bytes
        assertTrue(e.getMessage().contains("expected end of file after 4 data bytes"), e.getMessage());
        failure("trailing.gz", gzip(concat(good, new byte[] {1, 2})));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyTruncationIsAPositionedDataFileException(boolean gzip) throws IOException {
        Path full = dir.resolve("full");
        Idx.writeUbyte(full, pixels(2 * 3 * 3), gzip, 2, 3, 3);
        byte[] all = Files.readAllBytes(full);
        for (int len = 0; len < all.length; len++) {
            Path f = dir.resolve("cut-" + len + ".idx");
            Files.write(f, Arrays.copyOf(all, len));
            DataFileException e = assertThrows(DataFileException.class, () -> Idx.read(f), "length " + len);
            assertTrue(e.getMessage().contains("cut-" + len + ".idx"), e.getMessage());
            assertTrue(e.offset() >= 0, e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void randomByteFlipsEitherReadOrFailCleanly(boolean gzip) throws IOException {
        Path full = dir.resolve("full");
        Idx.writeUbyte(full, pixels(4 * 5), gzip, 4, 5);
        byte[] all = Files.readAllBytes(full);
        SplittableRandom rng = new SplittableRandom(20240611);
        int failures = 0;
        for (int trial = 0; trial < 500; trial++) {
            byte[] bad = all.clone();
            for (int k = 1 + rng.nextInt(3); k > 0; k--) bad[rng.nextInt(bad.length)] ^= (byte) (1 << rng.nextInt(8));
            Path f = dir.resolve("flip.idx");
            Files.write(f, bad);
            try {
                Idx.Data d = Idx.read(f);
                assertEquals(d.numel() * d.type().bytes, d.raw().length);
            } catch (DataFileException e) {
                failures++;
                assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            }
        }
        assertTrue(failures > 0, "some flips hit the header or the gzip checksum");
    }

    @Test
    void missingFileIsADataFileException() {
        Path f = dir.resolve("absent.idx");
        DataFileException e = assertThrows(DataFileException.class, () -> Idx.read(f));
        assertTrue(e.getMessage().contains("absent.idx"));
    }
}
