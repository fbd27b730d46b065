package io.nebula.memory.management;

/**
 * The JMX view of one allocator. Figures of a confined allocator are read without synchronisation from the JMX
 * thread: they may be a moment stale, never torn. Statistics attributes read {@code -1} when the allocator does not
 * track statistics.
 */
public interface AllocatorMXBean {

    /**
     * Returns the allocator's description, such as {@code BumpAllocator[capacity=4096, used=64]}.
     *
     * @return the description
     */
    String getDescription();

    /**
     * Returns the bytes in use.
     *
     * @return used bytes
     */
    long getUsedBytes();

    /**
     * Returns the bytes available without growing.
     *
     * @return available bytes
     */
    long getAvailableBytes();

    /**
     * Returns the native memory owned.
     *
     * @return capacity in bytes
     */
    long getCapacityBytes();

    /**
     * Returns whether the allocator is closed.
     *
     * @return {@code true} once closed
     */
    boolean isClosed();

    /**
     * Returns the successful allocations, or -1 when not tracked.
     *
     * @return the count
     */
    long getAllocations();

    /**
     * Returns the successful deallocations, or -1 when not tracked.
     *
     * @return the count
     */
    long getDeallocations();

    /**
     * Returns the largest number of bytes in use seen, or -1 when not tracked.
     *
     * @return peak bytes
     */
    long getPeakBytes();

    /**
     * Returns the failed allocations, or -1 when not tracked.
     *
     * @return the count
     */
    long getFailedAllocations();

    /**
     * Returns the bulk releases (resets, checkpoint restores, arena and stack scope closes), or -1 when not tracked.
     *
     * @return the count
     */
    long getResets();

    /**
     * Returns the bytes of a thread-safe arena's thread buffers given up unused (see
     * {@link io.nebula.memory.AllocationStatistics#wastedBytes()}), or -1 when not tracked.
     *
     * @return wasted bytes
     */
    long getWastedBytes();

    /**
     * Returns the statistics as JSON, or {@code null} when not tracked.
     *
     * @return the JSON object
     */
    String getStatisticsJson();
}
