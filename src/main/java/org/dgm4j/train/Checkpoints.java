package org.dgm4j.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.dgm4j.backend.Backend;
import org.dgm4j.data.DataFileException;
import org.dgm4j.io.AtomicFiles;
import org.dgm4j.io.Json;
import org.dgm4j.io.Safetensors;
import org.dgm4j.tensor.Tensor;

/**
 * Checkpoints of a run, in {@code <run>/checkpoints/step-<012d>/}: the tensors as
 * {@code tensors.safetensors}, everything else as {@code state.json}, and {@code checksums.sha256}
 * over both (the format {@code sha256sum -c} reads). A checkpoint is written into a temporary folder,
 * each file forced to disk, then renamed into place and the parent synced, so a crash at any moment
 * leaves either no new checkpoint or a complete one; only then are the oldest beyond {@code keep}
 * deleted. Reading verifies the checksums first.
 */
public final class Checkpoints {
    public static final String DIR = "checkpoints", TENSORS = "tensors.safetensors", STATE = "state.json", CHECKSUMS = "checksums.sha256";
    private static final String PREFIX = "step-", TEMP_PREFIX = ".tmp-";

    private Checkpoints() {}

    /** A checkpoint read back and verified; its tensors are the caller's to close (or use {@link #close}). */
    public record Loaded(Path dir, long step, Map<String, Tensor> tensors, Map<String, Object> state) implements AutoCloseable {
        /** The tensors whose names start with {@code prefix}, with it removed (e.g. "module/" gives the state dict). */
        public LinkedHashMap<String, Tensor> withPrefix(String prefix) {
            LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
            tensors.forEach((k, t) -> {
                if (k.startsWith(prefix)) m.put(k.substring(prefix.length()), t);
            });
            return m;
        }

        @Override
        public void close() {
            tensors.values().forEach(Tensor::close);
        }
    }

    /** Writes the checkpoint of {@code step} and prunes to the newest {@code keep}; returns its folder. */
    public static Path write(Path runDir, long step, Map<String, Tensor> tensors, Map<String, Object> state, int keep) throws IOException {
        Path root = Files.createDirectories(runDir.resolve(DIR));
        Path target = root.resolve(name(step));
        if (Files.isDirectory(target)) return target; // this step was saved already (e.g. an epoch end and a signal)
        Path tmp = Files.createTempDirectory(root, TEMP_PREFIX + name(step) + "-");
        try {
            Safetensors.write(tmp.resolve(TENSORS), tensors, Map.of("format", "dgm4j-checkpoint"));
            AtomicFiles.write(tmp.resolve(STATE), (JsonText.objectPretty(state) + "\n").getBytes(StandardCharsets.UTF_8));
            String sums = sha256(tmp.resolve(TENSORS)) + "  " + TENSORS + "\n" + sha256(tmp.resolve(STATE)) + "  " + STATE + "\n";
            AtomicFiles.write(tmp.resolve(CHECKSUMS), sums.getBytes(StandardCharsets.UTF_8));
            tmp.toFile().setReadable(true, false);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
        AtomicFiles.syncDirectory(root);
        List<Path> all = list(runDir);
        for (int i = keep; i < all.size(); i++) deleteTree(all.get(i));
        return target;
    }

    /**
     * A run resumed at {@code step} abandons the checkpoints after it (it goes on from an earlier one,
     * or the newer ones did not verify). They move to {@code checkpoints/abandoned-after-<step>[-n]/},
     * with copies of the metrics logs as they were, so that nothing is lost, nothing resumes from them,
     * and none is taken for the new branch's checkpoint of the same step. Returns that folder, or null
     * when no checkpoint was newer.
     */
    public static Path setAsideAfter(Path runDir, long step) throws IOException {
        List<Path> newer = list(runDir).stream().filter(p -> stepOf(p) > step).toList();
        if (newer.isEmpty()) return null;
        String folder = "abandoned-after-" + name(step).substring(PREFIX.length());
        Path root = runDir.resolve(DIR), aside = root.resolve(folder);
        for (int n = 2; Files.exists(aside); n++) aside = root.resolve(folder + "-" + n);
        Files.createDirectories(aside);
        for (String log : List.of(MetricsLog.CSV, MetricsLog.JSONL)) {
            if (Files.exists(runDir.resolve(log))) Files.copy(runDir.resolve(log), aside.resolve(log));
        }
        for (Path p : newer) Files.move(p, aside.resolve(p.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.syncDirectory(root);
        return aside;
    }

    private static long stepOf(Path checkpoint) {
        return Long.parseLong(checkpoint.getFileName().toString().substring(PREFIX.length()));
    }

    /** The complete checkpoint folders of a run, newest first (temporary leftovers of a crash are not listed). */
    public static List<Path> list(Path runDir) throws IOException {
        Path root = runDir.resolve(DIR);
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().matches(PREFIX + "\\d{12}") && Files.isDirectory(p))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).toList();
        }
    }

