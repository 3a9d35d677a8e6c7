package org.dgm4j.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** Where one run's files go, and its {@code run.json} (the resolved settings, written before training starts). */
public final class RunDirectory {
    public static final String SETTINGS = "run.json";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private RunDirectory() {}

    /** {@code base/runs/<yyyyMMdd-HHmmss>-<model>}, with a -2, -3... suffix when two runs start in the same second; created. */
    public static Path fresh(Path base, String model, LocalDateTime now) throws IOException {
        String name = STAMP.format(now) + "-" + model;
        Path dir = base.resolve("runs").resolve(name);
        for (int i = 2; Files.exists(dir); i++) dir = base.resolve("runs").resolve(name + "-" + i);
        return Files.createDirectories(dir);
    }

    /**
     * An explicit directory, created when missing. One that already holds a run is refused rather than
     * mixed into, so two runs' metrics never interleave in one file.
     */
    public static Path given(Path dir) throws IOException {
        if (holdsRun(dir)) {
            throw new IllegalArgumentException(dir + " already holds a run (" + SETTINGS + " or " + MetricsLog.CSV + "); choose another --out");
        }
        return Files.createDirectories(dir);
    }

    /** Whether {@code dir} already has a run's settings or metrics. */
    public static boolean holdsRun(Path dir) {
        return Files.exists(dir.resolve(SETTINGS)) || Files.exists(dir.resolve(MetricsLog.CSV));
    }

    /** Writes {@code settings} as one JSON object (atomically: a reader never sees half a file). */
    public static void writeSettings(Path dir, Map<String, ?> settings) throws IOException {
        Path tmp = dir.resolve(SETTINGS + ".tmp");
        Files.writeString(tmp, JsonText.objectPretty(settings) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve(SETTINGS), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
