package io.nebula.memory.internal;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ConfigOrigin;
import io.nebula.memory.ErrorCode;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Collects the parts of an {@link AllocationException}: the runtime's own way of writing one, part by part.
 * Building has no side effect; the allocator that throws the result records it with
 * {@link Events#allocationError(AllocationException)}.
 */
public final class Failure {

    /** Where {@link #suggest(ConfigOrigin, String, String)} puts the annotated class's name. */
    public static final String ANNOTATED_CLASS = "{class}";

    private final ErrorCode code;
    private String allocator = "";
    private long byteSize;
    private long byteAlignment;
    private boolean hasRequest;
    private long availableBytes = -1;
    private long usedBytes = -1;
    private String details = "";
    private final List<String> suggestions = new ArrayList<>(4);
    private Throwable cause;

    private Failure(ErrorCode code) {
        this.code = Objects.requireNonNull(code, "code");
    }

    /**
     * Starts an exception with the given code.
     *
     * @param code what went wrong
     * @return a builder
     */
    public static Failure of(ErrorCode code) {
        return new Failure(code);
    }

    /**
     * Names the allocator that failed.
     *
     * @param description the allocator's {@code toString()}
     * @return this builder
     */
    public Failure allocator(String description) {
        this.allocator = Objects.requireNonNull(description, "description");
        return this;
    }

    /**
     * Records the request that failed.
     *
     * @param size      requested size
     * @param alignment requested alignment
     * @return this builder
     */
    public Failure request(long size, long alignment) {
        this.byteSize = size;
        this.byteAlignment = alignment;
        this.hasRequest = true;
        return this;
    }

    /**
     * Records the allocator's memory state.
     *
     * @param available bytes available
     * @param used      bytes used
     * @return this builder
     */
    public Failure memory(long available, long used) {
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
    public Failure details(String text) {
        this.details = Objects.requireNonNull(text, "text");
        return this;
    }

    /**
     * Adds a suggestion; they are numbered in the order added.
     *
     * @param suggestion what the user can do
     * @return this builder
     */
    public Failure suggest(String suggestion) {
        suggestions.add(Objects.requireNonNull(suggestion, "suggestion"));
        return this;
    }

    /**
     * Adds a suggestion to change a setting, worded for where the configuration was written (see
     * {@link ConfigOrigin}): {@code inCode} names the factory or config method to call; {@code onAnnotation} the
     * {@code @Allocator} attribute to change, with {@value #ANNOTATED_CLASS} where the annotated class's name goes.
     *
     * @param origin       where the allocator's configuration was written
     * @param inCode       the suggestion for a configuration written in code
     * @param onAnnotation the suggestion for one generated from {@code @Allocator}, or {@code null} when the
     *                     annotation cannot express the change: then nothing is added for it
     * @return this builder
     */
    public Failure suggest(ConfigOrigin origin, String inCode, String onAnnotation) {
        Objects.requireNonNull(inCode, "inCode");
        return origin.annotatedClass()
                .map(annotated -> onAnnotation == null ? this
                        : suggest(onAnnotation.replace(ANNOTATED_CLASS, annotated)))
                .orElseGet(() -> suggest(inCode));
    }

    /**
     * Sets the cause: the error of the system or the JDK that the exception reports.
     *
     * @param error the underlying error
     * @return this builder
     */
    public Failure cause(Throwable error) {
        this.cause = Objects.requireNonNull(error, "error");
        return this;
    }

    /**
     * Builds the exception. Records nothing: see the class documentation.
     *
     * @return the exception
     * @throws IllegalStateException when no suggestion was added
     */
    public AllocationException build() {
        if (suggestions.isEmpty()) {
            throw new IllegalStateException("an AllocationException must suggest what to do");
        }
        AllocationException e = new AllocationException(code, allocator,
                hasRequest ? new AllocationException.Request(byteSize, byteAlignment) : null,
                availableBytes, usedBytes, details, suggestions);
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }
}
