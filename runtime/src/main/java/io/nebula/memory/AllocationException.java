package io.nebula.memory;

import io.nebula.memory.internal.Events;

import java.util.ArrayList;
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
 *    3. Use a PoolAllocator with allowGrowth when the total is not known in advance.
 * }</pre>
 *
 * <p>A failed call never changes the allocator's state: after catching this exception the allocator is exactly as
 * it was before the call.
 */
public final class AllocationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

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

    private AllocationException(Builder builder) {
        super(format(builder));
        this.code = builder.code;
        this.allocator = builder.allocator;
        this.request = builder.request;
        this.availableBytes = builder.availableBytes;
        this.usedBytes = builder.usedBytes;
        this.details = builder.details;
        this.suggestions = builder.suggestions.toArray(String[]::new);
    }

    /**
     * Starts building an exception with the given code.
     *
     * @param code what went wrong
     * @return a builder
     */
    public static Builder builder(ErrorCode code) {
        return new Builder(code);
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

    private static String format(Builder b) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("Memory allocation error: ").append(b.code.title()).append(" [").append(b.code.name()).append(']');
        if (!b.allocator.isEmpty()) {
            sb.append("\n   Allocator: ").append(b.allocator);
        }
        if (b.request != null) {
            sb.append("\n   Layout:    ").append(b.request.byteSize()).append(" bytes (alignment ")
                    .append(b.request.byteAlignment()).append(')');
        }
        if (b.availableBytes >= 0 || b.usedBytes >= 0) {
            sb.append("\n   Memory:    ").append(b.availableBytes >= 0 ? b.availableBytes + " bytes available" : "?")
                    .append(", ").append(b.usedBytes >= 0 ? b.usedBytes + " bytes used" : "?");
        }
        if (!b.details.isEmpty()) {
            sb.append("\n   Details:   ").append(b.details);
        }
        sb.append("\nSuggestions:");
        for (int i = 0; i < b.suggestions.size(); i++) {
            sb.append("\n   ").append(i + 1).append(". ").append(b.suggestions.get(i));
        }
        return sb.toString();
    }

    /** Collects the parts of an {@link AllocationException}. */
    public static final class Builder {
        private final ErrorCode code;
        private String allocator = "";
        private Request request;
        private long availableBytes = -1;
        private long usedBytes = -1;
        private String details = "";
        private final List<String> suggestions = new ArrayList<>(4);

        private Builder(ErrorCode code) {
            this.code = Objects.requireNonNull(code, "code");
        }

        /**
         * Names the allocator that failed.
         *
         * @param description the allocator's {@code toString()}
         * @return this builder
         */
        public Builder allocator(String description) {
            this.allocator = Objects.requireNonNull(description, "description");
            return this;
        }

        /**
         * Records the request that failed.
         *
         * @param byteSize      requested size
         * @param byteAlignment requested alignment
         * @return this builder
         */
        public Builder request(long byteSize, long byteAlignment) {
            this.request = new Request(byteSize, byteAlignment);
            return this;
        }

        /**
         * Records the allocator's memory state.
         *
         * @param available bytes available
         * @param used      bytes used
         * @return this builder
         */
        public Builder memory(long available, long used) {
            this.availableBytes = available;
            this.usedBytes = used;
            return this;
        }

        /**
         * Sets the detail sentence.
         *
         * @param text the numbers and objects involved
         * @return this builder
         */
        public Builder details(String text) {
            this.details = Objects.requireNonNull(text, "text");
            return this;
        }

        /**
         * Adds a suggestion; they are numbered in the order added.
         *
         * @param suggestion what the user can do
         * @return this builder
         */
        public Builder suggest(String suggestion) {
            suggestions.add(Objects.requireNonNull(suggestion, "suggestion"));
            return this;
        }

        /**
         * Builds the exception, and records it as a {@value io.nebula.memory.jfr.AllocationErrorEvent#NAME} flight-recorder event when
         * that event is enabled.
         *
         * @return the exception
         * @throws IllegalStateException when no suggestion was added
         */
        public AllocationException build() {
            if (suggestions.isEmpty()) {
                throw new IllegalStateException("an AllocationException must suggest what to do");
            }
            AllocationException error = new AllocationException(this);
            Events.allocationError(error);
            return error;
        }
    }
}
