package org.dgm4j.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Reader and writer of the IDX format of (Fashion-)MNIST: bytes 0-1 zero, byte 2 the element type
 * code, byte 3 the number of dimensions d, then d big-endian int32 sizes, then the elements in
 * row-major order, big-endian. A file is read as gzip when it starts with the gzip magic 1f 8b,
 * whatever its name. Byte offsets in error messages count the IDX bytes, that is after decompression.
 *
 * <p>Every malformed file (bad magic, unknown type, zero or negative sizes, sizes whose product
 * overflows or exceeds what one Java array holds, truncation, trailing bytes, corrupt gzip) gives a
 * {@link DataFileException}; memory is allocated only as data actually arrives, so a corrupt header
 * that claims gigabytes cannot exhaust memory.
 */
public final class Idx {
    /** Largest array the JVM reliably allocates. */
    static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;
    private static final int MAX_DIMS = 16;

    private Idx() {}

    /** Element types defined by the format, with their type codes and sizes in bytes. */
    public enum Type {
        UBYTE(0x08, 1), BYTE(0x09, 1), SHORT(0x0B, 2), INT(0x0C, 4), FLOAT(0x0D, 4), DOUBLE(0x0E, 8);

        public final int code;
        public final int bytes;

        Type(int code, int bytes) {
            this.code = code;
            this.bytes = bytes;
        }

        static Type ofCode(int code) {
            for (Type t : values()) if (t.code == code) return t;
            return null;
        }
    }

    /**
     * The contents of one IDX file. {@code raw} holds the elements exactly as stored (big-endian);
     * for {@link Type#UBYTE} that is the unsigned bytes themselves ({@code b & 0xFF} for the value).
     */
    public record Data(Type type, int[] dims, byte[] raw) {
        public Data {
            long need = checkedNumel(dims) * type.bytes;
            if (raw.length != need) {
                throw new IllegalArgumentException(type + " " + Arrays.toString(dims) + " needs " + need + " bytes, found " + raw.length);
            }
        }

        public long numel() {
            return checkedNumel(dims);
        }

        /** The pixels/labels of a ubyte file (values 0..255 as {@code b & 0xFF}); no copy. */
        public byte[] unsignedBytes() {
            if (type != Type.UBYTE) throw new IllegalStateException("IDX data is " + type + ", not UBYTE");
            return raw;
        }

        /** Every element converted to float, whatever the stored type. */
        public float[] toFloatArray() {
            float[] out = new float[raw.length / type.bytes];
            ByteBuffer b = ByteBuffer.wrap(raw); // big-endian, as IDX stores it
            for (int i = 0; i < out.length; i++) {
                out[i] = switch (type) {
                    case UBYTE -> raw[i] & 0xFF;
                    case BYTE -> raw[i];
                    case SHORT -> b.getShort(2 * i);
                    case INT -> b.getInt(4 * i);
                    case FLOAT -> b.getFloat(4 * i);
                    case DOUBLE -> (float) b.getDouble(8 * i);
                };
            }
            return out;
        }
    }

