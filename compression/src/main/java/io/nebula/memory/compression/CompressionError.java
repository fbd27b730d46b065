package io.nebula.memory.compression;

/** What went wrong in a {@link CompressionException}. */
public enum CompressionError {
    /**
     * A block's bytes are not what was written: its checksum does not match, its header is not a block header, or
     * the codec rejected its payload. The data must not be used.
     */
    CORRUPT_DATA("Corrupt data"),
    /** The input ends before the block it describes: fewer bytes than its header says. */
    TRUNCATED("Truncated input"),
    /**
     * A length disagrees with another: trailing bytes after a block, a payload that decompresses to another length
     * than the header records, or a stored block whose length differs from what the store placed.
     */
    SIZE_MISMATCH("Size mismatch"),
    /** The header names a codec this version does not know, or a format version it cannot read. */
    UNSUPPORTED_FORMAT("Unsupported format"),
    /**
     * The codec cannot run in the implementation asked for: its native library cannot be used in this JVM (see
     * {@link CodecImplementation#NATIVE}), or it has no Java implementation (Zstandard, see
     * {@link Codec#hasJavaImplementation()}).
     */
    CODEC_UNAVAILABLE("Codec unavailable"),
    /** The input is larger than one block can hold (1 GiB), or the store holds its most blocks (2<sup>28</sup>). */
    TOO_LARGE("Input too large"),
    /** The destination segment is read-only or smaller than the data. */
    INVALID_DESTINATION("Invalid destination"),
    /** A segment given to compress is no longer alive or not accessible from this thread. */
    INACCESSIBLE_SEGMENT("Inaccessible segment"),
    /** A handle that this store did not issue, or whose block was freed. */
    INVALID_HANDLE("Invalid handle"),
    /** An arena cannot be snapshotted or restored as it is: not empty, too small, or in checked mode. */
    INCOMPATIBLE_ARENA("Incompatible arena"),
    /** The store was used after {@code close()}. */
    CLOSED("Store closed"),
    /** A confined store was used from a thread other than the one that created it. */
    WRONG_THREAD("Wrong thread");

    private final String title;

    CompressionError(String title) {
        this.title = title;
    }

    /**
     * Returns a short human-readable title, used as the first line of error messages.
     *
     * @return the title
     */
    public String title() {
        return title;
    }
}
