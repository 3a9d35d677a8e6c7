package org.dgm4j.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/**
 * A run's resolved settings: every key of a schema with its value from the defaults, overridden by
 * the entries in order (a config file first, then {@code --set}s). Unknown keys, values of the wrong
 * type and keys given twice in one source are rejected with the key's name, where it was written,
 * what was expected and what was found.
 */
public final class Config {
    private final LinkedHashMap<String, ConfigKey> keys = new LinkedHashMap<>();
    private final LinkedHashMap<String, Object> values = new LinkedHashMap<>();

    private Config(Collection<ConfigKey> schema) {
        for (ConfigKey k : schema) {
            if (keys.put(k.name(), k) != null) throw new IllegalArgumentException("config key " + k.name() + " declared twice");
            values.put(k.name(), k.defaultValue());
        }
    }

    /** The defaults of {@code schema} overridden by {@code entries}, later entries winning. */
    public static Config resolve(Collection<ConfigKey> schema, List<ConfigEntry> entries) {
        Config c = new Config(schema);
        for (ConfigEntry e : entries) {
            ConfigKey k = c.keys.get(e.key());
            if (k == null) throw new ConfigException(e.where() + ": unknown key '" + e.key() + "'" + c.suggestion(e.key()));
            Object v = k.parse(e.text());
            if (v == null) throw new ConfigException(e.where() + ": key " + k.name() + ": expected " + k.expected() + ", found '" + e.text() + "'");
            c.values.put(k.name(), v);
        }
        return c;
    }

    /** The text of the last entry for {@code key}, or null (used to pick the schema, e.g. the model family, before resolving). */
    public static String peek(List<ConfigEntry> entries, String key) {
        String v = null;
        for (ConfigEntry e : entries) if (e.key().equals(key)) v = e.text().trim();
        return v;
    }

    public Object get(String key) {
        if (!values.containsKey(key)) throw new IllegalArgumentException("no config key " + key);
        return values.get(key);
    }

    public int getInt(String key) {
        return (Integer) get(key);
    }

    public long getLong(String key) {
        return ((Number) get(key)).longValue();
    }

    public double getDouble(String key) {
        return ((Number) get(key)).doubleValue();
    }

    public boolean getBool(String key) {
        return (Boolean) get(key);
    }

    public String getString(String key) {
        return (String) get(key);
    }

    /** Keys and values in schema order. */
    public LinkedHashMap<String, Object> values() {
        return new LinkedHashMap<>(values);
    }

    /** The keys under {@code prefix.} with the prefix removed (e.g. a model family's own settings). */
    public LinkedHashMap<String, Object> section(String prefix) {
        LinkedHashMap<String, Object> s = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith(prefix + ".")) s.put(k.substring(prefix.length() + 1), v);
        });
        return s;
    }

    /** Flat YAML ({@code train.epochs: 5} per line) that {@link ConfigEntry#yaml} reads back to the same values. */
    public String toYaml() {
        StringBuilder b = new StringBuilder();
        values.forEach((k, v) -> b.append(k).append(": ").append(yamlScalar(v)).append('\n'));
        return b.toString();
    }

    private static String yamlScalar(Object v) {
        if (v instanceof String s) {
            StringBuilder q = new StringBuilder("\"");
            for (char ch : s.toCharArray()) {
                if (ch == '"' || ch == '\\') q.append('\\').append(ch);
                else if (ch < 0x20) q.append(String.format(Locale.ROOT, "\\x%02x", (int) ch));
                else q.append(ch);
            }
            return q.append('"').toString();
        }
        return v.toString(); // numbers print so that they parse back exactly (Double.toString round-trips)
    }

    /** Help text: one line per key with its type, default and description. */
    public static String describe(Collection<ConfigKey> schema) {
        StringBuilder b = new StringBuilder();
        for (ConfigKey k : schema) {
            b.append(String.format(Locale.ROOT, "  %-28s %s (default %s)%n      %s%n", k.name(), k.expected(), k.defaultValue(), k.description()));
        }
        return b.toString();
    }

    private String suggestion(String unknown) {
        List<String> close = new ArrayList<>();
        for (String k : keys.keySet()) if (distance(k, unknown) <= 2 || k.endsWith("." + unknown)) close.add(k);
        return close.isEmpty() ? " (see --list-keys)" : " (did you mean " + String.join(" or ", close) + "?)";
    }

    /** Levenshtein distance, for "did you mean". */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    @Override
    public String toString() {
        return values.toString();
    }

    /** Equal keys and values (so a resumed run can check it continues the same configuration). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Config c && c.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }
}
