package io.nebula.memory.async;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.internal.Events;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * One value of type {@code T} in an {@link AsyncArena}'s budget: what {@link AsyncArena#allocate(HandleType)}
 * completes with. The counterpart of the Rust crate's {@code arena.alloc(42).await} and
 * {@code handle.read(|v| *v)}:
 * <pre>{@code
 * try (Handle<Integer> counter = arena.allocate(HandleType.of(ValueLayout.JAVA_INT), 42).join()) {
 *     int value = counter.read(v -> v);
 *     counter.update(v -> v + 1);
 * }   // its bytes go back to the budget
 * }</pre>
 *
 * <p>Reads and writes go straight to native memory through the type's reader and writer; a handle does no
 * locking of its own, so two threads that write one handle at once must agree on an order, as with a field.
 * {@link #close()} gives the bytes back; after it, reading or writing throws {@link ErrorCode#CLOSED}. The segment
 * from {@link #segment()} lies in the arena's block: do not use it after the handle is closed (its bytes may
 * belong to another handle by then), and it becomes inaccessible when the arena closes.
 *
 * @param <T> the type of the value
 */
public final class Handle<T> implements AutoCloseable {

    private final AsyncArena arena;
    private final HandleType<T> type;
    private final MemorySegment segment;
    private final Grant grant;

    Handle(AsyncArena arena, HandleType<T> type, MemorySegment segment, Grant grant) {
        this.arena = arena;
        this.type = type;
        this.segment = segment;
        this.grant = grant;
    }

    /**
     * Returns the type this handle was allocated for.
     *
     * @return the handle type
     */
    public HandleType<T> type() {
        return type;
    }

    /**
     * Returns the value's memory: exactly the layout's size, aligned to the layout's alignment.
     *
     * @return the segment
     * @throws AllocationException {@link ErrorCode#CLOSED} once the handle is closed
     */
    public MemorySegment segment() {
        checkOpen();
        return segment;
    }

    /**
     * Reads the value.
     *
     * @return the value, as the type's reader builds it
     * @throws AllocationException {@link ErrorCode#CLOSED} once the handle is closed
     */
    public T read() {
        checkOpen();
        return type.reader().read(segment, 0);
    }

    /**
     * Reads the value and applies {@code function} to it, like the Rust crate's {@code handle.read(|v| ...)}.
     *
     * @param function what to compute from the value
     * @param <R>      the result's type
     * @return the function's result
     * @throws AllocationException {@link ErrorCode#CLOSED} once the handle is closed
     * @throws NullPointerException when {@code function} is {@code null}
     */
    public <R> R read(Function<? super T, ? extends R> function) {
        Objects.requireNonNull(function, "function");
        return function.apply(read());
    }

    /**
     * Writes the value.
     *
     * @param value the new value
     * @throws AllocationException {@link ErrorCode#CLOSED} once the handle is closed
     * @throws NullPointerException when {@code value} is {@code null}
     */
    public void write(T value) {
        Objects.requireNonNull(value, "value");
        checkOpen();
        type.writer().write(segment, 0, value);
    }

    /**
     * Reads the value, applies {@code function} and writes the result back. Not atomic: see the class
     * documentation.
     *
     * @param function computes the new value from the old
     * @return the new value
     * @throws AllocationException {@link ErrorCode#CLOSED} once the handle is closed
     * @throws NullPointerException when {@code function} is {@code null}, or returns {@code null}
     */
    public T update(UnaryOperator<T> function) {
        Objects.requireNonNull(function, "function");
        T next = function.apply(read());
        write(next);
        return next;
    }

    /**
     * Tells whether the handle has been closed.
     *
     * @return {@code true} once closed
     */
    public boolean isClosed() {
        return grant.isReturned();
    }

    /** Gives the handle's bytes back to the arena's budget, serving waiting requests. Closing again does nothing. */
    @Override
    public void close() {
        arena.giveBack(grant);
    }

    @Override
    public String toString() {
        return "Handle[" + type.layout() + (isClosed() ? ", closed" : "") + "]";
    }

    private void checkOpen() {
        if (grant.isReturned()) {
            throw Events.allocationError(AsyncErrors.released(toString()));
        }
    }
}
