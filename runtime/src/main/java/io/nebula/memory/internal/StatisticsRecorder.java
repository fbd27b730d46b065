package io.nebula.memory.internal;

import io.nebula.memory.AllocationStatistics;

/**
 * The counters behind {@link io.nebula.memory.StatisticsProvider}. An allocator that does not track statistics
 * holds no recorder at all (a {@code null} field), so the untracked hot path pays one null check.
 *
 * <p>This recorder is for confined allocators: plain fields, no synchronisation.
 */
public final class StatisticsRecorder {

    private long allocations;
    private long deallocations;
    private long bytesAllocated;
    private long bytesFreed;
    private long peakBytes;
    private long failedAllocations;
    private long resets;
    private long growths;

    /** Creates a recorder with every counter at zero. */
    public StatisticsRecorder() {
    }

    /**
     * Counts a successful allocation.
     *
     * @param byteSize  bytes requested
     * @param usedAfter the allocator's used bytes after the allocation
     */
    public void allocated(long byteSize, long usedAfter) {
        allocations++;
        bytesAllocated += byteSize;
        if (usedAfter > peakBytes) {
            peakBytes = usedAfter;
        }
    }

    /**
     * Counts a successful deallocation.
     *
     * @param byteSize bytes given back
     */
    public void deallocated(long byteSize) {
        deallocations++;
        bytesFreed += byteSize;
    }

    /**
     * Counts a bulk release: reset, restore or marker release.
     *
     * @param byteSize bytes released
     */
    public void released(long byteSize) {
        resets++;
        bytesFreed += byteSize;
    }

    /** Counts a failed allocation. */
    public void failed() {
        failedAllocations++;
    }

    /**
     * Counts a growth event and the bytes it made available.
     *
     * @param usedAfter the used bytes at the time, for the peak
     */
    public void grew(long usedAfter) {
        growths++;
        if (usedAfter > peakBytes) {
            peakBytes = usedAfter;
        }
    }

    /**
     * Takes a snapshot.
     *
     * @param currentBytes the allocator's used bytes now
     * @return the snapshot
     */
    public AllocationStatistics snapshot(long currentBytes) {
        return new AllocationStatistics(allocations, deallocations, bytesAllocated, bytesFreed, currentBytes,
                Math.max(peakBytes, currentBytes), failedAllocations, resets, growths);
    }
}