    private static long checkedNumel(int[] dims) {
        long n = 1;
        for (int d : dims) {
            if (d <= 0) throw new IllegalArgumentException("IDX dimensions must be positive: " + Arrays.toString(dims));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Reads a raw or gzipped IDX file; see the class comment for the errors. */
    public static Data read(Path file) {
        String name = file.toString();
        long fileSize;
        try {
            fileSize = Files.size(file);
        } catch (IOException e) {
            throw new DataFileException(name, -1, "cannot read: " + e, e);
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
            return parse(name, in, gzip ? -1 : fileSize);
        } catch (DataFileException e) {
            throw e;
        } catch (IOException e) {
            // GZIPInputStream's constructor reads the gzip header: a truncated one ends here
            throw new DataFileException(name, 0, "gzip header is corrupt or truncated (" + e.getMessage() + ")", e);
        }
    }

    /** Parses the IDX bytes of {@code in}; {@code knownSize} is their total when known, else -1. */
    private static Data parse(String name, InputStream in, long knownSize) {
        Reader r = new Reader(name, in);
        for (int i = 0; i < 2; i++) {
            int b = r.u8("IDX magic byte 0x00");
            if (b != 0) throw new DataFileException(name, i, "expected IDX magic byte 0x00, found " + hex(b));
        }
        int code = r.u8("IDX type code");
        Type type = Type.ofCode(code);
        if (type == null) {
            throw new DataFileException(name, 2, "expected IDX type code 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E, found " + hex(code));
        }
        int rank = r.u8("number of dimensions");
        if (rank < 1 || rank > MAX_DIMS) {
            throw new DataFileException(name, 3, "expected number of dimensions 1.." + MAX_DIMS + ", found " + rank);
        }
        int[] dims = new int[rank];
        long bytes = type.bytes;
        for (int i = 0; i < rank; i++) {
            long at = r.pos;
            dims[i] = r.i32("size of dimension " + i);
            if (dims[i] <= 0) throw new DataFileException(name, at, "expected a positive size of dimension " + i + ", found " + dims[i]);
            bytes *= dims[i]; // at most 2^31 per factor and bounded below, so no long overflow before the check
            if (bytes > MAX_ARRAY_BYTES) {
                throw new DataFileException(name, at, "sizes " + Arrays.toString(Arrays.copyOf(dims, i + 1))
                        + " of " + type + " need more than " + MAX_ARRAY_BYTES + " bytes, the most one array holds");
            }
        }
        long header = r.pos;
        if (knownSize >= 0 && knownSize - header < bytes) {
            throw new DataFileException(name, header, "expected " + bytes + " data bytes, file ends after " + (knownSize - header));
        }
        byte[] data = r.readFully((int) bytes);
        if (r.next() != -1) {
            throw new DataFileException(name, r.pos - 1, "expected end of file after " + bytes + " data bytes, found more bytes");
        }
        return new Data(type, dims, data);
    }

    /** Counts IDX bytes and turns every stream failure into a positioned {@link DataFileException}. */
    private static final class Reader {
        final String name;
        final InputStream in;
        long pos;

        Reader(String name, InputStream in) {
            this.name = name;
            this.in = in;
        }

        int next() {
            try {
                int b = in.read();
                if (b >= 0) pos++;
                return b;
            } catch (IOException e) {
                throw corrupt(e);
            }
        }

        int u8(String what) {
            int b = next();
            if (b < 0) throw new DataFileException(name, pos, "expected " + what + ", file ends");
            return b;
        }

        int i32(String what) {
            int v = 0;
            for (int i = 0; i < 4; i++) v = (v << 8) | u8(what);
            return v;
        }

        /** Reads exactly n bytes, growing the buffer as bytes arrive (n comes from an untrusted header). */
        byte[] readFully(int n) {
            long start = pos;
            byte[] buf = new byte[Math.min(n, 1 << 20)];
            int got = 0;
            while (got < n) {
                if (got == buf.length) buf = Arrays.copyOf(buf, (int) Math.min(n, 2L * buf.length));
                int k;
                try {
                    k = in.read(buf, got, buf.length - got);
                } catch (IOException e) {
                    throw corrupt(e);
                }
                if (k < 0) throw new DataFileException(name, start, "expected " + n + " data bytes, file ends after " + got);
                got += k;
                pos += k;
            }
            return buf;
        }

        DataFileException corrupt(IOException e) {
            String what = e instanceof EOFException ? "gzip data is truncated" : "gzip data is corrupt";
            return new DataFileException(name, pos, what + " after " + pos + " decompressed bytes (" + e.getMessage() + ")", e);
        }
    }

    private static String hex(int b) {
        return String.format("0x%02X", b);
    }

    /** Writes {@code data} as IDX, gzipped when asked (the usual ".gz" name is the caller's choice). */
    public static void write(Path file, Data data, boolean gzip) throws IOException {
        try (OutputStream f = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
             OutputStream z = gzip ? new GZIPOutputStream(f, 1 << 16) : f;
             DataOutputStream out = new DataOutputStream(z)) {
            out.writeShort(0);
            out.writeByte(data.type().code);
            out.writeByte(data.dims().length);
            for (int d : data.dims()) out.writeInt(d);
            out.write(data.raw());
        }
    }

    /** Convenience for the common case: unsigned bytes with the given sizes. */
    public static void writeUbyte(Path file, byte[] values, boolean gzip, int... dims) throws IOException {
        write(file, new Data(Type.UBYTE, dims.clone(), values), gzip);
    }
}
