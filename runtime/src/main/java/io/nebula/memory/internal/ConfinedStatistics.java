package io.nebula.memory.internal;

import io.nebula.memory.AllocationStatistics;

/** Statistics for a confined allocator: plain fields, written by the owning thread only. */
final class ConfinedStatistics extends StatisticsRecorder {

    private long allocations;
    private long deallocations;
    private long bytesAllocated;
    private long bytesFreed;
    private long peakBytes;
    private long failedAllocations;
    private long resets;
    private long growths;
    private long wastedBytes;

    @Override
    public void allocated(long byteSize, long usedAfter) {
        allocations++;
        bytesAllocated += byteSize;
        if (usedAfter > peakBytes) {
            peakBytes = usedAfter;
        }
    }

    @Override
    public void allocatedInReserved() {
        allocations++;
    }

    @Override
    public void reserved(long byteSize, long usedAfter) {
        bytesAllocated += byteSize;
        if (usedAfter > peakBytes) {
            peakBytes = usedAfter;
        }
    }

    @Override
    public void wasted(long byteSize) {
        wastedBytes += byteSize;
    }

    @Override
    public void deallocated(long byteSize) {
        deallocations++;
        bytesFreed += byteSize;
    }

    @Override
    public void released(long byteSize) {
        resets++;
        bytesFreed += byteSize;
    }

    @Override
    public void failed() {
        failedAllocations++;
    }

    @Override
    public void grew(long usedAfter) {
        growths++;
        if (usedAfter > peakBytes) {
            peakBytes = usedAfter;
        }
    }

    @Override
    public AllocationStatistics snapshot(long currentBytes) {
        return new AllocationStatistics(allocations, deallocations, bytesAllocated, bytesFreed, currentBytes,
                Math.max(peakBytes, currentBytes), failedAllocations, resets, growths, wastedBytes);
    }
}
