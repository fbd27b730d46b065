package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A thread-safe pool under real threads. Every block gets an ownership stamp when it is handed out: written into the
 * block and claimed in a table of owners, then checked in both places before the block is given back. A block handed
 * to two owners at once fails the claim, or the stamp check of whichever owner was overwritten.
 */
class PoolAllocatorConcurrencyTest {

    private static final int TOTAL_OPERATIONS = 1_000_000;
    private static final long BLOCK = 64;
    private static final int HELD_PER_THREAD = 32;
    private static final int MAILBOXES = 8;

    /** A block a thread holds: by handle ({@code segment == null}) or by segment, and its stamp. */
    private record Held(long handle, MemorySegment segment, int index, long stamp) { }

    @Test
    void allocationsAndFreesAcrossThreadsNeverHandABlockToTwoOwners() throws Exception {
        for (int threads : new int[] {2, 4, 8}) {
            new Stress(threads).run();
        }
    }

    /** Threads that allocate, give back and pass blocks to each other through mailboxes, in random order. */
    private static final class Stress {
        private final int threadCount;
        private final long seed = System.nanoTime();
        private final PoolAllocator pool;
        private final MemorySegment chunk;
        private final AtomicLongArray owners;
        private final AtomicReferenceArray<Held> mailboxes = new AtomicReferenceArray<>(MAILBOXES);
        private final List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        private final long[] allocations;
        private final long[] deallocations;
        private final long[] bytesAllocated;
        private final long[] bytesFreed;

        Stress(int threadCount) {
            this.threadCount = threadCount;
            int blocks = threadCount * HELD_PER_THREAD + MAILBOXES;   // never exhausted, often nearly full
            PoolConfig config = PoolConfig.defaults().withThreadSafe(true).withTrackStats(true)
                    .withLeakPolicy(LeakPolicy.FAIL);
            this.pool = PoolAllocator.create(BLOCK, 8, blocks, config);
            this.chunk = pool.segment();
            this.owners = new AtomicLongArray(blocks);
            this.allocations = new long[threadCount];
            this.deallocations = new long[threadCount];
            this.bytesAllocated = new long[threadCount];
            this.bytesFreed = new long[threadCount];
        }

