package io.nebula.memory;

/**
 * A region of a program whose allocations are given back together when it closes: the scoped form of every
 * allocator, opened by its {@code scope()} and closed by try-with-resources.
 * <pre>{@code
 * try (Scope _ = arena.scope()) {
 *     MemorySegment scratch = arena.allocate(4096);
 *     ...
 * }   // scratch is given back here, on return and on throw
 * }</pre>
 *
 * <p>What a scope gives back depends on the allocator: an arena or a stack releases everything allocated after
 * the scope opened (as restoring a {@link Checkpoint} does); a pool gives back every block that the thread which
 * opened the scope took while it was open and has not given back itself. Scopes nest; close them in reverse
 * order, as try-with-resources does. A scope belongs to the thread that opened it. A scope still open when its
 * allocator closes is reported as a leak under the allocator's {@link LeakPolicy}.
 */
public interface Scope extends AutoCloseable {

    /**
     * Gives back what the scope holds. Closing a closed scope does nothing. When closing fails, the scope stays
     * open and the allocator is unchanged.
     *
     * @throws AllocationException when the scope cannot be closed: for example {@link ErrorCode#INVALID_CHECKPOINT}
     *     when an enclosing scope was closed first, {@link ErrorCode#CLOSED} or {@link ErrorCode#WRONG_THREAD}
     */
    @Override
    void close();

    /**
     * Tells whether the scope has been closed.
     *
     * @return {@code true} once {@link #close()} succeeded
     */
    boolean isClosed();
}
