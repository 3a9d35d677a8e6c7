package org.dgm4j.io;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dgm4j.data.DataFileException;

/**
 * The small JSON subset file headers need (safetensors), without a dependency. Parses UTF-8 bytes into
 * LinkedHashMap (key order kept), ArrayList, String, Long (integers), Double (other numbers), Boolean
 * and null. Errors are {@link DataFileException}s at the byte offset in the file, so a corrupt header
 * says where it went wrong. Nesting is limited so hostile input cannot overflow the stack.
 */
public final class Json {
    private static final int MAX_DEPTH = 64;

    private final String file;
    private final byte[] s;
    private final long base; // file offset of s[0]
    private int i;

    private Json(String file, byte[] s, long base) {
        this.file = file;
        this.s = s;
        this.base = base;
    }

    /** Parses exactly one JSON value filling {@code bytes} (trailing spaces allowed, as safetensors pads with them). */
    public static Object parse(String file, byte[] bytes, long fileOffset) {
        Json p = new Json(file, bytes, fileOffset);
        p.skipSpace();
        Object v = p.value(0);
        p.skipSpace();
        if (p.i != bytes.length) throw p.error("expected end of JSON, found " + p.found());
        return v;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) throw error("expected at most " + MAX_DEPTH + " nested JSON levels, found more");
        if (i >= s.length) throw error("expected a JSON value, found end of header");
        byte c = s[i];
        switch (c) {
            case '{': return object(depth);
            case '[': return array(depth);
            case '"': return string();
            case 't': return literal("true", Boolean.TRUE);
            case 'f': return literal("false", Boolean.FALSE);
            case 'n': return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return number();
                throw error("expected a JSON value, found " + found());
        }
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        skipSpace();
        if (peek() == '}') {
            i++;
            return m;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') throw error("expected '\"' starting an object key, found " + found());
            long keyAt = base + i;
            String k = string();
            skipSpace();
            expect(':');
            skipSpace();
            Object v = value(depth + 1);
            if (m.containsKey(k)) throw new DataFileException(file, keyAt, "expected unique keys, found \"" + k + "\" twice");
            m.put(k, v);
            skipSpace();
            if (peek() == ',') {
                i++;
                continue;
            }
            expect('}');
            return m;
        }
    }

    private List<Object> array(int depth) {
        List<Object> a = new ArrayList<>();
        i++;
        skipSpace();
        if (peek() == ']') {
            i++;
            return a;
        }
        while (true) {
            skipSpace();
            a.add(value(depth + 1));
            skipSpace();
            if (peek() == ',') {
                i++;
                continue;
            }
            expect(']');
            return a;
        }
    }

    private String string() {
        int start = i;
        i++; // opening quote
        ByteBuffer out = ByteBuffer.allocate(s.length - start); // a string is never longer than its source
        while (true) {
            if (i >= s.length) throw new DataFileException(file, base + start, "expected a closing '\"' for this string, found end of header");
            byte c = s[i++];
            if (c == '"') break;
            if ((c & 0xFF) < 0x20) throw new DataFileException(file, base + i - 1, "expected no control characters in a string, found " + hex(c));
            if (c != '\\') {
                out.put(c);
                continue;
            }
            if (i >= s.length) throw error("expected an escape character, found end of header");
            byte e = s[i++];
            switch (e) {
                case '"', '\\', '/' -> out.put(e);
                case 'b' -> out.put((byte) '\b');
                case 'f' -> out.put((byte) '\f');
                case 'n' -> out.put((byte) '\n');
                case 'r' -> out.put((byte) '\r');
                case 't' -> out.put((byte) '\t');
                case 'u' -> {
                    // a u-escape may be half of a surrogate pair: decode pairs, reject lone halves
                    char hi = hex4();
                    String cp = String.valueOf(hi);
                    if (Character.isHighSurrogate(hi)) {
                        if (!(i + 1 < s.length && s[i] == '\\' && s[i + 1] == 'u')) throw error("expected a low surrogate \\u escape, found " + found());
                        i += 2;
                        char lo = hex4();
                        if (!Character.isLowSurrogate(lo)) throw error("expected a low surrogate \\u escape before this byte");
                        cp = new String(new char[] {hi, lo});
                    } else if (Character.isLowSurrogate(hi)) {
                        throw error("expected a \\u escape that is not a lone low surrogate before this byte");
                    }
                    out.put(cp.getBytes(StandardCharsets.UTF_8));
                }
                default -> throw new DataFileException(file, base + i - 1, "expected an escape character, found " + found(i - 1));
            }
        }
        out.flip();
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(out).toString();
        } catch (CharacterCodingException x) {
            throw new DataFileException(file, base + start, "expected a UTF-8 string, found invalid UTF-8 bytes", x);
        }
    }

    private char hex4() {
        if (i + 4 > s.length) throw error("expected 4 hex digits, found end of header");
        int v = 0;
        for (int k = 0; k < 4; k++) {
            int d = Character.digit(s[i] & 0xFF, 16);
            if (d < 0) throw error("expected a hex digit, found " + found());
            v = v * 16 + d;
            i++;
        }
        return (char) v;
    }

    private Object number() {
        int start = i;
        if (peek() == '-') i++;
        if (peek() == '0') {
            i++;
        } else if (peek() >= '1' && peek() <= '9') {
            while (peek() >= '0' && peek() <= '9') i++;
        } else {
            throw error("expected a digit, found " + found());
        }
        boolean integer = true;
        if (peek() == '.') {
            integer = false;
            i++;
            if (!(peek() >= '0' && peek() <= '9')) throw error("expected a digit after '.', found " + found());
            while (peek() >= '0' && peek() <= '9') i++;
        }
        if (peek() == 'e' || peek() == 'E') {
            integer = false;
            i++;
            if (peek() == '+' || peek() == '-') i++;
            if (!(peek() >= '0' && peek() <= '9')) throw error("expected an exponent digit, found " + found());
            while (peek() >= '0' && peek() <= '9') i++;
        }
        String text = new String(s, start, i - start, StandardCharsets.US_ASCII);
        if (!integer) return Double.parseDouble(text);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new DataFileException(file, base + start, "expected an integer of at most 64 bits, found " + text);
        }
    }

    private Object literal(String word, Object v) {
        for (int k = 0; k < word.length(); k++) {
            if (peek() != word.charAt(k)) throw error("expected '" + word + "', found " + found());
            i++;
        }
        return v;
    }

    private void expect(char c) {
        if (peek() != c) throw error("expected '" + c + "', found " + found());
        i++;
    }

    /** The current byte, or -1 at the end. */
    private int peek() {
        return i < s.length ? s[i] : -1;
    }

    private void skipSpace() {
        while (i < s.length && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
    }

    private String found() {
        return found(i);
    }

    private String found(int at) {
        if (at >= s.length) return "end of header";
        int c = s[at] & 0xFF;
        return c >= 0x20 && c < 0x7F ? "'" + (char) c + "'" : hex(c);
    }

    private static String hex(int c) {
        return String.format("0x%02X", c & 0xFF);
    }

    private DataFileException error(String problem) {
        return new DataFileException(file, base + i, problem);
    }

    // ---- writing --------------------------------------------------------------------------------

    /** Appends {@code v} as a JSON string literal (non-ASCII kept as UTF-8, as serde_json writes it). */
    public static void writeString(StringBuilder b, String v) {
        b.append('"');
        for (int k = 0; k < v.length(); k++) {
            char c = v.charAt(k);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }
}
