package io.nebula.memory;

/**
 * A saved position of an allocator that allocates in order, the {@code BumpAllocator} and the
 * {@code StackAllocator}: taken by their {@code checkpoint()} and given back to their {@code restore(Checkpoint)},
 * which releases everything allocated since.
 *
 * <p>Checkpoints nest like a stack. Restoring one discards every checkpoint taken after it; each allocator
 * documents when a checkpoint is discarded otherwise (a reset, a deallocation below it). A discarded checkpoint,
 * or one taken on another allocator, cannot be restored: {@code restore} throws
 * {@link ErrorCode#INVALID_CHECKPOINT}. Only the allocators create checkpoints; dropping one without restoring it
 * costs nothing.
 */
public interface Checkpoint {

    /**
     * Returns the allocator's used bytes when the checkpoint was taken: what {@link MemoryUsage#usedBytes()}
     * returns again after it is restored.
     *
     * @return the saved used bytes, padding included
     */
    long usedBytes();

    /**
     * Returns the checkpoint's nesting depth: how many checkpoints or allocations (for a stack) lie below it.
     *
     * @return the depth, 0 for the outermost
     */
    int depth();
}
