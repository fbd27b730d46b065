package io.nebula.memory.stack;

import io.nebula.memory.Checkpoint;

/**
 * A saved state of a {@link StackAllocator}, taken by {@link StackAllocator#checkpoint()} and given back to
 * {@link StackAllocator#restore(Checkpoint)}, which pops every allocation made after it.
 *
 * <p>Immutable, and final so that a restore's type check is one compare. Valid for as long as every allocation that
 * was live when it was taken is still live: the allocation just below it (the {@link #depth()}-th) still carries
 * the serial number {@link #below}. Holds no native memory: dropping a checkpoint without restoring it costs
 * nothing.
 */
final class StackCheckpoint implements Checkpoint {

    /** The stack that took the checkpoint. */
    final StackAllocator owner;
    /** The number of live allocations when the checkpoint was taken. */
    final int depth;
    /** The serial number of the allocation just below the checkpoint, or 0 when {@link #depth} is 0. */
    final long below;
    /** The stack's used bytes when the checkpoint was taken. */
    final long usedBytes;

    StackCheckpoint(StackAllocator owner, int depth, long below, long usedBytes) {
        this.owner = owner;
        this.depth = depth;
        this.below = below;
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
