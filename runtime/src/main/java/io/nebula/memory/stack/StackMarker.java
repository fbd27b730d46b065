package io.nebula.memory.stack;

/**
 * A saved state of a {@link StackAllocator}, taken by {@link StackAllocator#marker()} and given back to
 * {@link StackAllocator#release(StackMarker)}, which pops every allocation made after it.
 *
 * <p>A marker stays valid for as long as every allocation that was live when it was taken is still live; it
 * survives being released to, so it can be released again. Once one of those allocations is popped (by a
 * deallocation, the release of an older marker, or a reset) the marker is discarded for good, even if the stack
 * later grows past its depth again. A marker taken on an empty stack covers no allocation and so stays valid
 * until the stack is closed, across resets: releasing it empties the stack.
 *
 * <p>On a thread-safe stack a marker is global: it covers what every thread allocated before it, and releasing
 * it pops what every thread allocated after it.
 *
 * <p>Immutable. Holds no native memory: dropping a marker without releasing it costs nothing.
 */
public final class StackMarker {

    final StackAllocator owner;
    final int depth;
    /** Serial number of the allocation just below the marker, or 0 when {@link #depth} is 0. */
    final long below;
    final long offset;

    StackMarker(StackAllocator owner, int depth, long below, long offset) {
        this.owner = owner;
        this.depth = depth;
        this.below = below;
        this.offset = offset;
    }

    /**
     * Returns the number of allocations that were live when the marker was taken: what
     * {@link StackAllocator#depth()} returns again after a release.
     *
     * @return the saved depth
     */
    public int depth() {
        return depth;
    }

    /**
     * Returns the stack's used bytes when the marker was taken: what {@link StackAllocator#usedBytes()} returns
     * again after a release.
     *
     * @return the saved top offset
     */
    public long offset() {
        return offset;
    }

    @Override
    public String toString() {
        return "StackMarker[depth=" + depth + ", offset=" + offset + "]";
    }
}
