package io.nebula.memory;

/**
 * A snapshot of an allocator's counters, taken by {@link StatisticsProvider#statistics()}.
 *
 * <p>Bytes are counted in one unit on both sides: the bytes of the allocator's memory each allocation takes, which
 * is the request plus the alignment padding before it (and, on a growable arena, the unused tail of a chunk it moved
 * past), or a whole block for a pool. A thread-safe arena counts each thread buffer in full when a thread reserves
 * it, as its {@code usedBytes()} does, and the allocations made inside the buffer only in {@code allocations}. Hence
 * {@code bytesAllocated - bytesFreed == currentBytes} once the threads that allocate are done, and the two are equal
 * after everything is released.
 *
 * @param allocations       successful allocations
 * @param deallocations     successful deallocations, the blocks a pool's scope gives back included (bulk releases by
 *                          a reset, a checkpoint restore or an arena's or stack's scope close are not counted here;
 *                          see {@code resets})
 * @param bytesAllocated    bytes taken by successful allocations, padding and whole pool blocks included
 * @param bytesFreed        bytes given back, by deallocation or bulk release, in the same unit
 * @param currentBytes      bytes in use now, padding included (as {@link MemoryUsage#usedBytes()})
 * @param peakBytes         the largest {@code currentBytes} seen
 * @param failedAllocations allocations that threw
 * @param resets            bulk releases: resets, checkpoint restores and the closes of an arena's or a stack's
 *                          scopes
 * @param growths           chunks added by a growing pool or a growable arena
 * @param wastedBytes       bytes of a thread-safe arena that no allocation will get until they are released: the
 *                          unused rest of each thread buffer a thread gave up for a new one because a request did
 *                          not fit in it (counted in {@code bytesAllocated} and {@code currentBytes} as well, as
 *                          alignment padding is); always 0 for other allocators
 */
public record AllocationStatistics(
        long allocations,
        long deallocations,
        long bytesAllocated,
        long bytesFreed,
        long currentBytes,
        long peakBytes,
        long failedAllocations,
        long resets,
        long growths,
        long wastedBytes) {

    /**
     * Renders the snapshot as a JSON object, with the component names as keys.
     *
     * @return a JSON object such as {@code {"allocations":3,"deallocations":1,...}}
     */
    public String toJson() {
        return "{\"allocations\":" + allocations
                + ",\"deallocations\":" + deallocations
                + ",\"bytesAllocated\":" + bytesAllocated
                + ",\"bytesFreed\":" + bytesFreed
                + ",\"currentBytes\":" + currentBytes
                + ",\"peakBytes\":" + peakBytes
                + ",\"failedAllocations\":" + failedAllocations
                + ",\"resets\":" + resets
                + ",\"growths\":" + growths
                + ",\"wastedBytes\":" + wastedBytes
                + "}";
    }
}
