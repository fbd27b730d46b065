package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The caches of free blocks in front of a thread-safe pool's free list (its magazines): a block given back stays
 * free to every thread, counts as free, is never handed out twice, is caught when given back twice, cannot be
 * reached by a write into a block a magazine holds (a write into a block on the shared free list is refused when the
 * list reaches it), and comes back on reset and close. The pools here have 64 blocks or more, so that each magazine
 * holds several.
 */
class PoolMagazineTest {

    private static final long BLOCK = 64;

    /** Closing with a block still handed out throws, unless a test says otherwise. */
    private static final PoolConfig LEAKS_FAIL = PoolConfig.defaults().withLeakPolicy(LeakPolicy.FAIL);
    /** For the tests that break a free list on purpose. */
    private static final PoolConfig LEAKS_IGNORED = PoolConfig.defaults().withLeakPolicy(LeakPolicy.IGNORE);

    private static PoolAllocator pool(int blocks, PoolConfig config) {
        return PoolAllocator.create(BLOCK, 8, blocks, config.withThreadSafe(true));
    }

    /** Runs {@code body} on a new platform thread and waits for it, rethrowing what it threw. */
    private static void onOtherThread(Runnable body) throws InterruptedException {
        Throwable[] thrown = new Throwable[1];
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                thrown[0] = e;
            }
        });
        thread.start();
        thread.join();
        if (thrown[0] instanceof RuntimeException e) {
            throw e;
        }
        if (thrown[0] instanceof Error e) {
            throw e;
        }
    }

    @Test
    void aPoolTooSmallToShareOutHasNoMagazines() {
        assertEquals(2, SharedPool.stripes(1));
        assertEquals(4, SharedPool.stripes(2));
        assertEquals(8, SharedPool.stripes(3));
        assertEquals(SharedPool.MAX_MAGAZINES, SharedPool.stripes(1_000));
        try (PoolAllocator pool = pool(8, LEAKS_FAIL)) {
            long a = pool.allocateHandle();
            pool.deallocateHandle(a);
            assertEquals(8, pool.freeBlocks());
        }
    }

    @ParameterizedTest(name = "growth={0}")
    @ValueSource(booleans = {false, true})
    void blocksCachedByAnotherThreadAreHandedOutBeforeThePoolCountsAsFull(boolean growth) throws Exception {
        int blocks = 256;
        try (PoolAllocator pool = pool(blocks, LEAKS_FAIL.withAllowGrowth(growth).withTrackStats(true))) {
            List<Long> held = new ArrayList<>();
            for (int i = 0; i < blocks; i++) {
                held.add(pool.allocateHandle());
            }
            List<Long> givenBack = new ArrayList<>(held.subList(0, blocks / 2));
            onOtherThread(() -> givenBack.forEach(pool::deallocateHandle));   // mostly into that thread's magazine
            assertEquals(blocks / 2, pool.freeBlocks(), "blocks in a magazine count as free");
            Set<Long> again = new HashSet<>();
            for (int i = 0; i < blocks / 2; i++) {
                again.add(pool.allocateHandle());
            }
            assertEquals(new HashSet<>(givenBack), again, "the blocks given back, each once");
            assertEquals(1, pool.chunkCount(), "no growth while blocks were free in a magazine");
            assertEquals(0, pool.freeBlocks());
            if (!growth) {
                AllocationException e = assertThrows(AllocationException.class, pool::allocateHandle);
                assertEquals(ErrorCode.OUT_OF_MEMORY, e.code());
            }
            held.subList(blocks / 2, blocks).forEach(pool::deallocateHandle);
            again.forEach(pool::deallocateHandle);
            AllocationStatistics stats = pool.statistics().orElseThrow();
            assertEquals(0, stats.currentBytes());
            assertEquals(stats.allocations(), stats.deallocations());
            assertEquals(blocks * pool.stride(), stats.peakBytes());
        }
    }

    @ParameterizedTest(name = "checked={0}")
    @ValueSource(booleans = {false, true})
    void aDoubleFreeOfACachedBlockIsCaughtAtOnce(boolean checked) throws Exception {
        try (PoolAllocator pool = pool(256, LEAKS_FAIL.withChecked(checked))) {
            long handle = pool.allocateHandle();
            pool.deallocateHandle(handle);   // now first in this thread's magazine
            assertEquals(ErrorCode.DOUBLE_FREE,
                    assertThrows(AllocationException.class, () -> pool.deallocateHandle(handle)).code());
            onOtherThread(() -> assertEquals(ErrorCode.DOUBLE_FREE,
                    assertThrows(AllocationException.class, () -> pool.deallocateHandle(handle)).code()));
            MemorySegment segment = pool.allocate();
            onOtherThread(() -> pool.deallocate(segment));   // into the other thread's magazine
            AllocationException e = assertThrows(AllocationException.class, () -> pool.deallocate(segment));
            assertEquals(checked ? ErrorCode.USE_AFTER_FREE : ErrorCode.DOUBLE_FREE, e.code(), e::getMessage);
            assertEquals(256, pool.freeBlocks());
        }
    }

    @ParameterizedTest(name = "written={0}")
    @ValueSource(longs = {0, 1, 3, 0x7FFF_FFF0L, -1})
    void aWriteIntoABlockAMagazineHoldsCannotReachTheMagazine(long written) {
        try (PoolAllocator pool = pool(256, LEAKS_FAIL.withTrackStats(true))) {
            MemorySegment live = pool.allocate();
            MemorySegment second = pool.allocate();
            MemorySegment freed = pool.allocate();
            pool.deallocate(second);
            pool.deallocate(freed);   // this thread's magazine: second, then freed
            freed.set(ValueLayout.JAVA_LONG, 0, written);
            second.set(ValueLayout.JAVA_LONG, 0, written);
            assertEquals(freed.address(), pool.allocate().address(), "the last block given back comes first");
            assertEquals(second.address(), pool.allocate().address());
            Set<Long> addresses = new HashSet<>(List.of(live.address(), freed.address(), second.address()));
            for (int i = 3; i < 256; i++) {
                assertTrue(addresses.add(pool.allocate().address()), "no block is handed out twice");
            }
            assertEquals(0, pool.freeBlocks());
            assertEquals(0, pool.statistics().orElseThrow().failedAllocations());
            pool.reset();
        }
    }

    /**
     * Takes every block of a pool of 256, then gives back all but the first, so that this thread's magazine fills
     * and empties onto the shared free list several times (a magazine holds at most 64): the second block is then
     * the last of the list, reached after every other block given back.
     *
     * @return the first block, still in use, and the second, on the free list
     */
    private static MemorySegment[] everyBlockButTheFirstGivenBack(PoolAllocator pool) {
        List<MemorySegment> blocks = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            blocks.add(pool.allocate());
        }
        blocks.subList(1, 256).forEach(pool::deallocate);
        return new MemorySegment[] {blocks.get(0), blocks.get(1)};
    }

    @Test
    void aLinkToABlockInUseWrittenIntoABlockOnTheFreeListIsRefused() {
        try (PoolAllocator pool = pool(256, LEAKS_IGNORED.withTrackStats(true))) {
            MemorySegment[] blocks = everyBlockButTheFirstGivenBack(pool);
            long liveNumber = (blocks[0].address() - pool.segment().address()) / pool.stride();
            blocks[1].set(ValueLayout.JAVA_LONG, 0, liveNumber);
            for (int i = 1; i < 256; i++) {
                pool.allocate();   // every block given back, the written one last
            }
            AllocationException e = assertThrows(AllocationException.class, pool::allocate);
            assertEquals(ErrorCode.USE_AFTER_FREE, e.code());
            assertTrue(e.details().contains("which is in use: a block was written to after it was given back"),
                    e.getMessage());
            assertEquals(1, pool.statistics().orElseThrow().failedAllocations());
            pool.reset();
            Set<Long> addresses = new HashSet<>();
            for (int i = 0; i < 256; i++) {
                addresses.add(pool.allocate().address());
            }
            assertEquals(256, addresses.size(), "a reset rebuilds every list");
            assertEquals(0, pool.freeBlocks());
        }
    }

    @Test
    void aLinkOutsideEveryChunkWrittenIntoABlockOnTheFreeListIsRefusedAndLeftAsItIs() {
        try (PoolAllocator pool = pool(256, LEAKS_IGNORED)) {
            MemorySegment[] blocks = everyBlockButTheFirstGivenBack(pool);
            blocks[1].set(ValueLayout.JAVA_LONG, 0, 0x7FFF_FFF0L);
            for (int i = 1; i < 256; i++) {
                pool.allocate();
            }
            for (int call = 0; call < 2; call++) {
                AllocationException e = assertThrows(AllocationException.class, pool::allocate);
                assertEquals(ErrorCode.USE_AFTER_FREE, e.code());
                assertTrue(e.details().contains("which is outside every chunk"), e.getMessage());
            }
        }
    }

    @Test
    void resetEmptiesEveryMagazine() throws Exception {
        int blocks = 128;
        try (PoolAllocator pool = pool(blocks, LEAKS_FAIL.withZeroOnRelease(true))) {
            List<Long> held = new ArrayList<>();
            for (int i = 0; i < blocks; i++) {
                held.add(pool.allocateHandle());
            }
            onOtherThread(() -> held.subList(0, 40).forEach(pool::deallocateHandle));
            held.subList(40, 60).forEach(pool::deallocateHandle);
            pool.reset();
            assertEquals(blocks, pool.freeBlocks());
            Set<Long> distinct = new HashSet<>();
            for (int i = 0; i < blocks; i++) {
                long handle = pool.allocateHandle();
                assertEquals(0L, pool.segmentOf(handle).get(ValueLayout.JAVA_LONG, PoolAllocator.offsetOf(handle)),
                        "zeroed, link included");
                distinct.add(handle);
            }
            assertEquals(blocks, distinct.size());
            assertEquals(ErrorCode.OUT_OF_MEMORY, assertThrows(AllocationException.class, pool::allocateHandle).code());
            pool.reset();
        }
    }

    @Test
    void closeReportsExactlyTheBlocksStillHandedOutWhateverTheMagazinesHold() throws Exception {
        PoolAllocator pool = pool(256, LEAKS_FAIL);
        List<MemorySegment> held = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            held.add(pool.allocate());
        }
        onOtherThread(() -> held.subList(0, 50).forEach(pool::deallocate));
        held.subList(50, 97).forEach(pool::deallocate);
        AllocationException e = assertThrows(AllocationException.class, pool::close);
        assertEquals(ErrorCode.LEAK, e.code());
        assertTrue(e.getMessage().contains("closed with 3 live allocation(s) holding 192 bytes"), e.getMessage());
    }

    /**
     * The block states, written on every allocate and free, keep a cache line of unused bytes on each side, so that
     * they share no line with another object: the chunk table's own arrays, read on every call, sat beside them, and
     * two threads each working on a block of its own then contended for that line (two threads took 3x one thread's
     * time per operation). Every block of two chunks is handed out: each chunk's states hold one mark per block, and
     * the 64 bytes before and after them stay unwritten.
     */
    @Test
    void blockStatesShareNoCacheLineWithAnotherObject() {
        int blocks = 256;
        try (PoolAllocator pool = pool(blocks, LEAKS_IGNORED.withAllowGrowth(true))) {
            for (int i = 0; i < 2 * blocks; i++) {
                pool.allocateHandle();
            }
            ChunkTable table = pool.table();
            assertEquals(2, table.count);
            for (int chunk = 0; chunk < table.count; chunk++) {
                byte[] states = table.states[chunk];
                int marked = 0;
                for (byte state : states) {
                    marked += state;
                }
                assertEquals(blocks, marked, "chunk " + chunk + ": one mark per block in use");
                for (int i = 0; i < 64; i++) {
                    assertEquals(0, states[i], "chunk " + chunk + ": byte " + i + " before the states");
                    assertEquals(0, states[states.length - 1 - i], "chunk " + chunk + ": byte " + i
                            + " from the end, after the states");
                }
            }
        }
    }

    /**
     * Blocks allocated on some threads and given back on others through a queue, with ownership stamps: each block
     * carries its allocating thread's id and a sequence number, checked by the thread that gives it back.
     */
    @ParameterizedTest(name = "{0} platform threads")
    @ValueSource(ints = {2, 4, 8})
    void blocksGivenBackByAnotherThreadThroughAQueueAreNeverLostNorHandedOutTwice(int threads) throws Exception {
        crossThreadFrees(threads, false, 200_000 / threads);
    }

    @Test
    void tenThousandVirtualThreadsShareTheMagazines() throws Exception {
        crossThreadFrees(10_000, true, 40);
    }

    private static void crossThreadFrees(int threads, boolean virtual, int perThread) throws Exception {
        int blocks = 512;
        try (PoolAllocator pool = pool(blocks, LEAKS_FAIL.withTrackStats(true).withAllowGrowth(true))) {
            ConcurrentLinkedQueue<long[]> queue = new ConcurrentLinkedQueue<>();
            AtomicLongArray owners = new AtomicLongArray(64 * 1024);
            List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger allocations = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(threads);
            Thread.Builder builder = virtual ? Thread.ofVirtual() : Thread.ofPlatform();
            for (int t = 0; t < threads; t++) {
                long id = t + 1;
                builder.start(() -> {
                    try {
                        for (int i = 0; i < perThread; i++) {
                            long handle = pool.allocateHandle();
                            allocations.incrementAndGet();
                            long stamp = id << 32 | i;
                            int slot = slot(pool, handle);
                            long before = owners.compareAndExchange(slot, 0, stamp);
                            if (before != 0) {
                                throw new AssertionError("block " + slot + " handed out to " + Long.toHexString(stamp)
                                        + " while " + Long.toHexString(before) + " holds it");
                            }
                            pool.segmentOf(handle).set(ValueLayout.JAVA_LONG, PoolAllocator.offsetOf(handle) + 8,
                                    stamp);
                            queue.add(new long[] {handle, stamp});
                            if (virtual && i % 8 == 0) {
                                Thread.yield();   // let the carrier run another virtual thread mid-way
                            }
                            long[] received = queue.poll();
                            if (received != null) {
                                giveBack(pool, owners, received);
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    } finally {
                        done.countDown();
                    }
                });
            }
            done.await();
            for (long[] left; (left = queue.poll()) != null; ) {
                giveBack(pool, owners, left);
            }
            assertTrue(failures.isEmpty(), () -> failures.size() + " failures, the first: " + failures.getFirst());
            assertEquals(pool.blockCount(), pool.freeBlocks(), "every block came back");
            AllocationStatistics stats = pool.statistics().orElseThrow();
            assertEquals(allocations.get(), stats.allocations());
            assertEquals(allocations.get(), stats.deallocations());
            assertEquals(0, stats.currentBytes());
            for (int i = 0; i < owners.length(); i++) {
                assertEquals(0, owners.get(i), "block " + i + " still claimed");
            }
        }   // LeakPolicy.FAIL: throws if the pool's count of blocks in use drifted
    }

    /** A slot per block: its chunk and its index there. */
    private static int slot(PoolAllocator pool, long handle) {
        return (int) (Handles.chunk(handle) * 1024 + PoolAllocator.offsetOf(handle) / pool.stride());
    }

    private static void giveBack(PoolAllocator pool, AtomicLongArray owners, long[] received) {
        long handle = received[0];
        long stamp = received[1];
        long found = pool.segmentOf(handle).get(ValueLayout.JAVA_LONG, PoolAllocator.offsetOf(handle) + 8);
        if (found != stamp) {
            throw new AssertionError("block " + Long.toHexString(handle) + " of " + Long.toHexString(stamp)
                    + " was overwritten by " + Long.toHexString(found));
        }
        if (!owners.compareAndSet(slot(pool, handle), stamp, 0)) {
            throw new AssertionError("block " + Long.toHexString(handle) + " is not claimed by its holder");
        }
        pool.deallocateHandle(handle);
    }
}
