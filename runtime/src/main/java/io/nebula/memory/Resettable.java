package io.nebula.memory;

/** An allocator whose allocations can all be released at once. */
public interface Resettable {

    /**
     * Releases every allocation at once. Segments handed out before the call must not be used afterwards: their
     * bytes will be handed out again. Each allocator documents the cost of this call.
     */
    void reset();
}
