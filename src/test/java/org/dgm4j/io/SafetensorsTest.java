package org.dgm4j.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.dgm4j.backend.Backends;
import org.dgm4j.data.DataFileException;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    private final Map<String, Tensor> owned = new LinkedHashMap<>();

    @AfterEach
    void free() {
        owned.values().forEach(Tensor::close);
    }

    private Tensor keep(String name, Tensor t) {
        owned.put(name + owned.size(), t);
        return t;
    }

    /**
     * What Python's {@code safetensors.torch.save_file({"a": tensor([[1., 2.]]), "b": tensor([.5, -1.],
     * dtype=float64)}, f, metadata={"format": "pt"})} writes: F64 before F32, header padded with spaces
     * to a multiple of 8, little-endian data.
     */
    private static final String PYTHON_HEADER = "{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"b\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[16,24]}} ";
    private static final byte[] PYTHON_FILE = concat(
            HexFormat.of().parseHex("9000000000000000"), // 144, little-endian u64
            PYTHON_HEADER.getBytes(StandardCharsets.UTF_8),
            HexFormat.of().parseHex("000000000000e03f" + "000000000000f0bf" + "0000803f" + "00000040"));

    private static byte[] concat(byte[]... parts) {
        ByteBuffer b = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) b.put(p);
        return b.array();
    }

    private Safetensors.Contents read(Path f) {
        Safetensors.Contents c = Safetensors.read(f);
        c.tensors().forEach(this::keep);
        return c;
    }

    @Test
    void readsWhatThePythonLibraryWrites() throws IOException {
        assertEquals(144, PYTHON_HEADER.length());
        Path f = dir.resolve("py.safetensors");
        Files.write(f, PYTHON_FILE);
        Safetensors.Contents c = read(f);
        assertEquals(List.of("b", "a"), List.copyOf(c.tensors().keySet()));
        assertEquals(Map.of("format", "pt"), c.metadata());
        Tensor a = c.tensors().get("a");
        Tensor b = c.tensors().get("b");
        assertEquals(DType.F32, a.dtype());
        assertEquals(Shape.of(1, 2), a.shape());
        assertArrayEquals(new float[] {1, 2}, a.toFloatArray());
        assertEquals(DType.F64, b.dtype());
        assertArrayEquals(new double[] {0.5, -1.0}, b.toDoubleArray());
    }

    @Test
    void writesTheSameBytesAsThePythonLibrary() throws IOException {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("a", keep("a", Tensor.of(new float[] {1, 2}, 1, 2)));
        sd.put("b", keep("b", Tensor.of(new double[] {0.5, -1}, 2)));
        Path f = dir.resolve("ours.safetensors");
        Safetensors.write(f, sd, Map.of("format", "pt"));
        assertArrayEquals(PYTHON_FILE, Files.readAllBytes(f));
        // other tools and users must be able to read a saved model (temp files start as 0600)
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    @Test
    void roundTripsF32F64ScalarsEmptyTensorsAndMetadata() throws IOException {
        Map<String, Tensor> sd = new LinkedHashMap<>();
        sd.put("layer.weight", keep("w", Tensor.of(new float[] {1.5f, -2f, Float.MIN_VALUE, Float.NaN, 3e38f, 0f}, 2, 3)));
        sd.put("layer.bias", keep("b", Tensor.of(new double[] {Math.PI, -0.0}, 2)));
        sd.put("step", keep("s", Tensor.of(new double[] {1234}))); // rank 0
        sd.put("empty", keep("e", Tensor.of(new float[0], 0)));
        sd.put("empty2d", keep("e2", Tensor.of(new double[0], 3, 0)));
        Map<String, String> meta = Map.of("model", "glow", "note", "quotes \" backslash \\ newline \n unicode é ✓");
        Path f = dir.resolve("sd.safetensors");
        Safetensors.write(f, sd, meta);
        Safetensors.Contents c = read(f);
        assertEquals(meta, c.metadata());
        assertEquals(sd.keySet(), c.tensors().keySet());
        for (String k : sd.keySet()) {
            Tensor want = sd.get(k), got = c.tensors().get(k);
            assertEquals(want.dtype(), got.dtype(), k);
            assertEquals(want.shape(), got.shape(), k);
            assertArrayEquals(want.toBytes(), got.toBytes(), k); // bit-exact, NaN and -0.0 included
        }
        assertEquals(Shape.scalar(), c.tensors().get("step").shape());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList(), "no temporary file left behind");
        }
        Safetensors.write(f, Map.of(), Map.of()); // overwrite in place: the minimal file "{}" plus padding
        assertTrue(read(f).tensors().isEmpty());
        assertEquals(16, Files.size(f));
    }

    private DataFileException failure(String name, byte[] content) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, content);
        DataFileException e = assertThrows(DataFileException.class, () -> read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        return e;
    }

    private static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(h.length).put(h).array();
    }

    @Test
    void inconsistentHeadersNameTheTensorExpectedAndFound() throws IOException {
        String m = failure("dtype.st", file("{\"w\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4)).getMessage();
        assertTrue(m.contains("'w'") && m.contains("BF16"), m);
        m = failure("size.st", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8)).getMessage();
        assertTrue(m.contains("expected 12 bytes") && m.contains("(8 bytes)"), m);
        m = failure("overlap.st", file("{\"u\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12)).getMessage();
        assertTrue(m.contains("'v'") && m.contains("overlap"), m);
        m = failure("gap.st", file("{\"u\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8)).getMessage();
        assertTrue(m.contains("gap"), m);
        m = failure("leftover.st", file("{\"u\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 9)).getMessage();
        assertTrue(m.contains("trailing"), m);
        m = failure("short.st", file("{\"u\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 9)).getMessage();
        assertTrue(m.contains("truncated"), m);
        m = failure("huge-shape.st", file("{\"u\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8)).getMessage();
        assertTrue(m.contains("fits 64 bits"), m);
        m = failure("syntax.st", file("{\"u\":{\"dtype\" \"F32\"}}", 0)).getMessage();
        assertTrue(m.contains("byte 22: expected ':', found '\"'"), m);
        m = failure("deep.st", file("{\"u\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 0)).getMessage();
        assertTrue(m.contains("nested"), m);
        byte[] hugeLength = new byte[64];
        ByteBuffer.wrap(hugeLength).order(ByteOrder.LITTLE_ENDIAN).putLong(-2); // 2^64 - 2 as unsigned
        m = failure("length.st", hugeLength).getMessage();
        assertTrue(m.contains("byte 0: expected a header length") && m.contains("18446744073709551614"), m);
    }

    @Test
    void everyTruncationIsADataFileException() throws IOException {
        for (int len = 0; len < PYTHON_FILE.length; len++) {
            DataFileException e = failure("cut" + len, Arrays.copyOf(PYTHON_FILE, len));
            assertTrue(e.getMessage().contains("expected"), e.getMessage());
        }
    }

    @Test
    void randomByteFlipsReadOrFailCleanly() throws IOException {
        SplittableRandom rng = new SplittableRandom(99);
        Path f = dir.resolve("flip.safetensors");
        int failures = 0;
        for (int trial = 0; trial < 2000; trial++) {
            byte[] bad = PYTHON_FILE.clone();
            for (int k = 1 + rng.nextInt(2); k > 0; k--) bad[rng.nextInt(bad.length)] ^= (byte) (1 << rng.nextInt(8));
            Files.write(f, bad);
            try {
                Safetensors.Contents c = Safetensors.read(f, Backends.cpu());
                c.tensors().values().forEach(Tensor::close);
            } catch (DataFileException e) {
                failures++;
                assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            }
        }
        assertTrue(failures > 1000, "most flips hit the header: " + failures);
    }
}
