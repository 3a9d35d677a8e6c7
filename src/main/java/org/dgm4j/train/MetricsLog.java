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

/**
 * Appends metric rows to {@code metrics.csv} (for spreadsheets and pandas) and {@code metrics.jsonl}
 * (one JSON object a line, for tools that want types). The first row fixes the CSV columns; later rows
 * may leave some empty (a test row has no images/s) but may not add new ones. Every row is flushed,
 * so a run killed by a batch system keeps its log up to the last interval.
 */
public final class MetricsLog implements AutoCloseable {
    public static final String CSV = "metrics.csv", JSONL = "metrics.jsonl";

    private final BufferedWriter csv, jsonl;
    private List<String> columns;

    public MetricsLog(Path runDir) throws IOException {
        csv = Files.newBufferedWriter(runDir.resolve(CSV), StandardCharsets.UTF_8);
        jsonl = Files.newBufferedWriter(runDir.resolve(JSONL), StandardCharsets.UTF_8);
    }

    public void append(Map<String, ?> row) throws IOException {
        if (columns == null) {
            columns = new ArrayList<>(row.keySet());
            csv.write(String.join(",", columns));
            csv.newLine();
        } else if (!columns.containsAll(row.keySet())) {
            List<String> extra = new ArrayList<>(row.keySet());
            extra.removeAll(columns);
            throw new IllegalArgumentException("metrics row has columns " + extra + " that the first row (" + columns + ") lacks");
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
