package io.nebula.memory.compression;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The checks on segments that callers pass in, made before any codec touches them, so that a closed arena, a
 * segment of another thread's confined arena or a destination too small is a typed error that says what to do, not
 * an exception from inside a codec.
 */
final class Segments {

    private Segments() {
    }

    /**
     * Checks a segment to compress.
     *
     * @throws CompressionException {@link CompressionError#INACCESSIBLE_SEGMENT} or
     *     {@link CompressionError#TOO_LARGE}
     */
    static void checkInput(MemorySegment data, Object source) {
        Objects.requireNonNull(data, "data");
        checkAccessible(data, "data", source);
        if (data.byteSize() > BlockFormat.MAX_RAW_BYTES) {
            throw BlockFormat.error(CompressionError.TOO_LARGE, source, -1,
                    "the data has " + data.byteSize() + " bytes; one block holds at most "
                            + BlockFormat.MAX_RAW_BYTES + " (1 GiB)",
                    "Split the data and put each part as a block of its own.");
        }
    }

    /**
     * Checks a segment to decompress {@code rawLength} bytes into, and returns the part that will be written.
     *
     * @return {@code destination}, or its first {@code rawLength} bytes
     * @throws CompressionException {@link CompressionError#INACCESSIBLE_SEGMENT} or
     *     {@link CompressionError#INVALID_DESTINATION}
     */
    static MemorySegment checkDestination(MemorySegment destination, long rawLength, Object source) {
        Objects.requireNonNull(destination, "destination");
        checkAccessible(destination, "destination", source);
        if (destination.isReadOnly()) {
            throw BlockFormat.error(CompressionError.INVALID_DESTINATION, source, -1,
                    "the destination segment is read-only",
                    "Pass a writable segment, or get(handle, allocator) to have one allocated.");
        }
        if (destination.byteSize() < rawLength) {
            throw BlockFormat.error(CompressionError.INVALID_DESTINATION, source, -1,
                    "the data has " + rawLength + " bytes but the destination only " + destination.byteSize(),
                    "Pass a segment of at least decompressedSize(handle) = " + rawLength + " bytes.",
                    "Or call get(handle, allocator), which allocates exactly what is needed.");
        }
        return destination.byteSize() == rawLength ? destination : destination.asSlice(0, rawLength);
    }

    /**
     * Checks that a segment is alive and accessible from the calling thread.
     *
     * @throws CompressionException {@link CompressionError#INACCESSIBLE_SEGMENT}
     */
    static void checkAccessible(MemorySegment segment, String what, Object source) {
        if (!segment.scope().isAlive()) {
            throw BlockFormat.error(CompressionError.INACCESSIBLE_SEGMENT, source, -1,
                    "the " + what + " segment's arena is closed",
                    "Pass a segment whose arena or allocator is still open.");
        }
        if (!segment.isAccessibleBy(Thread.currentThread())) {
            throw BlockFormat.error(CompressionError.INACCESSIBLE_SEGMENT, source, -1,
                    "the " + what + " segment belongs to a confined arena of another thread ("
                            + Thread.currentThread().getName() + " called)",
                    "Call from the thread that owns the segment's arena, or use a shared arena.");
        }
    }
}
