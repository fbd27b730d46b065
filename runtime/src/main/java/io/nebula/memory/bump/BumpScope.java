package io.nebula.memory.bump;

/**
 * A checkpoint that restores itself: everything allocated between {@link BumpAllocator#scope()} and
 * {@link #close()} is released on close, and the checkpoint is discarded. Scopes nest; close them in reverse
 * order, as try-with-resources does.
 * <pre>{@code
 * try (BumpScope scope = arena.scope()) {
 *     MemorySegment tmp = arena.allocate(1024);
 *     ...
 * } // tmp's bytes are released here
 * }</pre>
 *
 * <p>A scope is meant to be opened and closed by one thread. A scope still open when its arena closes is reported
 * as a leak under the arena's {@link io.nebula.memory.LeakPolicy}.
 */
public final class BumpScope implements AutoCloseable {

    private final BumpAllocator allocator;
    private final Checkpoint checkpoint;
    private boolean closed;

    BumpScope(BumpAllocator allocator, Checkpoint checkpoint) {
        this.allocator = allocator;
        this.checkpoint = checkpoint;
    }

    /**
     * Returns the checkpoint this scope restores.
     *
     * @return the checkpoint
     */
    public Checkpoint checkpoint() {
        return checkpoint;
    }

    /**
     * Releases everything allocated since the scope opened and discards its checkpoint. Closing again does
     * nothing.
     *
     * @throws io.nebula.memory.AllocationException {@link io.nebula.memory.ErrorCode#INVALID_CHECKPOINT} when an
     *     enclosing scope was closed first or the allocator was reset while this scope was open
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            allocator.restore(checkpoint);
        }
    }
}
