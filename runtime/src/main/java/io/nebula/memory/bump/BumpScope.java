package io.nebula.memory.bump;

import io.nebula.memory.Scope;

/**
 * The scoped form of a {@link BumpAllocator}: a frame of the arena's {@link CheckpointStack} that restores itself
 * when the scope closes. What {@link BumpAllocator#scope()} returns.
 *
 * <p>The scope holds its frame itself: the depth it was opened at, the stack's epoch then (see
 * {@link CheckpointStack}), and the position to restore, as the used bytes at the start of the chunk it was opened
 * in ({@code chunkStart}, 0 on a fixed arena) and the bytes used in that chunk ({@code top}). The arena keeps only
 * its depth and the used bytes at that depth (for leak reports), so that on a confined arena opening is one store
 * of each and closing the innermost scope a comparison of the depth and the epoch and one store of each.
 *
 * <p>Invariants: {@code closed} becomes {@code true} only once the restore succeeded, so a close that failed (from
 * the wrong thread, say) leaves the scope open and can be retried; once closed, closing again does nothing. Final
 * and small, and never stored by the arena, so that a scope that does not escape costs no heap allocation.
 */
final class BumpScope implements Scope {

    private final BumpAllocator allocator;
    /** The depth of the frame: how many frames were live when the scope opened. */
    final int depth;
    /** The checkpoint stack's epoch when the scope opened. */
    final long epoch;
    /** The arena's used bytes at the start of the chunk the scope opened in; 0 on a fixed arena. */
    final long chunkStart;
    /** The bytes used in that chunk when the scope opened. */
    final long top;
    private boolean closed;

    BumpScope(BumpAllocator allocator, int depth, long epoch, long chunkStart, long top) {
        this.allocator = allocator;
        this.depth = depth;
        this.epoch = epoch;
        this.chunkStart = chunkStart;
        this.top = top;
    }

    /** A scope whose frame was pushed as {@code checkpoint}. */
    BumpScope(BumpAllocator allocator, BumpCheckpoint checkpoint) {
        this(allocator, checkpoint.depth, checkpoint.epoch, checkpoint.chunkStart, checkpoint.top);
    }

    @Override
    public void close() {
        if (!closed) {
            allocator.closeScope(this);
            closed = true;
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /** The frame as a checkpoint, for {@link BumpAllocator#restore}: the slow path of a close. */
    BumpCheckpoint checkpoint() {
        return new BumpCheckpoint(allocator, epoch, depth, chunkStart, top);
    }

    @Override
    public String toString() {
        return "Scope[depth=" + depth + ", usedBytes=" + (chunkStart + top) + (closed ? ", closed" : "") + "]";
    }
}
