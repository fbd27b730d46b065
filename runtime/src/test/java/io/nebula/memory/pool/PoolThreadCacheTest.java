package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.Scope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A thread's cache of a pool ({@link PoolAllocator#threadCache()}), one behaviour at a time: one cache per thread,
 * bound to it ({@link ErrorCode#WRONG_THREAD} from any other); blocks that go back and forth between caches and the
 * pool, each handed out once and caught when given back twice; blocks in a cache that count as free but that only
 * its thread can take, so that another thread finds the pool full until the cache is closed or its thread ends;
 * resets, scopes, closing, virtual threads, and every configuration (statistics, fill pattern, zero on release,
 * checked mode, growth) through the cache. The pools have {@value #BLOCKS} blocks unless a test says otherwise, so
 * that each cache holds at least two blocks whatever the number of processors; {@link #capacity(int)} is how many.
 */
class PoolThreadCacheTest {

    private static final long BLOCK = 64;
    private static final int BLOCKS = 256;

    /** Closing with a block still handed out throws, unless a test says otherwise. */
    private static final PoolConfig LEAKS_FAIL = PoolConfig.defaults().withLeakPolicy(LeakPolicy.FAIL);
    private static final PoolConfig LEAKS_IGNORED = PoolConfig.defaults().withLeakPolicy(LeakPolicy.IGNORE);

    private static PoolAllocator pool(int blocks, PoolConfig config) {
        return PoolAllocator.create(BLOCK, 8, blocks, config.withThreadSafe(true));
    }

    /**
     * The most blocks a thread's cache holds in a pool whose first chunk has {@code blocks} blocks: one magazine's,
     * {@code min(64, blocks / (2 * stripes))}, or 0 when that is below 2.
     */
    private static int capacity(int blocks) {
        int stripes = SharedPool.stripes(Runtime.getRuntime().availableProcessors());
        int perMagazine = (int) Math.min(SharedPool.MAX_MAGAZINE_BLOCKS, blocks / (2L * stripes));
        return perMagazine < 2 ? 0 : perMagazine;
    }

    private static AllocationException fails(ErrorCode code, Executable call) {
        AllocationException e = assertThrows(AllocationException.class, call);
        assertEquals(code, e.code(), e::getMessage);
        return e;
    }

    /** Takes {@code count} blocks by handle from {@code from}. */
    private static List<Long> take(PoolAllocator from, int count) {
        List<Long> handles = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            handles.add(from.allocateHandle());
        }
        return handles;
    }

    /** Takes blocks by handle from {@code from} until it reports the pool full: every handle, each once. */
    private static Set<Long> takeUntilFull(PoolAllocator from) {
        Set<Long> taken = new HashSet<>();
        while (true) {
            long handle;
            try {
                handle = from.allocateHandle();
            } catch (AllocationException e) {
                assertEquals(ErrorCode.OUT_OF_MEMORY, e.code(), e::getMessage);
                return taken;
            }
            assertTrue(taken.add(handle), () -> "block " + Long.toHexString(handle) + " handed out twice");
        }
    }

    private static boolean mentionsThreadCaches(AllocationException e) {
        return e.details().contains("held in threads' caches")
                || e.suggestions().stream().anyMatch(s -> s.contains("threadCache()"));
    }

    @Test
    void eachThreadGetsOneCacheOfItsOwn() throws Exception {
        try (PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL); Worker other = Worker.platform("other")) {
            PoolAllocator cache = pool.threadCache();
            assertInstanceOf(ThreadCache.class, cache);
            assertNotSame(pool, cache);
            assertSame(cache, pool.threadCache(), "the same cache on every call from one thread");
            assertSame(cache, cache.threadCache(), "a cache is its thread's cache");
            PoolAllocator others = other.call(() -> {
                PoolAllocator first = pool.threadCache();
                assertSame(first, pool.threadCache());
                return first;
            });
            assertNotSame(cache, others, "each thread has a cache of its own");
            assertSame(cache, pool.threadCache(), "still this thread's after another thread asked for its own");
            assertEquals(pool.config(), cache.config());
            assertEquals(pool.blockSize(), cache.blockSize());
            assertEquals(pool.blockAlignment(), cache.blockAlignment());
            assertEquals(pool.stride(), cache.stride());
            assertEquals(pool.blockCount(), cache.blockCount());
            assertEquals(pool.segment(), cache.segment());
            Thread self = Thread.currentThread();
            assertEquals(pool.toString().replace("]", ", cache of thread \"" + self.getName() + "\" (id "
                    + self.threadId() + ")]"), cache.toString(), "the pool's description, and whose cache it is");
            assertFalse(cache.isClosed());
        }
    }

    @Test
    void aConfinedPoolIsItsOwnThreadCache() throws Exception {
        PoolAllocator pool = PoolAllocator.create(BLOCK, 8, BLOCKS, LEAKS_FAIL);
        assertSame(pool, pool.threadCache());
        try (Worker other = Worker.platform("other")) {
            AllocationException e = fails(ErrorCode.WRONG_THREAD, () -> other.run(pool::threadCache));
            assertTrue(e.details().contains("\"other\""), e::getMessage);
        }
        pool.close();
        fails(ErrorCode.CLOSED, pool::threadCache);
    }

    @Test
    void theCacheHoldsAsManyBlocksAsOneOfThePoolsMagazines() {
        int capacity = capacity(BLOCKS);
        try (PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL)) {
            PoolAllocator cache = pool.threadCache();
            assertEquals(capacity, ((ThreadCache) cache).capacity());
            List<Long> held = take(cache, capacity + 1);
            long cached = pool.blocksInThreadCaches();
            assertTrue(cached >= 0 && cached < capacity, "an empty cache refills with at most its capacity: "
                    + cached);
            assertEquals(BLOCKS - capacity - 1, pool.freeBlocks(), "blocks in the cache count as free");
            cache.close();
            assertEquals(0, pool.blocksInThreadCaches(), "close gives the cached blocks back");
            assertEquals(BLOCKS - capacity - 1, pool.freeBlocks());
            for (int i = 0; i < capacity; i++) {
                cache.deallocateHandle(held.get(i));
                assertEquals(i + 1, pool.blocksInThreadCaches(), "each block given back goes into the cache");
            }
            assertEquals(1, pool.threadCacheCount());
            cache.deallocateHandle(held.get(capacity));
            assertEquals(1, pool.blocksInThreadCaches(), "a full cache moves all its blocks to the free list first");
            assertEquals(BLOCKS, pool.freeBlocks());
            assertEquals(0, pool.usedBytes());
        }
    }

    @Test
    void blocksGoBackAndForthBetweenCachesAndThePool() throws Exception {
        try (PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL.withTrackStats(true));
             Worker other = Worker.platform("other")) {
            PoolAllocator cache = pool.threadCache();
            MemorySegment fromCache = cache.allocate();
            assertEquals(BLOCK, fromCache.byteSize());
            pool.deallocate(fromCache);
            MemorySegment fromPool = pool.allocate();
            cache.deallocate(fromPool);
            long handleFromCache = cache.allocateHandle();
            pool.deallocateHandle(handleFromCache);
            long handleFromPool = pool.allocateHandle();
            cache.deallocateHandle(handleFromPool);
            MemorySegment small = cache.allocate(16, 8);
            assertEquals(16, small.byteSize());
            pool.deallocate(small);

            // A block taken through one thread's cache, written there, read and given back through another's.
            MemorySegment mine = cache.allocate();
            mine.set(ValueLayout.JAVA_LONG, 8, 0x1234_5678_9ABCL);
            other.run(() -> {
                assertEquals(0x1234_5678_9ABCL, mine.get(ValueLayout.JAVA_LONG, 8));
                pool.threadCache().deallocate(mine);
            });
            MemorySegment theirs = other.call(() -> {
                MemorySegment segment = pool.threadCache().allocate();
                segment.set(ValueLayout.JAVA_LONG, 8, 42L);
                return segment;
            });
            assertEquals(42L, theirs.get(ValueLayout.JAVA_LONG, 8));
            cache.deallocate(theirs);
            long theirHandle = other.call(() -> pool.threadCache().allocateHandle());
            cache.deallocateHandle(theirHandle);
            long myHandle = cache.allocateHandle();
            other.run(() -> pool.threadCache().deallocateHandle(myHandle));
            other.run(() -> pool.threadCache().close());   // its blocks back to the pool, for the count below

            assertEquals(0, pool.usedBytes());
            assertEquals(BLOCKS, pool.freeBlocks());
            AllocationStatistics stats = pool.statistics().orElseThrow();
            assertEquals(9, stats.allocations());
            assertEquals(9, stats.deallocations());
            assertEquals(0, stats.currentBytes());
            assertEquals(BLOCKS, takeUntilFull(cache).size(), "every block once, whichever way it came back");
            pool.reset();
        }   // LeakPolicy.FAIL: no block was counted in use twice
    }

    @Test
    void aBlockGivenBackTwiceThroughACacheIsADoubleFree() throws Exception {
        try (PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL); Worker other = Worker.platform("other")) {
            PoolAllocator cache = pool.threadCache();
            long handle = cache.allocateHandle();
            cache.deallocateHandle(handle);   // now in this thread's cache
            PoolState before = PoolState.of(pool);
            fails(ErrorCode.DOUBLE_FREE, () -> cache.deallocateHandle(handle));
            fails(ErrorCode.DOUBLE_FREE, () -> pool.deallocateHandle(handle));
            fails(ErrorCode.DOUBLE_FREE, () -> other.run(() -> pool.threadCache().deallocateHandle(handle)));
            assertEquals(before, PoolState.of(pool));

            MemorySegment viaPool = cache.allocate();
            pool.deallocate(viaPool);
            fails(ErrorCode.DOUBLE_FREE, () -> cache.deallocate(viaPool));
            MemorySegment viaCache = pool.allocate();
            cache.deallocate(viaCache);
            fails(ErrorCode.DOUBLE_FREE, () -> pool.deallocate(viaCache));
            MemorySegment viaOther = cache.allocate();
            other.run(() -> pool.threadCache().deallocate(viaOther));
            fails(ErrorCode.DOUBLE_FREE, () -> cache.deallocate(viaOther));
            other.run(() -> pool.threadCache().close());   // its blocks back to the pool, for the count below

            long neverHandedOut = Handles.of(0, (BLOCKS - 1) * BLOCK);
            AllocationException e = fails(ErrorCode.DOUBLE_FREE, () -> cache.deallocateHandle(neverHandedOut));
            assertTrue(e.details().contains("has not been handed out"), e::getMessage);
            assertEquals(BLOCKS, pool.freeBlocks());
            assertEquals(BLOCKS, takeUntilFull(cache).size(), "no refused give-back put a block in a cache twice");
            pool.reset();
        }
    }

    @Test
    void aSegmentOrHandleNotOfAPoolBlockIsForeignToTheCache() throws Exception {
        try (PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL); PoolAllocator another = pool(BLOCKS, LEAKS_IGNORED);
             Arena arena = Arena.ofConfined()) {
            PoolAllocator cache = pool.threadCache();
            MemorySegment block = cache.allocate();
            PoolState before = PoolState.of(pool);
            fails(ErrorCode.FOREIGN_SEGMENT, () -> cache.deallocate(MemorySegment.ofArray(new byte[64])));
            fails(ErrorCode.FOREIGN_SEGMENT, () -> cache.deallocate(arena.allocate(BLOCK, 8)));
            fails(ErrorCode.FOREIGN_SEGMENT, () -> cache.deallocate(another.allocate()));
            fails(ErrorCode.FOREIGN_SEGMENT, () -> cache.deallocate(block.asSlice(8, 16)));
            fails(ErrorCode.FOREIGN_SEGMENT, () -> cache.deallocate(pool.segment().asSlice(0, 2 * BLOCK)));
            fails(ErrorCode.FOREIGN_SEGMENT, () -> cache.deallocateHandle(Handles.of(5, 0)));
            fails(ErrorCode.FOREIGN_SEGMENT, () -> cache.deallocateHandle(Handles.of(0, BLOCKS * BLOCK)));
            fails(ErrorCode.FOREIGN_SEGMENT, () -> cache.deallocateHandle(Handles.of(0, 8)));
            fails(ErrorCode.FOREIGN_SEGMENT, () -> cache.deallocateHandle(-1));
            assertEquals(before, PoolState.of(pool), "a refused give-back changes nothing");
            cache.deallocate(block);
            assertEquals(BLOCKS, pool.freeBlocks());
        }
    }

    @Test
    void invalidRequestsThroughTheCacheAreRefusedAndCounted() {
        try (PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL.withTrackStats(true))) {
            PoolAllocator cache = pool.threadCache();
            cache.deallocate(cache.allocate());   // the cache holds blocks: the short path would serve a request
            PoolState before = PoolState.of(pool);
            fails(ErrorCode.INVALID_SIZE, () -> cache.allocate(BLOCK + 1, 8));
            fails(ErrorCode.INVALID_SIZE, () -> cache.allocate(-1, 8));
            fails(ErrorCode.INVALID_ALIGNMENT, () -> cache.allocate(8, 3));
            fails(ErrorCode.INVALID_ALIGNMENT, () -> cache.allocate(8, 2 * pool.blockAlignment()));
            assertEquals(before, PoolState.of(pool));
            assertEquals(4, pool.statistics().orElseThrow().failedAllocations());
        }
    }

    @Test
    void aCacheCalledFromAnotherThreadThrowsWrongThreadNamingBothThreads() throws Exception {
        try (PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL);
             Worker owner = Worker.platform("cache-owner");
             Worker intruder = Worker.platform("cache-intruder")) {
            PoolAllocator cache = owner.call(pool::threadCache);
            MemorySegment segment = owner.call(cache::allocate);
            long handle = owner.call(cache::allocateHandle);
            owner.run(() -> cache.deallocate(cache.allocate()));   // the cache holds blocks: its short path is live
            PoolState before = PoolState.of(pool);
            String expected = "thread \"cache-intruder\" (id " + intruder.thread().threadId() + ") called the cache"
                    + " of thread \"cache-owner\" (id " + owner.thread().threadId() + ")";
            List<Executable> calls = List.of(
                    () -> intruder.run(cache::allocate),
                    () -> intruder.run(() -> cache.allocate(16, 8)),
                    () -> intruder.run(cache::allocateHandle),
                    () -> intruder.run(() -> cache.deallocate(segment)),
                    () -> intruder.run(() -> cache.deallocateHandle(handle)),
                    () -> intruder.run(cache::close),
                    () -> intruder.run(cache::scope),
                    () -> intruder.run(cache::threadCache),
                    () -> intruder.run(cache::reset),
                    () -> cache.allocateHandle());   // the test's own thread
            for (Executable call : calls.subList(0, calls.size() - 1)) {
                AllocationException e = fails(ErrorCode.WRONG_THREAD, call);
                assertTrue(e.details().contains(expected), e::getMessage);
            }
            AllocationException e = fails(ErrorCode.WRONG_THREAD, calls.getLast());
            assertTrue(e.details().contains("\"" + Thread.currentThread().getName() + "\""), e::getMessage);
            assertTrue(e.details().contains("\"cache-owner\""), e::getMessage);
            assertEquals(before, PoolState.of(pool), "a refused call changes nothing");
            owner.run(() -> {
                cache.deallocate(segment);   // still in use: the intruder's give-back did not happen
                cache.deallocateHandle(handle);
            });
            assertEquals(BLOCKS, pool.freeBlocks());
        }
    }

    @Test
    void aCacheOfAClosedPoolThrowsClosed() throws Exception {
        PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL);
        PoolAllocator cache = pool.threadCache();
        MemorySegment segment = cache.allocate();
        long handle = cache.allocateHandle();
        cache.deallocate(segment);
        cache.deallocateHandle(handle);   // the cache holds blocks: its short path would serve an allocation
        try (Worker other = Worker.platform("other"); Worker virtual = Worker.virtual("virtual")) {
            PoolAllocator othersCache = other.call(() -> {
                PoolAllocator own = pool.threadCache();
                own.deallocate(own.allocate());
                return own;
            });
            PoolAllocator virtualCache = virtual.call(() -> {
                PoolAllocator own = pool.threadCache();
                own.deallocate(own.allocate());
                return own;
            });
            pool.close();   // no block in use: LeakPolicy.FAIL does not throw
            assertTrue(cache.isClosed());
            fails(ErrorCode.CLOSED, cache::allocate);
            fails(ErrorCode.CLOSED, () -> cache.allocate(16, 8));
            fails(ErrorCode.CLOSED, cache::allocateHandle);
            fails(ErrorCode.CLOSED, () -> cache.deallocate(segment));
            fails(ErrorCode.CLOSED, () -> cache.deallocateHandle(handle));
            fails(ErrorCode.CLOSED, cache::close);
            fails(ErrorCode.CLOSED, cache::scope);
            fails(ErrorCode.CLOSED, cache::threadCache);
            fails(ErrorCode.CLOSED, cache::reset);
            fails(ErrorCode.CLOSED, pool::threadCache);
            fails(ErrorCode.CLOSED, () -> other.run(othersCache::allocate));
            fails(ErrorCode.CLOSED, () -> other.run(othersCache::close));
            fails(ErrorCode.CLOSED, () -> other.run(cache::allocate));   // CLOSED before WRONG_THREAD
            fails(ErrorCode.CLOSED, () -> other.run(pool::threadCache));
            fails(ErrorCode.CLOSED, () -> virtual.run(virtualCache::allocate));
            fails(ErrorCode.CLOSED, () -> virtual.run(virtualCache::close));
            pool.close();   // closing again does nothing
        }
    }

    @Test
    void closingACacheGivesItsBlocksBackAndLeavesThePoolAndTheCacheUsable() throws Exception {
        try (PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL); Worker other = Worker.platform("other")) {
            PoolAllocator cache = pool.threadCache();
            List<Long> held = take(cache, BLOCKS);
            int kept = Math.min(5, capacity(BLOCKS));
            Set<Long> givenBack = new HashSet<>(held.subList(0, kept));
            givenBack.forEach(cache::deallocateHandle);
            assertEquals(kept, pool.blocksInThreadCaches());
            fails(ErrorCode.OUT_OF_MEMORY, () -> other.run(pool::allocateHandle));

            cache.close();
            assertFalse(pool.isClosed());
            assertFalse(cache.isClosed());
            assertEquals(0, pool.blocksInThreadCaches());
            assertEquals(kept, pool.freeBlocks());
            cache.close();   // an empty cache: nothing to do
            Set<Long> taken = other.call(() -> takeUntilFull(pool));
            assertEquals(givenBack, taken, "another thread takes exactly the blocks the cache held");

            other.run(() -> taken.forEach(pool::deallocateHandle));   // into the shared caches
            assertEquals(taken, takeUntilFull(cache), "the closed cache refills on its next allocation");
            try (PoolAllocator again = pool.threadCache()) {
                assertSame(cache, again);
                again.deallocateHandle(held.get(kept));
            }   // try-with-resources closes the cache, not the pool
            assertFalse(pool.isClosed());
            assertEquals(1, pool.freeBlocks());
            assertEquals(0, pool.blocksInThreadCaches());
            pool.reset();
        }
    }

    @Test
    void anotherThreadFindsThePoolFullWhileCachesHoldFreeBlocks() throws Exception {
        int capacity = capacity(BLOCKS);
        int mine = capacity - 1;
        int theirs = 1;
        try (PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL.withTrackStats(true));
             Worker holder = Worker.platform("holder"); Worker other = Worker.platform("other")) {
            PoolAllocator cache = pool.threadCache();
            List<Long> held = take(cache, BLOCKS);
            List<Long> keptByMe = held.subList(0, mine);
            List<Long> keptByHolder = held.subList(mine, mine + theirs);
            keptByMe.forEach(cache::deallocateHandle);
            PoolAllocator holderCache = holder.call(() -> {
                PoolAllocator own = pool.threadCache();
                keptByHolder.forEach(own::deallocateHandle);
                return own;
            });
            assertEquals(mine + theirs, pool.freeBlocks(), "blocks in caches count as free");
            assertEquals(mine + theirs, pool.blocksInThreadCaches());

            for (boolean throughCache : new boolean[] {false, true}) {
                AllocationException e = fails(ErrorCode.OUT_OF_MEMORY, () -> other.run(() ->
                        (throughCache ? pool.threadCache() : pool).allocateHandle()));
                assertTrue(e.details().contains("are in use or held in threads' caches"), e::getMessage);
                String count = (mine + theirs) + " free block(s) sit in the caches of 2 thread(s) (threadCache())";
                assertTrue(e.suggestions().stream().anyMatch(s -> s.contains(count)), e::getMessage);
                assertEquals((mine + theirs) * pool.stride(), e.availableBytes());
            }
            assertEquals(2, pool.statistics().orElseThrow().failedAllocations());

            cache.close();
            Set<Long> taken = other.call(() -> {
                Set<Long> blocks = new HashSet<>(take(pool, mine));
                AllocationException e = fails(ErrorCode.OUT_OF_MEMORY, pool::allocateHandle);
                assertTrue(e.suggestions().stream().anyMatch(s -> s.contains(
                        theirs + " free block(s) sit in the caches of 1 thread(s)")), e::getMessage);
                return blocks;
            });
            assertEquals(new HashSet<>(keptByMe), taken);

            holder.run(holderCache::close);
            Set<Long> rest = other.call(() -> takeUntilFull(pool.threadCache()));
            assertEquals(new HashSet<>(keptByHolder), rest);
            AllocationException e = fails(ErrorCode.OUT_OF_MEMORY, () -> other.run(pool::allocateHandle));
            assertFalse(mentionsThreadCaches(e), e::getMessage);
            assertTrue(e.details().contains("are in use and the pool may not grow"), e::getMessage);
            pool.reset();
        }
    }

    @Test
    void aGrowingPoolGrowsWhileAnotherThreadsCacheHoldsFreeBlocks() throws Exception {
        int capacity = capacity(BLOCKS);
        try (PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL.withAllowGrowth(true));
             Worker other = Worker.platform("other")) {
            PoolAllocator cache = pool.threadCache();
            List<Long> held = take(cache, BLOCKS);
            held.subList(0, capacity).forEach(cache::deallocateHandle);
            long grown = other.call(pool::allocateHandle);
            assertEquals(1, Handles.chunk(grown), "the block comes from a new chunk");
            assertEquals(2, pool.chunkCount());
            assertEquals(2L * BLOCKS - BLOCKS + capacity - 1, pool.freeBlocks());
            other.run(() -> pool.deallocateHandle(grown));
            held.subList(capacity, BLOCKS).forEach(cache::deallocateHandle);
            assertEquals(2L * BLOCKS, pool.freeBlocks());
        }
    }

    enum Reclaimer {
        /** A thread that allocates from the pool itself, and finds it full. */
        POOL,
        /** A thread that asks for its cache after the thread has ended. */
        NEW_CACHE,
        /** A thread whose cache, asked for before the thread ended, finds the pool full. */
        EXISTING_CACHE
    }

    @ParameterizedTest(name = "reclaimed by {0}")
    @EnumSource(Reclaimer.class)
    void theBlocksInTheCacheOfAThreadThatEndedGoBackToThePool(Reclaimer reclaimer) throws Exception {
        int capacity = capacity(BLOCKS);
        try (PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL); Worker other = Worker.platform("other")) {
            PoolAllocator othersCache = other.call(pool::threadCache);
            List<Long> held = new ArrayList<>();
            Set<Long> cached = new HashSet<>();
            Throwable[] thrown = new Throwable[1];
            Thread ending = Thread.ofPlatform().name("ending").start(() -> {
                try {
                    PoolAllocator cache = pool.threadCache();
                    List<Long> all = take(cache, BLOCKS);
                    cached.addAll(all.subList(0, capacity));
                    cached.forEach(cache::deallocateHandle);   // fills the cache, short of a flush
                    held.addAll(all.subList(capacity, BLOCKS));
                } catch (Throwable e) {
                    thrown[0] = e;
                }
            });
            ending.join();
            assertNull(thrown[0]);
            assertFalse(ending.isAlive());
            assertEquals(BLOCKS - capacity, held.size());
            assertEquals(capacity, pool.freeBlocks());
            assertEquals(capacity, pool.blocksInThreadCaches(), "kept until the pool needs them");

            PoolAllocator from = switch (reclaimer) {
                case POOL -> pool;
                case NEW_CACHE -> {
                    PoolAllocator cache = pool.threadCache();
                    assertEquals(0, pool.blocksInThreadCaches(), "a new cache reclaims the ended thread's blocks");
                    yield cache;
                }
                case EXISTING_CACHE -> othersCache;
            };
            Set<Long> taken = from == othersCache ? other.call(() -> takeUntilFull(othersCache)) : takeUntilFull(from);
            assertEquals(cached, taken, "every block the ended thread's cache held, each once");
            assertEquals(0, pool.blocksInThreadCaches());
            AllocationException e = fails(ErrorCode.OUT_OF_MEMORY, pool::allocateHandle);
            assertFalse(mentionsThreadCaches(e), e::getMessage);
            held.forEach(pool::deallocateHandle);
            taken.forEach(pool::deallocateHandle);
            assertEquals(BLOCKS, pool.freeBlocks());
            assertEquals(0, pool.usedBytes());
        }   // LeakPolicy.FAIL
    }

    @Test
    void countsAndStatisticsAreExactWithBlocksInThreadCaches() throws Exception {
        try (PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL.withTrackStats(true));
             Worker other = Worker.platform("other")) {
            long stride = pool.stride();
            PoolAllocator cache = pool.threadCache();
            List<MemorySegment> segments = new ArrayList<>();
            List<Long> handles = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                if (i % 2 == 0) {
                    segments.add(cache.allocate());
                } else {
                    handles.add(cache.allocateHandle());
                }
            }
            for (int i = 0; i < 15; i++) {
                if (i % 2 == 0) {
                    cache.deallocate(segments.removeLast());
                } else {
                    cache.deallocateHandle(handles.removeLast());
                }
            }
            assertEquals(25 * stride, pool.usedBytes());
            List<Long> theirs = other.call(() -> {
                PoolAllocator own = pool.threadCache();
                List<Long> blocks = take(own, 30);
                for (int i = 0; i < 10; i++) {
                    own.deallocateHandle(blocks.removeLast());
                }
                return blocks;
            });
            List<Long> direct = take(pool, 5);
            cache.deallocateHandle(theirs.removeLast());
            cache.deallocateHandle(theirs.removeLast());
            long inUse = 40 - 15 + 30 - 10 + 5 - 2;
            assertTrue(pool.blocksInThreadCaches() > 0, "the counts below hold while caches hold blocks");

            assertEquals(inUse * stride, pool.usedBytes());
            assertEquals(BLOCKS - inUse, pool.freeBlocks());
            assertEquals((BLOCKS - inUse) * stride, pool.availableBytes());
            assertTrue(pool.toString().contains("free=" + (BLOCKS - inUse)), pool::toString);
            AllocationStatistics stats = pool.statistics().orElseThrow();
            assertEquals(75, stats.allocations());
            assertEquals(27, stats.deallocations());
            assertEquals(75 * stride, stats.bytesAllocated());
            assertEquals(27 * stride, stats.bytesFreed());
            assertEquals(inUse * stride, stats.currentBytes());
            assertEquals(55 * stride, stats.peakBytes(), "25 in use, then 30 more before 10 came back");
            assertEquals(0, stats.failedAllocations());
            assertEquals(pool.usedBytes(), cache.usedBytes(), "the cache reports the pool's counts");
            assertEquals(pool.freeBlocks(), cache.freeBlocks());
            assertEquals(stats, cache.statistics().orElseThrow());

            segments.forEach(cache::deallocate);
            handles.forEach(cache::deallocateHandle);
            other.run(() -> theirs.forEach(pool.threadCache()::deallocateHandle));
            direct.forEach(cache::deallocateHandle);
            assertEquals(0, pool.usedBytes());
            assertEquals(BLOCKS, pool.freeBlocks());
            assertEquals(0, pool.statistics().orElseThrow().currentBytes());
        }   // LeakPolicy.FAIL: no block counted in use
    }

    @Test
    void closeReportsExactlyTheBlocksInUseWhateverTheCachesHold() throws Exception {
        PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL);
        PoolAllocator cache = pool.threadCache();
        List<Long> held = take(cache, 20);
        try (Worker other = Worker.platform("other")) {
            other.run(() -> held.subList(0, 8).forEach(pool.threadCache()::deallocateHandle));
            held.subList(8, 17).forEach(cache::deallocateHandle);
            assertTrue(pool.blocksInThreadCaches() > 0);
            AllocationException e = fails(ErrorCode.LEAK, pool::close);
            assertTrue(e.getMessage().contains("closed with 3 live allocation(s) holding 192 bytes"), e::getMessage);
        }
    }

    @Test
    void closeCountsTheBlocksInAnEndedThreadsCacheAsFree() throws Exception {
        PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL);
        List<Long> held = take(pool, 3);
        try (Worker ending = Worker.platform("ending")) {
            ending.run(() -> {
                PoolAllocator cache = pool.threadCache();
                cache.deallocate(cache.allocate());
                held.forEach(cache::deallocateHandle);
            });
        }
        assertTrue(pool.blocksInThreadCaches() > 0, "the ended thread's cache holds blocks, not yet reclaimed");
        assertEquals(0, pool.usedBytes());
        pool.close();   // LeakPolicy.FAIL: no block is in use
    }

    /**
     * After close a pool still describes what it held when it closed (as a confined pool does, see
     * PoolAllocatorTest.closeIsIdempotentAndMakesEverySegmentInaccessible): the blocks its threads' caches held
     * were free, as the leak report at close counted them.
     */
    @Test
    void aClosedPoolStillCountsTheBlocksItsThreadCachesHeldAsFree() throws Exception {
        PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL.withTrackStats(true));
        PoolAllocator cache = pool.threadCache();
        MemorySegment kept = cache.allocate();
        cache.deallocate(cache.allocate());
        try (Worker other = Worker.platform("other")) {
            other.run(() -> pool.threadCache().deallocate(kept));
            assertTrue(pool.blocksInThreadCaches() > 0);
            assertEquals(0, pool.usedBytes());
            pool.close();   // LeakPolicy.FAIL: no leak reported, so no block was in use
        }
        assertEquals(0, pool.usedBytes(), pool::toString);
        assertEquals(BLOCKS, pool.freeBlocks(), pool::toString);
        assertEquals(0, pool.statistics().orElseThrow().currentBytes());
        assertTrue(pool.toString().contains("free=" + BLOCKS), pool::toString);
    }

    @ParameterizedTest(name = "reset through the cache: {0}")
    @ValueSource(booleans = {false, true})
    void resetEmptiesEveryThreadsCache(boolean throughCache) throws Exception {
        try (PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL.withTrackStats(true));
             Worker holder = Worker.platform("holder"); Worker other = Worker.platform("other")) {
            PoolAllocator cache = pool.threadCache();
            List<Long> mine = take(cache, 100);
            mine.subList(0, 10).forEach(cache::deallocateHandle);
            PoolAllocator holderCache = holder.call(() -> {
                PoolAllocator own = pool.threadCache();
                List<Long> blocks = take(own, 50);
                blocks.subList(0, 5).forEach(own::deallocateHandle);
                return own;
            });
            assertTrue(pool.blocksInThreadCaches() > 0);
            fails(ErrorCode.WRONG_THREAD, () -> other.run(cache::reset));

            if (throughCache) {
                cache.reset();
            } else {
                pool.reset();
            }
            assertEquals(0, pool.blocksInThreadCaches(), "every thread's cache is empty");
            assertEquals(BLOCKS, pool.freeBlocks());
            assertEquals(0, pool.usedBytes());
            assertEquals(0, pool.statistics().orElseThrow().currentBytes());
            Set<Long> taken = other.call(() -> takeUntilFull(pool));
            assertEquals(BLOCKS, taken.size(), "another thread takes every block");
            other.run(() -> taken.forEach(pool::deallocateHandle));

            MemorySegment again = holder.call(holderCache::allocate);   // the emptied caches still work
            holder.run(() -> {
                holderCache.deallocate(again);
                holderCache.close();
            });
            cache.deallocate(cache.allocate());
            assertEquals(BLOCKS, takeUntilFull(cache).size());
            pool.reset();
        }
    }

    @Test
    void aScopeOpenedThroughTheCacheGivesBackTheBlocksTheCacheTookInIt() {
        try (PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL.withTrackStats(true))) {
            PoolAllocator cache = pool.threadCache();
            MemorySegment outside = cache.allocate();
            List<MemorySegment> segments = new ArrayList<>();
            List<Long> handles = new ArrayList<>();
            try (Scope scope = cache.scope()) {
                assertFalse(scope.isClosed());
                for (int i = 0; i < 5; i++) {
                    segments.add(cache.allocate());
                }
                handles.addAll(take(cache, 3));
                handles.addAll(take(pool, 2));
                cache.deallocateHandle(handles.removeLast());   // given back by hand: the scope skips it
                cache.deallocate(segments.removeFirst());
                assertEquals(9 * pool.stride(), pool.usedBytes());
            }
            assertEquals(pool.stride(), pool.usedBytes(), "the scope gave back every block taken in it");
            assertEquals(BLOCKS - 1, pool.freeBlocks());
            AllocationStatistics stats = pool.statistics().orElseThrow();
            assertEquals(11, stats.allocations());
            assertEquals(10, stats.deallocations());
            fails(ErrorCode.DOUBLE_FREE, () -> cache.deallocate(segments.getFirst()));
            fails(ErrorCode.DOUBLE_FREE, () -> cache.deallocateHandle(handles.getFirst()));
            cache.deallocate(outside);
            assertEquals(BLOCKS, takeUntilFull(cache).size());
            pool.reset();
        }
    }

    @Test
    void aVirtualThreadsCacheHoldsNoBlocks() throws Exception {
        try (PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL); Worker virtual = Worker.virtual("virtual")) {
            Set<Long> used = new HashSet<>();
            PoolAllocator cache = virtual.call(() -> {
                PoolAllocator own = pool.threadCache();
                assertInstanceOf(ThreadCache.class, own);
                assertNotSame(pool, own);
                used.addAll(take(own, 20));
                used.forEach(own::deallocateHandle);
                return own;
            });
            assertTrue(virtual.thread().isAlive() && virtual.thread().isVirtual());
            assertEquals(0, ((ThreadCache) cache).capacity(), "no cache of its own");
            assertEquals(0, pool.blocksInThreadCaches());
            assertEquals(0, pool.threadCacheCount());
            assertEquals(BLOCKS, pool.freeBlocks());
            fails(ErrorCode.WRONG_THREAD, cache::allocate);

            Set<Long> taken = takeUntilFull(pool);
            assertEquals(BLOCKS, taken.size(), "every block, while the virtual thread lives");
            assertTrue(taken.containsAll(used));
            AllocationException e = fails(ErrorCode.OUT_OF_MEMORY, pool::allocateHandle);
            assertFalse(mentionsThreadCaches(e), e::getMessage);
            taken.forEach(pool::deallocateHandle);
            assertEquals(BLOCKS, virtual.call(() -> takeUntilFull(cache)).size());
            pool.reset();
        }
    }

    @Test
    void aPoolTooSmallForMagazinesGivesCachesThatHoldNoBlocks() throws Exception {
        int blocks = 4;
        assertEquals(0, capacity(blocks));
        try (PoolAllocator pool = pool(blocks, LEAKS_FAIL); Worker other = Worker.platform("other")) {
            PoolAllocator cache = pool.threadCache();
            assertNotSame(pool, cache);
            assertEquals(0, ((ThreadCache) cache).capacity());
            List<Long> held = take(cache, blocks);
            held.subList(0, 2).forEach(cache::deallocateHandle);
            assertEquals(0, pool.blocksInThreadCaches());
            assertEquals(2, pool.freeBlocks());
            assertEquals(new HashSet<>(held.subList(0, 2)), other.call(() -> takeUntilFull(pool)));
            fails(ErrorCode.WRONG_THREAD, () -> other.run(cache::allocate));
            pool.reset();
        }
    }

    @Test
    void onlyACacheThatHoldsBlocksIsTheSameObjectOnEveryCall() throws Exception {
        // PoolAllocator.threadCache(): a cache that holds nothing (a virtual thread's, or any thread's on a pool
        // too small for shared caches) is a new object on each call; a platform thread's cache that holds blocks is
        // the same one.
        try (PoolAllocator small = pool(4, LEAKS_FAIL); PoolAllocator large = pool(BLOCKS, LEAKS_FAIL);
             Worker platform = Worker.platform("platform"); Worker virtual = Worker.virtual("virtual")) {
            assertNotSame(small.threadCache(), small.threadCache());
            assertSame(large.threadCache(), large.threadCache());
            platform.run(() -> assertSame(large.threadCache(), large.threadCache()));
            virtual.run(() -> assertNotSame(large.threadCache(), large.threadCache()));
        }
    }

    @Test
    void aFillPatternIsWrittenOnEveryBlockTheCacheHandsOut() {
        byte pattern = 0x5A;
        int capacity = capacity(BLOCKS);
        try (PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL.withFillPattern(pattern))) {
            PoolAllocator cache = pool.threadCache();
            List<MemorySegment> blocks = new ArrayList<>();
            for (int i = 0; i < 2 * capacity + 3; i++) {
                MemorySegment block = cache.allocate();
                assertFilled(block, pattern);
                block.fill((byte) 0x11);
                blocks.add(block);
            }
            blocks.forEach(cache::deallocate);   // through the cache, which flushes to the free list when full
            for (int i = 0; i < BLOCKS; i++) {
                assertFilled(cache.allocate(), pattern);
            }
            pool.reset();
            long handle = cache.allocateHandle();
            pool.segmentOf(handle).asSlice(PoolAllocator.offsetOf(handle), BLOCK).fill((byte) 0x22);
            cache.deallocateHandle(handle);
            assertEquals(handle, cache.allocateHandle(), "the block last given back comes first");
            assertFilled(pool.segmentOf(handle).asSlice(PoolAllocator.offsetOf(handle), BLOCK), pattern);
            cache.deallocateHandle(handle);
        }
    }

    private static void assertFilled(MemorySegment block, byte value) {
        for (long i = 0; i < block.byteSize(); i++) {
            assertEquals(value, block.get(ValueLayout.JAVA_BYTE, i), "byte " + i);
        }
    }

    @Test
    void zeroOnReleaseZeroesEveryBlockGivenBackThroughTheCache() throws Exception {
        int capacity = capacity(BLOCKS);
        try (PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL.withZeroOnRelease(true));
             Worker other = Worker.platform("other")) {
            PoolAllocator cache = pool.threadCache();
            List<MemorySegment> blocks = new ArrayList<>();
            for (int i = 0; i < 2 * capacity + 3; i++) {
                MemorySegment block = cache.allocate();
                block.fill((byte) 0x77);
                blocks.add(block);
            }
            blocks.subList(0, capacity + 1).forEach(cache::deallocate);   // a flush: links written into blocks
            other.run(() -> blocks.subList(capacity + 1, blocks.size()).forEach(pool.threadCache()::deallocate));
            for (int i = 0; i < BLOCKS / 2; i++) {
                assertFilled(cache.allocate(), (byte) 0);
            }
            cache.close();   // the rest of this thread's cache goes back to the pool, for the other thread
            other.run(() -> {
                for (int i = 0; i < BLOCKS / 2; i++) {
                    assertFilled(pool.threadCache().allocate(), (byte) 0);
                }
            });
            assertEquals(0, pool.freeBlocks());
            pool.reset();
        }
    }

    @Test
    void checkedModeCatchesAUseAfterFreeOfASegmentFromTheCache() throws Exception {
        try (PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL.withChecked(true));
             Worker other = Worker.platform("other")) {
            PoolAllocator cache = pool.threadCache();
            assertTrue(cache.isChecked());
            MemorySegment segment = cache.allocate();
            segment.set(ValueLayout.JAVA_LONG, 0, 7L);
            cache.deallocate(segment);
            assertThrows(IllegalStateException.class, () -> segment.get(ValueLayout.JAVA_LONG, 0));
            fails(ErrorCode.USE_AFTER_FREE, () -> cache.deallocate(segment));

            MemorySegment viaPool = cache.allocate();
            pool.deallocate(viaPool);
            assertThrows(IllegalStateException.class, () -> viaPool.set(ValueLayout.JAVA_BYTE, 0, (byte) 1));
            MemorySegment fromPool = pool.allocate();
            cache.deallocate(fromPool);
            assertThrows(IllegalStateException.class, () -> fromPool.get(ValueLayout.JAVA_BYTE, 0));
            MemorySegment viaOther = cache.allocate();
            other.run(() -> pool.threadCache().deallocate(viaOther));
            assertThrows(IllegalStateException.class, () -> viaOther.get(ValueLayout.JAVA_BYTE, 0));

            long handle = cache.allocateHandle();
            cache.deallocateHandle(handle);
            fails(ErrorCode.DOUBLE_FREE, () -> cache.deallocateHandle(handle));
            assertEquals(0, pool.blocksInThreadCaches(), "checked mode passes every call to the pool");
            assertEquals(BLOCKS, pool.freeBlocks());
            assertEquals(0, pool.usedBytes());
        }
    }

    @Test
    void handlesFromTheCacheNameDistinctBlocksAnyThreadCanUse() throws Exception {
        try (PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL); Worker other = Worker.platform("other")) {
            PoolAllocator cache = pool.threadCache();
            Set<Long> handles = takeUntilFull(cache);
            assertEquals(BLOCKS, handles.size());
            for (long handle : handles) {
                assertEquals(0, Handles.chunk(handle));
                assertEquals(0, PoolAllocator.offsetOf(handle) % pool.stride());
                cache.segmentOf(handle).set(ValueLayout.JAVA_LONG, PoolAllocator.offsetOf(handle), ~handle);
            }
            other.run(() -> {
                PoolAllocator own = pool.threadCache();
                for (long handle : handles) {
                    assertEquals(~handle, own.segmentOf(handle).get(ValueLayout.JAVA_LONG,
                            PoolAllocator.offsetOf(handle)));
                    own.deallocateHandle(handle);
                }
                own.close();
            });
            assertEquals(BLOCKS, pool.freeBlocks());
            assertEquals(handles, takeUntilFull(cache));
            handles.forEach(cache::deallocateHandle);
        }
    }

    @Test
    void aGrowingPoolGrowsThroughTheCacheUpToItsBound() {
        int maxBlocks = 3 * BLOCKS;
        try (PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL.withAllowGrowth(true).withMaxBlocks(maxBlocks)
                .withTrackStats(true))) {
            PoolAllocator cache = pool.threadCache();
            List<MemorySegment> segments = new ArrayList<>();
            List<Long> handles = new ArrayList<>();
            Set<Long> addresses = new HashSet<>();
            for (int i = 0; i < maxBlocks; i++) {
                if (i % 3 == 0) {
                    long handle = cache.allocateHandle();
                    handles.add(handle);
                    assertTrue(addresses.add(pool.segmentOf(handle).address() + PoolAllocator.offsetOf(handle)));
                } else {
                    MemorySegment segment = cache.allocate();
                    segments.add(segment);
                    assertTrue(addresses.add(segment.address()));
                }
            }
            assertEquals(3, pool.chunkCount());
            assertEquals(maxBlocks, pool.blockCount());
            assertEquals(0, pool.freeBlocks());
            AllocationException e = fails(ErrorCode.OUT_OF_MEMORY, cache::allocate);
            assertTrue(e.details().contains("may not grow past maxBlocks = " + maxBlocks), e::getMessage);
            AllocationStatistics stats = pool.statistics().orElseThrow();
            assertEquals(2, stats.growths());
            assertEquals(maxBlocks, stats.allocations());
            segments.forEach(cache::deallocate);   // blocks of every chunk, found by address
            handles.forEach(cache::deallocateHandle);
            assertEquals(0, pool.usedBytes());
            assertEquals(maxBlocks, pool.freeBlocks());
        }
    }

    /**
     * A thread finds its cache through a {@link ThreadLocal} whose value lives as long as the thread: that value must
     * not keep a closed pool reachable, or every pool a pooled (long-lived) thread ever took a cache of would stay on
     * the heap, as the pool's scope logs already avoid ({@link ScopeLog}).
     */
    @Test
    void aClosedPoolIsNotKeptReachableByTheThreadsThatUsedItsCache() throws Exception {
        try (Worker longLived = Worker.platform("long-lived")) {
            WeakReference<PoolAllocator> dropped = useACacheAndClose(longLived);
            ReferenceQueue<Object> unused = new ReferenceQueue<>();
            for (int i = 0; i < 50 && dropped.get() != null; i++) {
                System.gc();
                unused.remove(20);
            }
            assertTrue(longLived.thread().isAlive());
            assertNull(dropped.get(), "a closed thread-safe pool stayed reachable from a live thread's cache");
        }
    }

    private static WeakReference<PoolAllocator> useACacheAndClose(Worker worker) throws Exception {
        PoolAllocator pool = pool(BLOCKS, LEAKS_FAIL);
        worker.run(() -> {
            PoolAllocator cache = pool.threadCache();
            cache.deallocate(cache.allocate());
        });
        pool.close();
        return new WeakReference<>(pool);
    }
}
