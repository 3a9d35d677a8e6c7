package org.dgm4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.dgm4j.backend.Backend;
import org.dgm4j.backend.Backends;
import org.dgm4j.data.DataFileException;
import org.dgm4j.tensor.DType;
import org.dgm4j.tensor.Shape;
import org.dgm4j.tensor.Tensor;

/**
 * The safetensors format (huggingface/safetensors), so state dicts move between dgm4j and PyTorch:
 * an unsigned little-endian int64 N, an N-byte UTF-8 JSON header
 * {@code {"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [..], "data_offsets": [b, e]}}}
 * padded with spaces, then the data buffer; [b, e) is relative to the buffer's start, elements are
 * little-endian, row-major. dgm4j reads and writes F32 and F64.
 *
 * <p>Reading validates everything before trusting it, as the reference implementation does: header
 * length within the file (and at most 100 MB), JSON syntax, known dtypes, offsets that tile the buffer
 * exactly (no gaps, no overlaps, nothing left over) and element counts that match the byte ranges.
 * Failures are {@link DataFileException}s naming the file, the tensor, what was expected and found.
 * Nothing larger than the file is ever allocated. Writing is atomic: a crash leaves the old file.
 */
public final class Safetensors {
    /** The reference implementation's limit; a larger "header" means a corrupt length field. */
    static final long MAX_HEADER_BYTES = 100_000_000;
    private static final String METADATA_KEY = "__metadata__";
    private static final List<String> OTHER_DTYPES = List.of(
            "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "I64", "U64");

    private Safetensors() {}

    /** Tensors in the file's header order, and the free-form string metadata (empty when absent). */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    public static Contents read(Path file) {
        return read(file, Backends.current());
    }

    /** Reads every tensor onto {@code backend}; the caller owns (and closes) the tensors. */
    public static Contents read(Path file, Backend backend) {
        String name = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(name, ch, backend);
        } catch (IOException e) {
            throw new DataFileException(name, -1, "cannot read: " + e, e);
        }
    }

    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    private static Contents read(String name, FileChannel ch, Backend backend) throws IOException {
        long size = ch.size();
        if (size < 8) throw new DataFileException(name, 0, "expected an 8-byte header length, file has " + size + " bytes");
        long n = readAt(ch, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 2 || n > MAX_HEADER_BYTES || n > size - 8) {
            throw new DataFileException(name, 0, "expected a header length of 2.." + Math.min(MAX_HEADER_BYTES, size - 8)
                    + " bytes (file size " + size + "), found " + Long.toUnsignedString(n));
        }
        byte[] header = readAt(ch, 8, (int) n).array();
        if (header[0] != '{') throw new DataFileException(name, 8, "expected '{' starting the JSON header, found byte " + (header[0] & 0xFF));
        if (!(Json.parse(name, header, 8) instanceof Map<?, ?> root)) throw new DataFileException(name, 8, "expected a JSON object header");
        long bufferStart = 8 + n;
        long bufferLen = size - bufferStart;

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> kv : root.entrySet()) {
            String key = (String) kv.getKey();
            if (key.equals(METADATA_KEY)) {
                metadata = metadata(name, kv.getValue());
            } else {
                entries.add(entry(name, key, kv.getValue()));
            }
        }
        // the byte ranges, in offset order, must tile the buffer exactly
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        String previous = null;
        for (Entry e : byOffset) {
            if (e.begin != expected) {
                throw new DataFileException(name, bufferStart + Math.min(e.begin, expected), "tensor '" + e.name + "': expected data_offsets to begin at "
                        + expected + (previous == null ? " (start of the data)" : " (end of '" + previous + "')") + ", found " + e.begin
                        + (e.begin < expected ? " (overlap)" : " (gap)"));
            }
            expected = e.end;
            previous = e.name;
        }
        if (expected != bufferLen) {
            throw new DataFileException(name, bufferStart + Math.min(expected, bufferLen), "expected the tensors' data to fill the "
                    + bufferLen + " bytes after the header, found " + expected + " bytes described"
                    + (expected > bufferLen ? " (file truncated?)" : " (trailing bytes)"));
        }

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try {
            for (Entry e : entries) {
                byte[] bytes = readAt(ch, bufferStart + e.begin, (int) (e.end - e.begin)).array();
                tensors.put(e.name, Tensor.fromBytes(backend, e.dtype, Shape.of(e.shape), bytes));
            }
        } catch (RuntimeException | IOException x) {
            tensors.values().forEach(Tensor::close); // do not leak native memory on a failed read
            throw x;
        }
        return new Contents(tensors, metadata);
    }

    private static Map<String, String> metadata(String file, Object value) {
        if (!(value instanceof Map<?, ?> m)) throw headerError(file, METADATA_KEY, "expected an object of strings, found " + describe(value));
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> kv : m.entrySet()) {
            if (!(kv.getValue() instanceof String s)) {
                throw headerError(file, METADATA_KEY, "expected a string value for \"" + kv.getKey() + "\", found " + describe(kv.getValue()));
            }
            out.put((String) kv.getKey(), s);
        }
        return out;
    }

    private static Entry entry(String file, String tensor, Object value) {
        if (!(value instanceof Map<?, ?> m)) throw headerError(file, tensor, "expected an object with dtype, shape and data_offsets, found " + describe(value));
        Object d = m.get("dtype");
        DType dtype;
        if ("F32".equals(d)) dtype = DType.F32;
        else if ("F64".equals(d)) dtype = DType.F64;
        else if (d instanceof String && OTHER_DTYPES.contains(d)) throw headerError(file, tensor, "expected dtype F32 or F64 (the ones dgm4j reads), found unsupported " + d);
        else throw headerError(file, tensor, "expected dtype \"F32\" or \"F64\", found " + describe(d));
        long[] shape = longs(file, tensor, "shape", m.get("shape"), -1);
        long[] offsets = longs(file, tensor, "data_offsets", m.get("data_offsets"), 2);
        if (offsets[0] > offsets[1]) throw headerError(file, tensor, "expected data_offsets [begin, end] with begin <= end, found [" + offsets[0] + ", " + offsets[1] + "]");
        long bytes;
        try {
            bytes = Math.multiplyExact(Shape.of(shape).numel(), (long) dtype.bytes());
        } catch (ArithmeticException x) {
            throw headerError(file, tensor, "expected a shape whose size fits 64 bits, found " + java.util.Arrays.toString(shape));
        }
        if (bytes != offsets[1] - offsets[0]) {
            throw headerError(file, tensor, "expected " + bytes + " bytes for " + d + " " + Shape.of(shape) + ", found data_offsets ["
                    + offsets[0] + ", " + offsets[1] + "] (" + (offsets[1] - offsets[0]) + " bytes)");
        }
        if (bytes > Integer.MAX_VALUE - 8) throw headerError(file, tensor, "expected at most 2 GiB per tensor, found " + bytes + " bytes");
        return new Entry(tensor, dtype, shape, offsets[0], offsets[1]);
    }

    /** A JSON array of non-negative integers; {@code count} -1 for any length. */
    private static long[] longs(String file, String tensor, String field, Object value, int count) {
        if (!(value instanceof List<?> list) || (count >= 0 && list.size() != count)) {
            throw headerError(file, tensor, "expected " + field + " as an array of " + (count >= 0 ? count + " " : "") + "integers, found " + describe(value));
        }
        long[] out = new long[list.size()];
        for (int k = 0; k < out.length; k++) {
            if (!(list.get(k) instanceof Long v) || v < 0) throw headerError(file, tensor, "expected " + field + "[" + k + "] a non-negative integer, found " + describe(list.get(k)));
            out[k] = v;
        }
        return out;
    }

    private static DataFileException headerError(String file, String tensor, String problem) {
        return new DataFileException(file, -1, "header entry '" + tensor + "': " + problem);
    }

    private static String describe(Object v) {
        if (v == null) return "null or nothing";
        if (v instanceof String s) return "\"" + s + "\"";
        if (v instanceof Map) return "an object";
        if (v instanceof List<?> l) return "an array of " + l.size();
        return v.toString();
    }

    /** Reads exactly {@code len} bytes at {@code pos} (the caller checked they are within the file). */
    private static ByteBuffer readAt(FileChannel ch, long pos, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) throw new IOException("file shrank while being read");
        }
        return b.flip();
    }

    // ---- writing --------------------------------------------------------------------------------

    /**
     * Writes {@code tensors} (names other than "__metadata__") and {@code metadata} atomically. Data is
     * ordered as the reference implementation orders it, F64 before F32 (keeps every tensor aligned to
     * its element size), then by name, so the same state dict always gives the same bytes.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        List<Map.Entry<String, Tensor>> order = new ArrayList<>(tensors.entrySet());
        for (Map.Entry<String, Tensor> e : order) {
            if (e.getKey().equals(METADATA_KEY)) throw new IllegalArgumentException("\"" + METADATA_KEY + "\" is reserved, not a tensor name");
            e.getValue().ensureOpen();
        }
        order.sort(Comparator.<Map.Entry<String, Tensor>>comparingInt(e -> -e.getValue().dtype().bytes()).thenComparing(Map.Entry::getKey));

        StringBuilder h = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            Json.writeString(h, METADATA_KEY);
            h.append(":{");
            String sep = "";
            for (Map.Entry<String, String> kv : new TreeMap<>(metadata).entrySet()) {
                h.append(sep);
                Json.writeString(h, kv.getKey());
                h.append(':');
                Json.writeString(h, kv.getValue());
                sep = ",";
            }
            h.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : order) {
            Tensor t = e.getValue();
            if (h.length() > 1) h.append(',');
            Json.writeString(h, e.getKey());
            h.append(":{\"dtype\":\"").append(t.dtype() == DType.F64 ? "F64" : "F32").append("\",\"shape\":[");
            long[] dims = t.dims();
            for (int k = 0; k < dims.length; k++) h.append(k > 0 ? "," : "").append(dims[k]);
            h.append("],\"data_offsets\":[").append(offset).append(',').append(offset + t.byteSize()).append("]}");
            offset += t.byteSize();
        }
        h.append('}');
        byte[] json = h.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // spaces, as the reference pads, so the data starts 8-aligned
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');

        Path target = file.toAbsolutePath();
        Path tmp = AtomicFiles.tempBeside(target);
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeAll(out, head.flip());
                for (Map.Entry<String, Tensor> e : order) writeAll(out, ByteBuffer.wrap(e.getValue().toBytes()));
                out.force(true); // data on disk before the rename makes it visible
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException x) {
            Files.deleteIfExists(tmp);
            throw x;
        }
        AtomicFiles.syncDirectory(target.getParent());
    }

    private static void writeAll(FileChannel out, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) out.write(b);
    }
}
