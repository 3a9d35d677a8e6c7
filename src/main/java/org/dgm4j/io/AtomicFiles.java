package org.dgm4j.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Write-then-rename files that survive a crash: a reader sees the old file or the complete new one,
 * never half of it, and once a write returns its bytes and its name are on disk. Temporary files are
 * readable like any file the user writes (not 0600).
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** A new empty file in target's folder, to be renamed onto target once complete. */
    static Path tempBeside(Path target) throws IOException {
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName() + ".", ".tmp");
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        }
        return tmp;
    }

    /** Replaces {@code target} with {@code bytes}: temporary file, forced to disk, renamed, folder synced. */
    public static void write(Path target, byte[] bytes) throws IOException {
        Path abs = target.toAbsolutePath();
        Path tmp = tempBeside(abs);
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) out.write(b);
                out.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException x) {
            Files.deleteIfExists(tmp);
            throw x;
        }
        syncDirectory(abs.getParent());
    }

    /** Makes renames in {@code dir} durable where the platform allows opening a directory (Linux does). */
    public static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not possible on every OS/filesystem; the files themselves are already complete
        }
    }
}
