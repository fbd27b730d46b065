package io.nebula.memory.internal;

import io.nebula.memory.AllocationStatistics;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Statistics for a thread-safe allocator. Counters are {@link LongAdder}s, which stripe under contention so that
 * threads do not fight over one cache line. The peak is an {@link AtomicLong} written only when a thread sees a
 * value above it, so after warm-up it is read far more often than written.
 */
final class ConcurrentStatistics extends StatisticsRecorder {

    private final LongAdder allocations = new LongAdder();
    private final LongAdder deallocations = new LongAdder();
    private final LongAdder bytesAllocated = new LongAdder();
    private final LongAdder bytesFreed = new LongAdder();
    private final AtomicLong peakBytes = new AtomicLong();
    private final LongAdder failedAllocations = new LongAdder();
    private final LongAdder resets = new LongAdder();
    private final LongAdder growths = new LongAdder();
    private final LongAdder wastedBytes = new LongAdder();

    @Override
    public void allocated(long byteSize, long usedAfter) {
        allocations.increment();
        bytesAllocated.add(byteSize);
        raisePeak(usedAfter);
    }

    @Override
    public void allocatedInReserved() {
        allocations.increment();
    }

    @Override
    public void reserved(long byteSize, long usedAfter) {
        bytesAllocated.add(byteSize);
        raisePeak(usedAfter);
    }

    @Override
    public void wasted(long byteSize) {
        wastedBytes.add(byteSize);
    }

    @Override
    public void deallocated(long byteSize) {
        deallocations.increment();
        bytesFreed.add(byteSize);
    }

    @Override
    public void released(long byteSize) {
        resets.increment();
        bytesFreed.add(byteSize);
    }

    @Override
    public void failed() {
        failedAllocations.increment();
    }

    @Override
    public void grew(long usedAfter) {
        growths.increment();
        raisePeak(usedAfter);
    }

    private void raisePeak(long used) {
        long peak = peakBytes.get();
        while (used > peak) {
            long witness = peakBytes.compareAndExchange(peak, used);
            if (witness == peak) {
                return;
            }
            peak = witness;
        }
    }

    @Override
    public AllocationStatistics snapshot(long currentBytes) {
        return new AllocationStatistics(allocations.sum(), deallocations.sum(), bytesAllocated.sum(),
                bytesFreed.sum(), currentBytes, Math.max(peakBytes.get(), currentBytes), failedAllocations.sum(),
                resets.sum(), growths.sum(), wastedBytes.sum());
    }
}
