package io.nebula.memory;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The one exception the allocators throw: what happened ({@link #code()}), the request involved, the allocator's
 * memory state at the time, and what to do about it.
 *
 * <p>Its message reads like this:
 * <pre>{@code
 * Memory allocation error: Out of memory [OUT_OF_MEMORY]
 *    Allocator: BumpAllocator[capacity=4096, used=3968]
 *    Layout:    512 bytes (alignment 8)
 *    Memory:    128 bytes available, 3968 bytes used
 *    Details:   the request needs 512 bytes at offset 3968 but only 128 bytes remain
 * Suggestions:
 *    1. Increase the capacity to at least 4480 bytes (BumpAllocator.create(4480)).
 *    2. Call reset(), or restore a checkpoint, to reclaim memory that is no longer needed.
 *    3. Make the arena growable when the total is not known in advance:
 *       BumpConfig.defaults().withGrowth(maxChunkBytes, limitBytes).
 * }</pre>
 * The message puts each suggestion on one line; the third is wrapped here.
 *
 * <p>A failed call never changes the allocator's state: after catching this exception the allocator is exactly as
 * it was before the call.
 *
 * <p>The exception is a plain value: creating one has no side effect. The library's allocators record a
 * {@code nebula.memory.AllocationError} flight-recorder event where they throw it. The constructor is public so
 * that an {@link Allocator} of your own can honour the interface's contract, which says every failure is an
 * {@code AllocationException}.
 */
public final class AllocationException extends RuntimeException {

    private static final long serialVersionUID = 2L;

    /**
     * The size and alignment of the request that failed.
     *
     * @param byteSize      the requested size in bytes
     * @param byteAlignment the requested alignment in bytes
     */
    public record Request(long byteSize, long byteAlignment) implements java.io.Serializable { }

    private final ErrorCode code;
    private final String allocator;
    private final Request request;
    private final long availableBytes;
    private final long usedBytes;
    private final String details;
    private final String[] suggestions;

    /**
     * Creates the exception from its parts; its message is rendered from them.
     *
     * @param code           what went wrong
     * @param allocator      a description of the allocator, such as its {@code toString()}; empty when none
     * @param request        the request that failed, or {@code null} when the error concerns no request
     * @param availableBytes the bytes available when the error happened, or {@code -1} when not known
     * @param usedBytes      the bytes in use when the error happened, or {@code -1} when not known
     * @param details        the numbers and objects involved; empty when none
     * @param suggestions    what to do about it, most likely fix first; at least one
     * @throws IllegalArgumentException when {@code suggestions} is empty
     * @throws NullPointerException     when {@code code}, {@code allocator}, {@code details}, {@code suggestions} or
     *     one of the suggestions is {@code null}
     */
    public AllocationException(ErrorCode code, String allocator, Request request, long availableBytes,
                               long usedBytes, String details, List<String> suggestions) {
        super(format(Objects.requireNonNull(code, "code"), Objects.requireNonNull(allocator, "allocator"), request,
                availableBytes, usedBytes, Objects.requireNonNull(details, "details"),
                List.copyOf(suggestions)));
        if (suggestions.isEmpty()) {
            throw new IllegalArgumentException("an AllocationException must suggest what to do");
        }
        this.code = code;
        this.allocator = allocator;
        this.request = request;
        this.availableBytes = availableBytes;
        this.usedBytes = usedBytes;
        this.details = details;
        this.suggestions = suggestions.toArray(String[]::new);
    }

    /**
     * Returns what went wrong.
     *
     * @return the error code
     */
    public ErrorCode code() {
        return code;
    }

    /**
     * Returns a description of the allocator that failed, such as {@code BumpAllocator[capacity=4096, used=64]}.
     *
     * @return the allocator's description, or an empty string when none was given
     */
    public String allocator() {
        return allocator;
    }

    /**
     * Returns the size and alignment of the request that failed, when the error concerns a request.
     *
     * @return the request, or empty
     */
    public Optional<Request> request() {
        return Optional.ofNullable(request);
    }

    /**
     * Returns the bytes that were available when the error happened, or {@code -1} when not known.
     *
     * @return available bytes
     */
    public long availableBytes() {
        return availableBytes;
    }

    /**
     * Returns the bytes that were in use when the error happened, or {@code -1} when not known.
     *
     * @return used bytes
     */
    public long usedBytes() {
        return usedBytes;
    }

    /**
     * Returns the detail sentence: the specific numbers and objects involved.
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

    private static String format(ErrorCode code, String allocator, Request request, long availableBytes,
                                 long usedBytes, String details, List<String> suggestions) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("Memory allocation error: ").append(code.title()).append(" [").append(code.name()).append(']');
        if (!allocator.isEmpty()) {
            sb.append("\n   Allocator: ").append(allocator);
        }
        if (request != null) {
            sb.append("\n   Layout:    ").append(request.byteSize()).append(" bytes (alignment ")
                    .append(request.byteAlignment()).append(')');
        }
        if (availableBytes >= 0 || usedBytes >= 0) {
            sb.append("\n   Memory:    ").append(availableBytes >= 0 ? availableBytes + " bytes available" : "?")
                    .append(", ").append(usedBytes >= 0 ? usedBytes + " bytes used" : "?");
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
