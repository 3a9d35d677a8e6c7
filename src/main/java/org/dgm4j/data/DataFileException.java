package org.dgm4j.data;

/**
 * A data or checkpoint file that cannot be used: missing, unreadable, truncated or malformed. The
 * message always names the file and, where the problem has a position, the byte offset, what was
 * expected there and what was found, so a user can tell a bad download from a bug.
 *
 * <p>Unchecked because a training run can do nothing sensible with a corrupt file but stop with the
 * message; callers that can recover (try another checkpoint) catch it explicitly.
 */
public class DataFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final long offset;

    /** A problem at byte {@code offset} of {@code file}; use offset -1 when there is no position. */
    public DataFileException(String file, long offset, String problem) {
        this(file, offset, problem, null);
    }

    public DataFileException(String file, long offset, String problem, Throwable cause) {
        super(file + (offset >= 0 ? ": byte " + offset : "") + ": " + problem, cause);
        this.file = file;
        this.offset = offset;
    }

    /** The file as the caller named it. */
    public String file() {
        return file;
    }

    /** Byte offset of the problem, or -1 when it has no position (file missing, for instance). */
    public long offset() {
        return offset;
    }
}
