package io.nebula.memory.stack;

import io.nebula.memory.Checkpoint;

/**
 * A saved state of a {@link StackAllocator}, taken by {@link StackAllocator#checkpoint()} and given back to
 * {@link StackAllocator#restore(Checkpoint)}, which pops every allocation made after it.
 *
 * <p>Immutable, and final so that a restore's type check is one compare. Valid for as long as every allocation that
 * was live when it was taken is still live: no discard has reached the stack's frame at its depth (see
 * {@link StackEntries}) since the epoch it was taken in. Holds no native memory: dropping a checkpoint without
 * restoring it costs nothing (its frame is discarded once the stack is popped below its depth, or shared by the
 * next checkpoint or scope at that depth).
 */
final class StackCheckpoint implements Checkpoint {

    /** The stack that took the checkpoint. */
    final StackAllocator owner;
    /** The number of live allocations when the checkpoint was taken. */
    final int depth;
    /** The stack's epoch when the checkpoint was taken. */
    final long epoch;
    /** The stack's used bytes when the checkpoint was taken. */
    final long usedBytes;

    StackCheckpoint(StackAllocator owner, int depth, long epoch, long usedBytes) {
        this.owner = owner;
        this.depth = depth;
        this.epoch = epoch;
        this.usedBytes = usedBytes;
    }

    /**
     * {@inheritDoc}
     *
     * <p>For a stack: its top offset, padding included.
     */
    @Override
    public long usedBytes() {
        return usedBytes;
    }

    /**
     * {@inheritDoc}
     *
     * <p>For a stack: the number of allocations that were live when the checkpoint was taken, what
     * {@link StackAllocator#depth()} returns again after a restore.
     */
    @Override
    public int depth() {
        return depth;
    }

    @Override
    public String toString() {
        return "StackCheckpoint[depth=" + depth + ", usedBytes=" + usedBytes + "]";
    }
}
