package io.nebula.memory.compression;

import java.util.List;
import java.util.Objects;

/**
 * The one exception of the compression module: what happened ({@link #code()}), where ({@link #source()}), the
 * numbers involved and what to do about it. A corrupt, truncated or foreign input always ends here: never in a
 * crash, never in wrong data.
 *
 * <p>Its message reads like the allocators' {@link io.nebula.memory.AllocationException}:
 * <pre>{@code
 * Compression error: Corrupt data [CORRUPT_DATA]
 *    Source:    snapshot container of 1071 bytes
 *    Offset:    20
 *    Details:   the CRC32C of the header and payload is 0x5d0f3c1e but the header records 0x9a41c2b7
 * Suggestions:
 *    1. Do not use this data: it changed after it was written (a storage or transfer error, or a stray write).
 *    2. Take the snapshot again from the source, or restore an older copy.
 * }</pre>
 *
 * <p>A failed call leaves the store, the arena or the destination's bytes outside the failed range as they were,
 * except where a method documents otherwise.
 */
public final class CompressionException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final CompressionError code;
    private final String source;
    private final long offset;
    private final String details;
    private final String[] suggestions;

    /**
     * Creates the exception from its parts; its message is rendered from them.
     *
     * @param code        what went wrong
     * @param source      what was being read or written, such as a store's {@code toString()}; empty when none
     * @param offset      the byte offset in the input where the problem was found, or {@code -1}
     * @param details     the numbers and objects involved; empty when none
     * @param suggestions what to do about it, most likely fix first; at least one
     * @param cause       the codec's own exception, or {@code null}
     * @throws IllegalArgumentException when {@code suggestions} is empty
     */
    public CompressionException(CompressionError code, String source, long offset, String details,
                                List<String> suggestions, Throwable cause) {
        super(format(Objects.requireNonNull(code, "code"), Objects.requireNonNull(source, "source"), offset,
                Objects.requireNonNull(details, "details"), List.copyOf(suggestions)), cause);
        if (suggestions.isEmpty()) {
            throw new IllegalArgumentException("a CompressionException must suggest what to do");
        }
        this.code = code;
        this.source = source;
        this.offset = offset;
        this.details = details;
        this.suggestions = suggestions.toArray(String[]::new);
    }

    /**
     * Returns what went wrong.
     *
     * @return the error code
     */
    public CompressionError code() {
        return code;
    }

    /**
     * Returns what was being read or written, such as {@code CompressedStore[codec=LZ4, blocks=3, ...]}.
     *
     * @return the source, or an empty string
     */
    public String source() {
        return source;
    }

    /**
     * Returns the byte offset in the input (a block or a snapshot container) where the problem was found.
     *
     * @return the offset, or {@code -1} when the error concerns no position
     */
    public long offset() {
        return offset;
    }

    /**
     * Returns the detail sentence: the specific numbers involved.
     *
     * @return the details, or an empty string
     */
    public String details() {
        return details;
    }

    /**
     * Returns what to do about the error, most likely fix first.
     *
     * @return the suggestions, never empty
     */
    public List<String> suggestions() {
        return List.of(suggestions);
    }

    private static String format(CompressionError code, String source, long offset, String details,
                                 List<String> suggestions) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("Compression error: ").append(code.title()).append(" [").append(code.name()).append(']');
        if (!source.isEmpty()) {
            sb.append("\n   Source:    ").append(source);
        }
        if (offset >= 0) {
            sb.append("\n   Offset:    ").append(offset);
        }
        if (!details.isEmpty()) {
            sb.append("\n   Details:   ").append(details);
        }
        sb.append("\nSuggestions:");
        for (int i = 0; i < suggestions.size(); i++) {
            sb.append("\n   ").append(i + 1).append(". ").append(suggestions.get(i));
        }
        return sb.toString();
    }
}
