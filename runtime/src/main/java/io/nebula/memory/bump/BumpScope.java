package io.nebula.memory.bump;

import io.nebula.memory.Scope;

/**
 * The scoped form of a {@link BumpAllocator}: a checkpoint that restores itself when the scope closes. What
 * {@link BumpAllocator#scope()} returns.
 *
 * <p>Invariants: {@code closed} becomes {@code true} only once the restore succeeded, so a close that failed (from
 * the wrong thread, say) leaves the scope open and can be retried; once closed, closing again does nothing. Final
 * and small, so that a scope that does not escape costs no heap allocation.
 */
final class BumpScope implements Scope {

    private final BumpAllocator allocator;
    private final BumpCheckpoint checkpoint;
    private boolean closed;

    BumpScope(BumpAllocator allocator, BumpCheckpoint checkpoint) {
        this.allocator = allocator;
        this.checkpoint = checkpoint;
    }

    @Override
    public void close() {
        if (!closed) {
            allocator.closeScope(checkpoint);
            closed = true;
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "Scope[" + checkpoint + (closed ? ", closed" : "") + "]";
    }
}
