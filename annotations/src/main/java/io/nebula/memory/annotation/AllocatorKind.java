package io.nebula.memory.annotation;

/**
 * The allocator an {@link Allocator @Allocator} class owns, and what a {@link MemoryScope @MemoryScope} does with
 * it.
 */
public enum AllocatorKind {
    /**
     * A {@code BumpAllocator} of {@link Allocator#size()} bytes: any size of allocation, a pointer bump each. A
     * scope is the arena's own {@code scope()}: closing it on exit releases everything allocated inside in O(1).
     */
    BUMP,
    /**
     * A {@code PoolAllocator} of {@link Allocator#blockCount()} blocks of one size: every {@link Alloc @Alloc}
     * takes exactly one block. A scope is the pool's own {@code scope()}: it records the blocks the thread takes
     * inside it and gives them back on exit, newest first, in O(blocks), through the pool's checks (in checked
     * mode, a view kept past the scope throws).
     */
    POOL,
    /**
     * A {@code StackAllocator} of {@link Allocator#size()} bytes. A scope is the stack's own {@code scope()}:
     * closing it on exit pops everything allocated inside in O(1).
     */
    STACK
}
