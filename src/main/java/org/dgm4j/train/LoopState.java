package org.dgm4j.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.dgm4j.data.DataFileException;
import org.dgm4j.data.DataPosition;

/**
 * Everything about where a training loop stands that is not a tensor: step, data position, random
 * stream offsets, the metrics window being averaged, skipped steps. Saved in a checkpoint's JSON and
 * restored exactly (doubles print in their shortest round-tripping form), which is what makes a resumed
 * run's losses bit-identical to an uninterrupted one's.
 */
final class LoopState {
    static final String FORMAT = "dgm4j-checkpoint-1";

    long step;
    DataPosition position = DataPosition.start();
    long dataOffset, noiseOffset;
    double trainSeconds, elapsedSeconds;
    /** Steps whose batch is skipped (a non-finite value appeared there and the run rolled back). */
    final TreeSet<Long> skipped = new TreeSet<>();
    int rollbacks;
    LinkedHashMap<String, Double> lastTest;
    // the metrics window: sums of per-example means × examples, examples and seconds since the last row
    final LinkedHashMap<String, Double> windowSums = new LinkedHashMap<>();
    long windowImages;
    double windowSeconds;

    Map<String, Object> toJson() {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("step", step);
        m.put("epoch", position.epoch());
        m.put("index", position.index());
        m.put("data_offset", dataOffset);
        m.put("noise_offset", noiseOffset);
        m.put("train_seconds", trainSeconds);
        m.put("elapsed_seconds", elapsedSeconds);
        m.put("skipped_steps", new ArrayList<>(skipped));
        m.put("rollbacks", rollbacks);
        m.put("last_test", lastTest == null ? null : exact(lastTest));
        m.put("window_sums", exact(windowSums));
        m.put("window_images", windowImages);
        m.put("window_seconds", windowSeconds);
        return m;
    }

    /**
     * JSON has no NaN or infinities (the writer would make them null, and the checkpoint unresumable):
     * a non-finite value is stored as Java's name for it, "NaN", "Infinity" or "-Infinity".
     */
    private static Map<String, Object> exact(Map<String, Double> values) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        values.forEach((k, v) -> m.put(k, Double.isFinite(v) ? v : v.toString()));
        return m;
    }

    static LoopState fromJson(String file, Map<String, Object> m) {
        Reader r = new Reader(file, m);
        if (!FORMAT.equals(m.get("format"))) throw new DataFileException(file, -1, "expected format " + FORMAT + ", found " + m.get("format"));
        LoopState s = new LoopState();
        s.step = r.longValue("step");
        s.position = new DataPosition((int) r.longValue("epoch"), (int) r.longValue("index"));
        s.dataOffset = r.longValue("data_offset");
        s.noiseOffset = r.longValue("noise_offset");
        s.trainSeconds = r.doubleValue("train_seconds");
        s.elapsedSeconds = r.doubleValue("elapsed_seconds");
        for (Object o : r.list("skipped_steps")) s.skipped.add(((Number) o).longValue());
        s.rollbacks = (int) r.longValue("rollbacks");
        s.lastTest = m.get("last_test") == null ? null : r.doubles("last_test");
        s.windowSums.putAll(r.doubles("window_sums"));
        s.windowImages = r.longValue("window_images");
        s.windowSeconds = r.doubleValue("window_seconds");
        return s;
    }

    /** Typed access to a parsed JSON object, with errors naming the file and field. */
    record Reader(String file, Map<String, Object> m) {
        Object get(String key) {
            if (!m.containsKey(key)) throw new DataFileException(file, -1, "expected field \"" + key + "\", found none");
            return m.get(key);
        }

        long longValue(String key) {
            if (get(key) instanceof Number n && n.doubleValue() == n.longValue()) return n.longValue();
            throw new DataFileException(file, -1, "field \"" + key + "\": expected an integer, found " + get(key));
        }

        double doubleValue(String key) {
            if (get(key) instanceof Number n) return n.doubleValue();
            throw new DataFileException(file, -1, "field \"" + key + "\": expected a number, found " + get(key));
        }

        List<?> list(String key) {
            if (get(key) instanceof List<?> l) return l;
            throw new DataFileException(file, -1, "field \"" + key + "\": expected a list, found " + get(key));
        }

        Map<?, ?> map(String key) {
            if (get(key) instanceof Map<?, ?> x) return x;
            throw new DataFileException(file, -1, "field \"" + key + "\": expected an object, found " + get(key));
        }

        LinkedHashMap<String, Double> doubles(String key) {
            LinkedHashMap<String, Double> out = new LinkedHashMap<>();
            map(key).forEach((k, v) -> {
                if (v instanceof Number n) out.put(k.toString(), n.doubleValue());
                else if (List.of("NaN", "Infinity", "-Infinity").contains(v)) out.put(k.toString(), Double.parseDouble((String) v));
                else throw new DataFileException(file, -1, "field \"" + key + "." + k + "\": expected a number, \"NaN\" or \"Infinity\", found " + v);
            });
            return out;
        }
    }
}
