package io.nebula.memory.bump;

import io.nebula.memory.Checkpoint;

/**
 * A saved position of a {@link BumpAllocator}: what {@link BumpAllocator#checkpoint()} returns and
 * {@link BumpAllocator#restore(Checkpoint)} takes back.
 *
 * <p>Invariants: immutable; {@code owner} is the allocator that took it, {@code depth} its index in that
 * allocator's stack of live frames, {@code epoch} the stack's epoch when it was taken (a checkpoint that was
 * discarded, and whose depth was reused, is told apart by it: see {@link CheckpointStack}). The position is kept as
 * the owner's used bytes at the start of the chunk it was taken in ({@code chunkStart}, 0 on a fixed arena) and the
 * bytes used in that chunk ({@code top}), so that restoring within the same chunk stores {@code top} back as it is,
 * with no arithmetic between one checkpoint and the next; {@link #usedBytes()} adds them. A live checkpoint's
 * {@code chunkStart} names its chunk: the chunks before the current one do not change while checkpoints in them are
 * live. Final and small, so that a restore's type check is one comparison and the JIT can scalar-replace a
 * checkpoint that does not escape.
 */
final class BumpCheckpoint implements Checkpoint {

    final BumpAllocator owner;
    final long epoch;
    final int depth;
    final long chunkStart;
    final long top;

    BumpCheckpoint(BumpAllocator owner, long epoch, int depth, long chunkStart, long top) {
        this.owner = owner;
        this.epoch = epoch;
        this.depth = depth;
        this.chunkStart = chunkStart;
        this.top = top;
    }

    @Override
    public long usedBytes() {
        return chunkStart + top;
    }

    @Override
    public int depth() {
        return depth;
    }

    @Override
    public String toString() {
        return "Checkpoint[depth=" + depth + ", usedBytes=" + usedBytes() + "]";
    }
}
