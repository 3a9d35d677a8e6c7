package org.dgm4j.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dgm4j.io.Json;

/** Writes JSON objects (run.json, metrics.jsonl lines, checkpoint state): strings, numbers, booleans, null, maps and lists. */
public final class JsonText {
    private JsonText() {}

    /** One line, for JSON Lines. */
    public static String object(Map<String, ?> fields) {
        return object(fields, "{", ", ", "}");
    }

    /** One field a line, for files people read (run.json). */
    public static String objectPretty(Map<String, ?> fields) {
        return object(fields, "{\n  ", ",\n  ", "\n}");
    }

    private static String object(Map<String, ?> fields, String open, String separator, String close) {
        StringBuilder b = new StringBuilder(open);
        String sep = "";
        for (var e : fields.entrySet()) {
            b.append(sep);
            string(b, e.getKey());
            b.append(": ");
            value(b, e.getValue());
            sep = separator;
        }
        return b.append(close).toString();
    }

    private static void value(StringBuilder b, Object v) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof Double d) {
            // JSON has no NaN or Infinity: a diverged metric becomes null rather than an unreadable file
            b.append(Double.isFinite(d) ? number(d) : "null");
        } else if (v instanceof Float f) {
            value(b, f.doubleValue());
        } else if (v instanceof Map<?, ?> m) {
            LinkedHashMap<String, Object> fields = new LinkedHashMap<>();
            m.forEach((k, x) -> fields.put(k.toString(), x));
            b.append(object(fields));
        } else if (v instanceof List<?> list) {
            b.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) b.append(", ");
                value(b, list.get(i));
            }
            b.append(']');
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v);
        } else {
            string(b, v.toString());
        }
    }

    /** Shortest form that reads back to the same double; integers without ".0". */
    static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) return Long.toString((long) d);
        return String.format(Locale.ROOT, "%s", d);
    }

    private static void string(StringBuilder b, String s) {
        Json.writeString(b, s);
    }
}
