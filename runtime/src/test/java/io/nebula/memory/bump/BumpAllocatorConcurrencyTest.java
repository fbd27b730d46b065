package io.nebula.memory.bump;

import io.nebula.memory.AllocationStatistics;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A thread-safe arena under real threads: every allocation stamped, then checked for overlap and damage. */
class BumpAllocatorConcurrencyTest {

    private static final int TOTAL_ALLOCATIONS = 1_000_000;

    @Test
    void concurrentAllocationsNeverOverlapAndStatisticsAreExact() throws Exception {
        for (int threads : new int[] {2, 4, 8}) {
            run(threads);
        }
    }

    private static void run(int threadCount) throws Exception {
        int perThread = TOTAL_ALLOCATIONS / threadCount;
        long seed = System.nanoTime();
        BumpConfig config = BumpConfig.defaults().withThreadSafe(true).withTrackStats(true);
        try (BumpAllocator arena = BumpAllocator.create(96L * TOTAL_ALLOCATIONS, config)) {
            MemorySegment block = arena.segment();
            long[][] offsets = new long[threadCount][perThread];
            int[][] sizes = new int[threadCount][perThread];
            long[] bytes = new long[threadCount];
            CyclicBarrier start = new CyclicBarrier(threadCount);
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < threadCount; t++) {
                int id = t;
                Thread thread = new Thread(() -> {
                    try {
                        SplittableRandom random = new SplittableRandom(seed + id);
                        start.await();
                        for (int i = 0; i < perThread; i++) {
                            int size = 8 + random.nextInt(57);
                            long offset = (i & 1) == 0 ? arena.allocateOffset(size, 8)
                                    : arena.allocate(size, 8).address() - block.address();
                            block.set(ValueLayout.JAVA_LONG, offset, ((long) id << 32) | i);
                            offsets[id][i] = offset;
                            sizes[id][i] = size;
                            bytes[id] += size;
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "allocator-" + t);
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertTrue(failures.isEmpty(), () -> "seed=" + seed + ": " + failures);

            long[][] ranges = new long[threadCount * perThread][];
            int n = 0;
            for (int t = 0; t < threadCount; t++) {
                for (int i = 0; i < perThread; i++) {
                    long stamp = block.get(ValueLayout.JAVA_LONG, offsets[t][i]);
                    assertEquals(((long) t << 32) | i, stamp, "seed=" + seed + ": stamp of thread " + t + " #" + i);
                    assertEquals(0, (block.address() + offsets[t][i]) % 8);
                    ranges[n++] = new long[] {offsets[t][i], offsets[t][i] + sizes[t][i]};
                }
            }
            Arrays.sort(ranges, (a, b) -> Long.compare(a[0], b[0]));
            for (int i = 1; i < ranges.length; i++) {
                assertTrue(ranges[i - 1][1] <= ranges[i][0], "seed=" + seed + ": overlapping allocations at "
                        + Arrays.toString(ranges[i - 1]) + " and " + Arrays.toString(ranges[i]));
            }
            AllocationStatistics stats = arena.statistics().orElseThrow();
            assertEquals((long) threadCount * perThread, stats.allocations());
            assertEquals(Arrays.stream(bytes).sum(), stats.bytesAllocated());
            assertEquals(arena.usedBytes(), stats.peakBytes());
            assertTrue(arena.usedBytes() >= ranges[ranges.length - 1][1]);
        }
    }

    @Test
    void anyThreadMayAllocateResetAndClose() throws Exception {
        BumpAllocator arena = BumpAllocator.create(1024, BumpConfig.defaults().withThreadSafe(true));
        Thread other = new Thread(() -> {
            arena.allocate(100);
            arena.reset();
            arena.allocate(10);
        });
        other.start();
        other.join();
        assertEquals(10, arena.usedBytes());
        Thread closer = new Thread(arena::close);
        closer.start();
        closer.join();
        assertTrue(arena.isClosed());
    }

    @Test
    void restoreReleasesWhatEveryThreadAllocatedSinceTheCheckpoint() throws Exception {
        try (BumpAllocator arena = BumpAllocator.create(1 << 20, BumpConfig.defaults().withThreadSafe(true))) {
            arena.allocate(64);
            Checkpoint checkpoint = arena.checkpoint();
            Thread[] workers = new Thread[4];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Thread(() -> {
                    for (int j = 0; j < 1000; j++) {
                        arena.allocate(16, 16);
                    }
                });
                workers[i].start();
            }
            for (Thread worker : workers) {
                worker.join();
            }
            assertEquals(64 + 4 * 1000 * 16, arena.usedBytes());
            arena.restore(checkpoint);
            assertEquals(64, arena.usedBytes());
        }
    }

    @Test
    void zeroOnResetHoldsForSharedArenas() {
        BumpConfig config = BumpConfig.defaults().withThreadSafe(true).withZeroOnReset(true);
        try (BumpAllocator arena = BumpAllocator.create(256, config)) {
            arena.allocate(64).fill((byte) 5);
            arena.reset();
            MemorySegment again = arena.allocate(64);
            for (long i = 0; i < 64; i++) {
                assertEquals(0, again.get(ValueLayout.JAVA_BYTE, i));
            }
        }
    }
}
