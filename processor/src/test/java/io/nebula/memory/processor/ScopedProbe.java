package io.nebula.memory.processor;

import io.nebula.memory.MemoryUsage;

/**
 * What the {@code @Allocator} classes compiled by {@link AllocatorBehaviourTest} implement, so that the test
 * calls them directly. Every method but {@link #allocator()} and {@link #deepest()} is a {@code @MemoryScope}.
 */
public interface ScopedProbe extends AutoCloseable {
    /** The generated accessor. */
    MemoryUsage allocator();

    /** Allocates a point initialised to (x, y) and returns x + y. */
    int sum(int x, int y);

    /** Allocates, then throws {@code e}. */
    void throwUnchecked(RuntimeException e);

    /** Allocates, then throws {@code e}. */
    void throwChecked(Exception e) throws Exception;

    /** Allocates, recurses {@code depth} times, and returns the bytes in use at the deepest call. */
    long recurse(int depth);

    /** The most bytes in use seen by {@link #recurse}. */
    long deepest();

    /** Allocates, calls an inner scope that allocates, and returns whether the inner scope restored its memory. */
    boolean nested();

    /** Allocates, and returns the number of values. */
    @SuppressWarnings("unchecked")
    <T> int count(T... values);

    @Override
    void close();
}
