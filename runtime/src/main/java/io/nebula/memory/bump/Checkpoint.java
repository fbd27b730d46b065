package io.nebula.memory.bump;

/**
 * A saved position of a {@link BumpAllocator}, taken by {@link BumpAllocator#checkpoint()} and given back to
 * {@link BumpAllocator#restore(Checkpoint)}.
 *
 * <p>Checkpoints nest like a stack. Restoring one releases what was allocated since, and discards it together with
 * every checkpoint taken after it; a reset discards all. A discarded checkpoint, or one from another allocator,
 * cannot be restored.
 */
public final class Checkpoint {

    final BumpAllocator owner;
    final long id;
    final int depth;
    final long offset;

    Checkpoint(BumpAllocator owner, long id, int depth, long offset) {
        this.owner = owner;
        this.id = id;
        this.depth = depth;
        this.offset = offset;
    }

    /**
     * Returns the allocator's used bytes when the checkpoint was taken: what {@code usedBytes()} returns again
     * after a restore.
     *
     * @return the saved offset
     */
    public long offset() {
        return offset;
    }

    /**
     * Returns the nesting depth: 0 for the outermost live checkpoint.
     *
     * @return the depth
     */
    public int depth() {
        return depth;
    }

    @Override
    public String toString() {
        return "Checkpoint[#" + id + ", depth=" + depth + ", offset=" + offset + "]";
    }
}
