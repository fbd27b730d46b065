package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A thread-safe pool's count of blocks in use, sampled for the peak statistic while other threads give blocks back
 * and take them again, never counts more blocks than the pool has: a block is counted as back before it is on the
 * free list, where another thread can take it and count it again.
 */
class PoolPeakTest {

    private static final int BLOCKS = 8;
    private static final int ROUNDS = 300_000;

    @Test
    void aFullPoolsPeakNeverExceedsItsCapacityWhileThreadsGiveBackAndTakeAgain() throws Exception {
        // 8 blocks: too few for caches of free blocks, so every give-back goes onto the shared free list.
        PoolConfig config = PoolConfig.defaults().withThreadSafe(true).withTrackStats(true)
                .withLeakPolicy(LeakPolicy.FAIL);
        try (PoolAllocator pool = PoolAllocator.create(64, 8, BLOCKS, config)) {
            List<MemorySegment> held = new ArrayList<>();
            for (int i = 0; i < BLOCKS - 3; i++) {
                held.add(pool.allocate());
            }
            AtomicLong overCapacity = new AtomicLong();
            CyclicBarrier start = new CyclicBarrier(2);
            Runnable churn = () -> {
                try {
                    start.await();
                    for (int round = 0; round < ROUNDS; round++) {
                        MemorySegment first = pool.allocate();
                        MemorySegment second = null;
                        try {
                            second = pool.allocate();
                        } catch (AllocationException e) {
                            assertEquals(ErrorCode.OUT_OF_MEMORY, e.code());
                        }
                        long free = pool.freeBlocks();
                        if (free < 0 || pool.usedBytes() > pool.capacityBytes()) {
                            overCapacity.incrementAndGet();
                        }
                        pool.deallocate(first);
                        if (second != null) {
                            pool.deallocate(second);
                        }
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            Thread a = Thread.ofPlatform().start(churn);
            Thread b = Thread.ofPlatform().start(churn);
            a.join();
            b.join();
            for (MemorySegment segment : held) {
                pool.deallocate(segment);
            }
            AllocationStatistics stats = pool.statistics().orElseThrow();
            assertTrue(stats.peakBytes() <= pool.capacityBytes(), stats::toString);
            assertEquals(0, overCapacity.get(), "samples of the blocks in use above the pool's capacity");
            assertEquals(BLOCKS, pool.freeBlocks());
        }
    }
}
