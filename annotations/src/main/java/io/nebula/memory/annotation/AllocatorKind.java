package io.nebula.memory.annotation;

/**
 * The allocator an {@link Allocator @Allocator} class owns, and what a {@link MemoryScope @MemoryScope} does with
 * it.
 */
public enum AllocatorKind {
    /**
     * A {@code BumpAllocator} of {@link Allocator#size()} bytes: any size of allocation, a pointer bump each. A
     * scope takes a {@code Checkpoint} on entry and restores it on exit, releasing everything allocated inside in
     * O(1).
     */
    BUMP,
    /**
     * A {@code PoolAllocator} of {@link Allocator#blockCount()} blocks of one size: every {@link Alloc @Alloc}
     * takes exactly one block. A scope records the blocks taken inside it and gives them back on exit, newest
     * first, in O(blocks).
     */
    POOL,
    /**
     * A {@code StackAllocator} of {@link Allocator#size()} bytes. A scope takes a marker on entry and releases it
     * on exit, popping everything allocated inside in O(1).
     */
    STACK
}