    /**
     * Reads and verifies one checkpoint folder, tensors onto {@code backend}. A missing file, a checksum
     * mismatch or malformed content is a {@link DataFileException} naming the file (and for checksums
     * the expected and actual values).
     */
    public static Loaded read(Path dir, Backend backend) {
        Path sums = dir.resolve(CHECKSUMS);
        Map<String, String> expected = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(sums, StandardCharsets.UTF_8)) {
                String[] parts = line.split(" {2}", 2);
                if (parts.length != 2 || !parts[0].matches("[0-9a-f]{64}")) throw new DataFileException(sums.toString(), -1, "expected '<sha256>  <file>' lines, found '" + line + "'");
                expected.put(parts[1], parts[0]);
            }
        } catch (IOException e) {
            throw new DataFileException(sums.toString(), -1, "cannot read: " + e);
        }
        for (String f : List.of(TENSORS, STATE)) {
            Path file = dir.resolve(f);
            String want = expected.get(f);
            if (want == null) throw new DataFileException(sums.toString(), -1, "expected a checksum for " + f + ", found none");
            String got;
            try {
                got = sha256(file);
            } catch (IOException e) {
                throw new DataFileException(file.toString(), -1, "cannot read: " + e);
            }
            if (!got.equals(want)) throw new DataFileException(file.toString(), -1, "checksum mismatch: expected sha256 " + want + ", found " + got);
        }
        Map<String, Object> state;
        try {
            byte[] json = Files.readAllBytes(dir.resolve(STATE));
            if (!(Json.parse(dir.resolve(STATE).toString(), json, 0) instanceof Map<?, ?> m)) {
                throw new DataFileException(dir.resolve(STATE).toString(), 0, "expected a JSON object");
            }
            @SuppressWarnings("unchecked") Map<String, Object> cast = (Map<String, Object>) m;
            state = cast;
        } catch (IOException e) {
            throw new DataFileException(dir.resolve(STATE).toString(), -1, "cannot read: " + e);
        }
        Map<String, Tensor> tensors = Safetensors.read(dir.resolve(TENSORS), backend).tensors();
        Object step = state.get("step");
        if (!(step instanceof Number n)) {
            tensors.values().forEach(Tensor::close);
            throw new DataFileException(dir.resolve(STATE).toString(), -1, "expected a numeric \"step\", found " + step);
        }
        return new Loaded(dir, n.longValue(), tensors, state);
    }

    /** The newest checkpoint that reads back intact; each rejected one is reported to {@code warn}. Null when there is none. */
    public static Loaded newestValid(Path runDir, Backend backend, Consumer<String> warn) throws IOException {
        for (Path dir : list(runDir)) {
            try {
                return read(dir, backend);
            } catch (DataFileException e) {
                warn.accept("skipping checkpoint " + dir.getFileName() + ": " + e.getMessage());
            }
        }
        return null;
    }

    private static String name(long step) {
        return String.format("%s%012d", PREFIX, step);
    }

    static String sha256(Path file) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> paths = new ArrayList<>(s.toList());
            java.util.Collections.reverse(paths);
            for (Path p : paths) Files.deleteIfExists(p);
        }
    }
}
