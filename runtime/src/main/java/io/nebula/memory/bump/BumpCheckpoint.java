package io.nebula.memory.bump;

import io.nebula.memory.Checkpoint;

/**
 * A saved position of a {@link BumpAllocator}: what {@link BumpAllocator#checkpoint()} returns and
 * {@link BumpAllocator#restore(Checkpoint)} takes back.
 *
 * <p>Invariants: immutable; {@code owner} is the allocator that took it, {@code depth} its index in that
 * allocator's stack of live checkpoints, {@code id} unique among the owner's checkpoints (so a checkpoint that was
 * discarded and whose depth was reused is told apart), {@code usedBytes} the owner's {@code usedBytes()} when taken.
 * Final and small, so that a restore's type check is one comparison and the JIT can scalar-replace a checkpoint
 * that does not escape.
 */
final class BumpCheckpoint implements Checkpoint {

    final BumpAllocator owner;
    final long id;
    final int depth;
    final long usedBytes;

    BumpCheckpoint(BumpAllocator owner, long id, int depth, long usedBytes) {
        this.owner = owner;
        this.id = id;
        this.depth = depth;
        this.usedBytes = usedBytes;
    }

    @Override
    public long usedBytes() {
        return usedBytes;
    }

    @Override
    public int depth() {
        return depth;
    }

    @Override
    public String toString() {
        return "Checkpoint[#" + id + ", depth=" + depth + ", usedBytes=" + usedBytes + "]";
    }
}
