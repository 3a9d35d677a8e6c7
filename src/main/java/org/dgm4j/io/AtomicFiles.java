package org.dgm4j.io;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Temporary files for write-then-rename, readable like any file the user writes (not 0600). */
final class AtomicFiles {
    private AtomicFiles() {}

    /** A new empty file in target's folder, to be renamed onto target once complete. */
    static Path tempBeside(Path target) throws IOException {
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName() + ".", ".tmp");
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        }
        return tmp;
    }
}
