package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A checked thread-safe pool under two threads giving back the same block at once. */
class PoolCheckedRaceTest {

    private static final int ROUNDS = 2_000;

    @Test
    void theLoserOfTwoConcurrentFreesAlwaysGetsUseAfterFree() throws Exception {
        try (PoolAllocator pool = PoolAllocator.create(64, 8, 4,
                PoolConfig.defaults().withThreadSafe(true).withChecked(true))) {
            AtomicReference<MemorySegment> target = new AtomicReference<>();
            AtomicReferenceArray<Object> outcomes = new AtomicReferenceArray<>(2);
            CyclicBarrier start = new CyclicBarrier(3);
            CyclicBarrier done = new CyclicBarrier(3);
            AtomicReference<Throwable> broken = new AtomicReference<>();
            Thread[] threads = new Thread[2];
            for (int t = 0; t < 2; t++) {
                int me = t;
                threads[t] = new Thread(() -> {
                    try {
                        for (int round = 0; round < ROUNDS; round++) {
                            start.await();
                            try {
                                pool.deallocate(target.get());
                                outcomes.set(me, "freed");
                            } catch (AllocationException e) {
                                outcomes.set(me, e.code());
                            }
                            done.await();
                        }
                    } catch (Exception e) {
                        broken.set(e);
                    }
                }, "free-" + t);
                threads[t].start();
            }
            for (int round = 0; round < ROUNDS; round++) {
                target.set(pool.allocate());
                start.await();
                done.await();
                Object first = outcomes.get(0);
                Object second = outcomes.get(1);
                boolean firstWon = "freed".equals(first);
                assertEquals(firstWon ? ErrorCode.USE_AFTER_FREE : "freed", second, "round " + round);
                assertEquals(firstWon ? "freed" : ErrorCode.USE_AFTER_FREE, first, "round " + round);
                assertEquals(4, pool.freeBlocks(), "round " + round);
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertNull(broken.get());
        }
    }
}
