package org.dgm4j.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dgm4j.data.DataFileException;
import org.dgm4j.io.Json;

/**
 * Appends metric rows to {@code metrics.csv} (for spreadsheets and pandas) and {@code metrics.jsonl}
 * (one JSON object a line, for tools that want types). The first row fixes the CSV columns; later rows
 * may leave some empty (a test row has no images/s), and a column first seen later (lr, after a resumed
 * run switched to a schedule) goes to metrics.jsonl only. Every row is flushed,
 * so a run killed by a batch system keeps its log up to the last interval.
 */
public final class MetricsLog implements AutoCloseable {
    public static final String CSV = "metrics.csv", JSONL = "metrics.jsonl";

    private final BufferedWriter csv, jsonl;
    private List<String> columns;

    /** A new log (existing files replaced). */
    public MetricsLog(Path runDir) throws IOException {
        this(runDir, -1);
    }

    /**
     * For a run resumed at {@code resumeStep}: keeps the rows up to that step (those written after the
     * checkpoint are written again by the resumed run) and appends. {@code resumeStep} < 0 starts afresh.
     */
    public MetricsLog(Path runDir, long resumeStep) throws IOException {
        List<String> keptCsv = new ArrayList<>(), keptJson = new ArrayList<>();
        if (resumeStep >= 0 && Files.exists(runDir.resolve(JSONL)) && Files.exists(runDir.resolve(CSV))) {
            List<String> json = Files.readAllLines(runDir.resolve(JSONL), StandardCharsets.UTF_8);
            List<String> table = Files.readAllLines(runDir.resolve(CSV), StandardCharsets.UTF_8);
            // row i of the JSONL file is row i + 1 of the CSV (after its header); a torn last line is dropped
            for (int i = 0; i < json.size() && i + 1 < table.size(); i++) {
                long step = stepOf(json.get(i));
                if (step >= 0 && step <= resumeStep) {
                    keptJson.add(json.get(i));
                    keptCsv.add(table.get(i + 1));
                }
            }
            if (!table.isEmpty() && !keptCsv.isEmpty()) {
                columns = List.of(table.get(0).split(",", -1));
                keptCsv.add(0, table.get(0));
            }
        }
        csv = Files.newBufferedWriter(runDir.resolve(CSV), StandardCharsets.UTF_8);
        jsonl = Files.newBufferedWriter(runDir.resolve(JSONL), StandardCharsets.UTF_8);
        for (String l : keptCsv) csv.write(l + "\n");
        for (String l : keptJson) jsonl.write(l + "\n");
        csv.flush();
        jsonl.flush();
    }

    /** The rows of a run's JSONL log (a torn last line skipped), for plots. */
    public static List<Map<String, Object>> read(Path runDir) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        Path f = runDir.resolve(JSONL);
        if (!Files.exists(f)) return rows;
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            try {
                rows.add(parse(line));
            } catch (DataFileException e) {
                // a line cut by a crash; the rows before it are intact
            }
        }
        return rows;
    }

    /** The row's step, or -1 for a line a crash cut short. */
    private static long stepOf(String line) {
        try {
            return parse(line).get("step") instanceof Number n ? n.longValue() : -1;
        } catch (DataFileException e) {
            return -1;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String line) {
        Object o = Json.parse(JSONL, line.getBytes(StandardCharsets.UTF_8), 0);
        if (!(o instanceof Map)) throw new DataFileException(JSONL, 0, "expected a JSON object per line, found " + line);
        return (Map<String, Object>) o;
    }

    public void append(Map<String, ?> row) throws IOException {
        if (columns == null) {
            columns = new ArrayList<>(row.keySet());
            csv.write(String.join(",", columns));
            csv.newLine();
        }
        List<String> cells = new ArrayList<>(columns.size());
        for (String c : columns) cells.add(cell(row.get(c)));
        csv.write(String.join(",", cells));
        csv.newLine();
        csv.flush();
        jsonl.write(JsonText.object(new LinkedHashMap<>(row)));
        jsonl.newLine();
        jsonl.flush();
    }

    private static String cell(Object v) {
        if (v == null) return "";
        if (v instanceof Double d) return Double.isFinite(d) ? JsonText.number(d) : d.toString(); // NaN stays visible
        String s = v.toString();
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    @Override
    public void close() throws IOException {
        try (csv; jsonl) {
            // both closed, even when one fails
        }
    }
}
