package io.nebula.memory.internal;

import io.nebula.memory.AllocationStatistics;

/**
 * The counters behind {@link io.nebula.memory.StatisticsProvider}. An allocator that does not track statistics
 * holds no recorder at all (a {@code null} field), so the untracked hot path pays one null check.
 *
 * <p>Two implementations: plain fields for confined allocators, striped counters for thread-safe ones.
 */
public abstract sealed class StatisticsRecorder permits ConfinedStatistics, ConcurrentStatistics {

    StatisticsRecorder() {
    }

    /**
     * Returns a recorder fit for the allocator's threading.
     *
     * @param threadSafe whether several threads record at once
     * @return a new recorder with every counter at zero
     */
    public static StatisticsRecorder create(boolean threadSafe) {
        return threadSafe ? new ConcurrentStatistics() : new ConfinedStatistics();
    }

    /**
     * Counts a successful allocation.
     *
     * @param byteSize  bytes requested
     * @param usedAfter the allocator's used bytes after the allocation, for the peak
     */
    public abstract void allocated(long byteSize, long usedAfter);

    /**
     * Counts a successful allocation whose bytes a {@link #reserved(long, long)} call counted: one made inside a
     * thread-safe arena's thread buffer.
     */
    public abstract void allocatedInReserved();

    /**
     * Counts bytes that a thread-safe arena's position moved by without an allocation of their own: a thread buffer
     * reserved or extended (negative: given back), whose allocations are counted by {@link #allocatedInReserved()}.
     *
     * @param byteSize  bytes reserved
     * @param usedAfter the allocator's used bytes after the reservation, for the peak
     */
    public abstract void reserved(long byteSize, long usedAfter);

    /**
     * Counts the unused rest of a thread buffer given up for a new one.
     *
     * @param byteSize bytes wasted
     */
    public abstract void wasted(long byteSize);

    /**
     * Counts a successful deallocation.
     *
     * @param byteSize bytes given back
     */
    public abstract void deallocated(long byteSize);

    /**
     * Counts a bulk release: a reset, a checkpoint restore or an arena's or stack's scope close.
     *
     * @param byteSize bytes released
     */
    public abstract void released(long byteSize);

    /** Counts a failed allocation. */
    public abstract void failed();

    /**
     * Counts a growth event.
     *
     * @param usedAfter the used bytes at the time, for the peak
     */
    public abstract void grew(long usedAfter);

    /**
     * Takes a snapshot. Exact once the threads that recorded have finished (joined); while they run, each
     * counter is exact at some moment during the call, but the counters are not read atomically together.
     *
     * @param currentBytes the allocator's used bytes now
     * @return the snapshot
     */
    public abstract AllocationStatistics snapshot(long currentBytes);
}
