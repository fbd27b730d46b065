package io.nebula.memory.bump;

import io.nebula.memory.Checkpoint;
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
            assertEquals(arena.usedBytes(), stats.bytesAllocated(), "padding included, as in usedBytes()");
            assertTrue(Arrays.stream(bytes).sum() <= stats.bytesAllocated());
            assertEquals(arena.usedBytes(), stats.peakBytes());
            assertTrue(arena.usedBytes() >= ranges[ranges.length - 1][1]);
        }
    }

    @Test
    void concurrentAllocationsAcrossChunksNeverOverlapAndStatisticsAreExact() throws Exception {
        for (int threads : new int[] {2, 4, 8}) {
            runGrowable(threads);
        }
    }

    /**
     * Threads allocate from a thread-safe growable arena that starts small, so that they race each other across
     * hundreds of chunk switches, some requests needing a chunk of their own.
     */
    private static void runGrowable(int threadCount) throws Exception {
        int perThread = 400_000 / threadCount;
        long seed = System.nanoTime();
        BumpConfig config = BumpConfig.defaults().withThreadSafe(true).withTrackStats(true)
                .withGrowth(64 * 1024, 1L << 30);
        try (BumpAllocator arena = BumpAllocator.create(4096, config)) {
            MemorySegment[][] segments = new MemorySegment[threadCount][perThread];
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
                            int size = random.nextInt(2000) == 0 ? random.nextInt(2000, 100_000)
                                    : 8 + random.nextInt(57);
                            MemorySegment s = arena.allocate(size, 8L << random.nextInt(3));
                            s.set(ValueLayout.JAVA_LONG, 0, ((long) id << 32) | i);
                            segments[id][i] = s;
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
                    MemorySegment s = segments[t][i];
                    assertEquals(((long) t << 32) | i, s.get(ValueLayout.JAVA_LONG, 0),
                            "seed=" + seed + ": stamp of thread " + t + " #" + i);
                    ranges[n++] = new long[] {s.address(), s.address() + s.byteSize()};
                }
            }
            Arrays.sort(ranges, (a, b) -> Long.compare(a[0], b[0]));
            for (int i = 1; i < ranges.length; i++) {
                assertTrue(ranges[i - 1][1] <= ranges[i][0], "seed=" + seed + ": overlapping allocations at "
                        + Arrays.toString(ranges[i - 1]) + " and " + Arrays.toString(ranges[i]));
            }
            AllocationStatistics stats = arena.statistics().orElseThrow();
            long total = Arrays.stream(bytes).sum();
            assertEquals((long) threadCount * perThread, stats.allocations());
            assertEquals(arena.usedBytes(), stats.bytesAllocated(), "padding and skipped tails included");
            assertEquals(arena.chunkCount() - 1, stats.growths(), "every chunk but the first came from growth");
            assertTrue(arena.chunkCount() > 50, "the threads raced across many chunk switches");
            assertTrue(total <= arena.usedBytes() && arena.usedBytes() <= arena.capacityBytes());
            assertEquals(arena.usedBytes(), stats.peakBytes());
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
        assertEquals(10, arena.usedBytes(), "an arena under 4 KiB has no thread buffers by default");
        Thread closer = new Thread(arena::close);
        closer.start();
        closer.join();
        assertTrue(arena.isClosed());
    }

    @Test
    void restoreReleasesWhatEveryThreadAllocatedSinceTheCheckpoint() throws Exception {
        // The main thread gives its buffer back at the checkpoint; each worker's 16,000 bytes fit in one buffer of
        // a 64th of the capacity, counted in full.
        restoreReleasesWhatEveryThreadAllocated(BumpAllocator.create(1 << 20,
                BumpConfig.defaults().withThreadSafe(true)), 64 + 4 * (1 << 20) / 64);
    }

    @Test
    void restoreIntoAnEarlierChunkReleasesWhatEveryThreadAllocatedInLaterOnes() throws Exception {
        BumpAllocator arena = BumpAllocator.create(1024, BumpConfig.defaults().withThreadSafe(true)
                .withGrowth(4096, 1 << 20));
        restoreReleasesWhatEveryThreadAllocated(arena, -1);
    }

    private static void restoreReleasesWhatEveryThreadAllocated(BumpAllocator created, long expectedUsed)
            throws Exception {
        try (BumpAllocator arena = created) {
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
            if (expectedUsed >= 0) {
                assertEquals(expectedUsed, arena.usedBytes());
            } else {
                assertTrue(arena.chunkCount() > 10 && arena.usedBytes() >= 64 + 4 * 1000 * 16);
            }
            int chunks = arena.chunkCount();
            arena.restore(checkpoint);
            assertEquals(64, arena.usedBytes());
            assertEquals(chunks, arena.chunkCount(), "later chunks are kept as spares");
        }
    }

    @Test
    void zeroOnReleaseHoldsForSharedArenas() {
        BumpConfig config = BumpConfig.defaults().withThreadSafe(true).withZeroOnRelease(true);
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