        void run() throws Exception {
            int perThread = TOTAL_OPERATIONS / threadCount;
            CyclicBarrier start = new CyclicBarrier(threadCount);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < threadCount; t++) {
                int id = t;
                Thread thread = new Thread(() -> {
                    try {
                        work(id, perThread, start);
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "pool-stress-" + t);
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            for (int slot = 0; slot < MAILBOXES; slot++) {
                Held left = mailboxes.getAndSet(slot, null);
                if (left != null) {
                    free(0, left);
                }
            }
            assertTrue(failures.isEmpty(), () -> threadCount + " threads, seed=" + seed + ": " + failures);

            AllocationStatistics stats = pool.statistics().orElseThrow();
            long allocated = sum(allocations);
            assertTrue(allocated > TOTAL_OPERATIONS / 4, "most operations allocate or free: " + allocated);
            assertEquals(allocated, stats.allocations());
            assertEquals(sum(deallocations), stats.deallocations());
            assertEquals(allocated, stats.deallocations(), "every block was given back");
            assertEquals(sum(bytesAllocated), stats.bytesAllocated());
            assertEquals(sum(bytesFreed), stats.bytesFreed());
            assertEquals(stats.bytesAllocated(), stats.bytesFreed());
            assertEquals(0, stats.currentBytes());
            assertEquals(0, stats.failedAllocations());
            assertTrue(stats.peakBytes() > 0 && stats.peakBytes() <= pool.capacityBytes(), stats::toString);
            assertEquals(0, pool.usedBytes());
            assertEquals(pool.blockCount(), pool.freeBlocks());
            for (int i = 0; i < owners.length(); i++) {
                assertEquals(0, owners.get(i), "block " + i + " still claimed");
            }
            pool.close();   // LeakPolicy.FAIL: throws if the pool's count of blocks in use drifted
        }

        private void work(int id, int operations, CyclicBarrier start) throws Exception {
            SplittableRandom random = new SplittableRandom(seed + id);
            List<Held> mine = new ArrayList<>();
            long sequence = 0;
            start.await();
            for (int op = 0; op < operations; op++) {
                int r = random.nextInt(100);
                if (mine.isEmpty() || (r < 50 && mine.size() < HELD_PER_THREAD)) {
                    long stamp = (long) (id + 1) << 48 | ++sequence;
                    mine.add(allocate(id, random, stamp));
                } else if (r < 62) {
                    Held sent = mine.remove(random.nextInt(mine.size()));
                    Held received = mailboxes.getAndSet(random.nextInt(MAILBOXES), sent);
                    if (received != null) {
                        mine.add(received);
                    }
                } else {
                    free(id, mine.remove(random.nextInt(mine.size())));
                }
            }
            for (Held held : mine) {
                free(id, held);
            }
        }

        private Held allocate(int id, SplittableRandom random, long stamp) {
            Held held;
            if (random.nextBoolean()) {
                long handle = pool.allocateHandle();
                held = new Held(handle, null, (int) (PoolAllocator.offsetOf(handle) / BLOCK), stamp);
                bytesAllocated[id] += BLOCK;
            } else {
                long size = 16 + random.nextInt((int) BLOCK - 15);
                MemorySegment segment = pool.allocate(size, 8);
                held = new Held(-1, segment, (int) ((segment.address() - chunk.address()) / BLOCK), stamp);
                bytesAllocated[id] += BLOCK;   // a whole block, whatever the size asked for
            }
            allocations[id]++;
            long previous = owners.compareAndExchange(held.index, 0, stamp);
            if (previous != 0) {
                throw new AssertionError("block " + held.index + " handed to " + Long.toHexString(stamp)
                        + " while " + Long.toHexString(previous) + " holds it");
            }
            long offset = held.index * BLOCK;
            chunk.set(ValueLayout.JAVA_LONG, offset, stamp);
            chunk.set(ValueLayout.JAVA_LONG, offset + 8, ~stamp);
            return held;
        }

        private void free(int id, Held held) {
            long offset = held.index * BLOCK;
            long first = chunk.get(ValueLayout.JAVA_LONG, offset);
            long second = chunk.get(ValueLayout.JAVA_LONG, offset + 8);
            if (first != held.stamp || second != ~held.stamp) {
                throw new AssertionError("block " + held.index + " of " + Long.toHexString(held.stamp)
                        + " was overwritten: " + Long.toHexString(first) + ", " + Long.toHexString(~second));
            }
            if (!owners.compareAndSet(held.index, held.stamp, 0)) {
                throw new AssertionError("block " + held.index + " is claimed by " + Long.toHexString(
                        owners.get(held.index)) + ", not by its holder " + Long.toHexString(held.stamp));
            }
            if (held.segment == null) {
                pool.deallocateHandle(held.handle);
                bytesFreed[id] += BLOCK;
            } else {
                pool.deallocate(held.segment);
                bytesFreed[id] += BLOCK;   // a whole block, as allocated
            }
            deallocations[id]++;
        }
    }

    private static long sum(long[] values) {
        long sum = 0;
        for (long value : values) {
            sum += value;
        }
        return sum;
    }

    @Test
    void growthUnderContentionLosesNoChunkAndStopsExactlyAtMaxBlocks() throws Exception {
        for (int threads : new int[] {2, 4, 8}) {
            growUntilFull(threads);
        }
    }

    /**
     * Threads allocate until the pool is full, giving back a few blocks as they go so that deallocation by segment
     * looks chunks up while others add them. When the last thread sees OUT_OF_MEMORY, every block is held.
     */
    private static void growUntilFull(int threadCount) throws Exception {
        int perChunk = 16;
        int maxBlocks = 1000;   // 62 full chunks and one of 8
        long seed = System.nanoTime();
        PoolConfig config = PoolConfig.defaults().withThreadSafe(true).withTrackStats(true).withAllowGrowth(true)
                .withMaxBlocks(maxBlocks).withLeakPolicy(LeakPolicy.IGNORE);
        try (PoolAllocator pool = PoolAllocator.create(BLOCK, 8, perChunk, config)) {
            List<List<Long>> held = new ArrayList<>();
            List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger outOfMemory = new AtomicInteger();
            CyclicBarrier start = new CyclicBarrier(threadCount);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < threadCount; t++) {
                List<Long> mine = new ArrayList<>();
                held.add(mine);
                int id = t;
                Thread thread = new Thread(() -> {
                    SplittableRandom random = new SplittableRandom(seed + id);
                    List<MemorySegment> segments = new ArrayList<>();
                    try {
                        start.await();
                        while (true) {
                            if (!segments.isEmpty() && random.nextInt(4) == 0) {
                                pool.deallocate(segments.remove(random.nextInt(segments.size())));
                            }
                            try {
                                if (random.nextBoolean()) {
                                    mine.add(pool.allocateHandle());
                                } else {
                                    segments.add(pool.allocate());
                                }
                            } catch (AllocationException e) {
                                assertEquals(ErrorCode.OUT_OF_MEMORY, e.code(), e::getMessage);
                                outOfMemory.incrementAndGet();
                                break;
                            }
                        }
                        for (MemorySegment segment : segments) {
                            long handle = handleOf(pool, segment);
                            pool.segmentOf(handle).set(ValueLayout.JAVA_LONG, PoolAllocator.offsetOf(handle), handle);
                            mine.add(handle);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "pool-growth-" + t);
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertTrue(failures.isEmpty(), () -> threadCount + " threads, seed=" + seed + ": " + failures);

            Set<Long> distinct = new HashSet<>();
            held.forEach(distinct::addAll);
            assertEquals(maxBlocks, held.stream().mapToInt(List::size).sum(), "every block is held when all stop");
            assertEquals(maxBlocks, distinct.size(), "no block is held twice");
            assertEquals(maxBlocks, pool.blockCount());
            assertEquals(63, pool.chunkCount());
            assertEquals(0, pool.freeBlocks());
            assertEquals(threadCount, outOfMemory.get());
            AllocationStatistics stats = pool.statistics().orElseThrow();
            assertEquals(62, stats.growths(), "one growth per chunk added");
            assertEquals(threadCount, stats.failedAllocations());
            assertEquals(maxBlocks * BLOCK, stats.peakBytes());
            for (long handle : distinct) {
                pool.deallocateHandle(handle);
            }
            assertEquals(maxBlocks, pool.freeBlocks());
        }
    }

    /** The handle of a block handed out as a segment: its chunk, found by address, and its offset there. */
    private static long handleOf(PoolAllocator pool, MemorySegment segment) {
        for (int chunk = 0; chunk < pool.chunkCount(); chunk++) {
            MemorySegment candidate = pool.segmentOf((long) chunk << Handles.CHUNK_SHIFT);
            long offset = segment.address() - candidate.address();
            if (offset >= 0 && offset < candidate.byteSize()) {
                return (long) chunk << Handles.CHUNK_SHIFT | offset;
            }
        }
        throw new AssertionError("the segment is in no chunk: " + segment);
    }

    @Test
    void ofTwoThreadsGivingBackTheSameBlockExactlyOneSucceeds() throws Exception {
        int rounds = 2_000;
        PoolConfig config = PoolConfig.defaults().withThreadSafe(true).withTrackStats(true);
        try (PoolAllocator pool = PoolAllocator.create(BLOCK, 8, 4, config)) {
            long[] handles = new long[1];
            MemorySegment[] segments = new MemorySegment[1];
            Throwable[][] outcomes = new Throwable[rounds][2];
            boolean[][] succeeded = new boolean[rounds][2];
            CyclicBarrier ready = new CyclicBarrier(3);
            CyclicBarrier done = new CyclicBarrier(3);
            Thread[] racers = new Thread[2];
            for (int r = 0; r < 2; r++) {
                int racer = r;
                racers[r] = new Thread(() -> {
                    try {
                        for (int round = 0; round < rounds; round++) {
                            ready.await();
                            try {
                                if (round % 2 == 0) {
                                    pool.deallocateHandle(handles[0]);
                                } else {
                                    pool.deallocate(segments[0]);
                                }
                                succeeded[round][racer] = true;
                            } catch (Throwable e) {
                                outcomes[round][racer] = e;
                            }
                            done.await();
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, "double-free-" + r);
                racers[r].start();
            }
            for (int round = 0; round < rounds; round++) {
                if (round % 2 == 0) {
                    handles[0] = pool.allocateHandle();
                } else {
                    segments[0] = pool.allocate();
                }
                ready.await();
                done.await();
                assertTrue(succeeded[round][0] ^ succeeded[round][1], "round " + round + ": exactly one succeeds");
                Throwable loser = outcomes[round][succeeded[round][0] ? 1 : 0];
                assertNotNull(loser);
                AllocationException e = assertInstanceOf(AllocationException.class, loser);
                assertEquals(ErrorCode.DOUBLE_FREE, e.code(), e::getMessage);
                assertEquals(4, pool.freeBlocks(), "round " + round);
            }
            for (Thread racer : racers) {
                racer.join();
            }
            AllocationStatistics stats = pool.statistics().orElseThrow();
            assertEquals(rounds, stats.allocations());
            assertEquals(rounds, stats.deallocations());
            assertEquals(4, pool.blockCount());
        }
    }

    @Test
    void anyThreadMayAllocateGiveBackResetAndClose() throws Exception {
        PoolAllocator pool = PoolAllocator.create(BLOCK, 8, 8, PoolConfig.defaults().withThreadSafe(true));
        MemorySegment fromMain = pool.allocate();
        fromMain.set(ValueLayout.JAVA_LONG, 0, 42L);
        long[] fromOther = new long[1];
        Thread other = new Thread(() -> {
            assertEquals(42L, fromMain.get(ValueLayout.JAVA_LONG, 0));
            pool.deallocate(fromMain);
            fromOther[0] = pool.allocateHandle();
            pool.allocate();
            pool.reset();
            fromOther[0] = pool.allocateHandle();
        });
        other.start();
        other.join();
        assertEquals(1, pool.blockCount() - pool.freeBlocks());
        pool.deallocateHandle(fromOther[0]);
        Thread closer = new Thread(pool::close);
        closer.start();
        closer.join();
        assertTrue(pool.isClosed());
        AllocationException e = assertThrows(AllocationException.class, pool::allocate);
        assertEquals(ErrorCode.CLOSED, e.code());
        assertTrue(e.allocator().contains("thread-safe"), e.allocator());
    }
}
