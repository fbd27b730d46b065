package io.nebula.memory.pool;

import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.Choices;
import io.nebula.memory.LeakPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random operations through threads' caches of one thread-safe pool ({@link PoolAllocator#threadCache()}), from
 * several real threads, against a plain model: which thread holds each block. Each thread allocates through its cache
 * (sometimes through the pool itself), gives back blocks through its cache (sometimes through the pool), passes
 * blocks to other threads through their inboxes and gives back the blocks it receives, and now and then closes its
 * cache. Every block handed out gets an ownership stamp (its thread's number and a sequence number, written into the
 * block and claimed in a table of holders): a block handed out twice fails the claim, or the stamp check of the
 * holder whose stamp was overwritten. Between phases, with every thread stopped (and its cache holding blocks), the
 * pool's counts and statistics must equal the model's exactly; in some runs each phase runs on new threads, so that
 * the caches of the threads that ended go back to the pool while others work. At the end every block is given back,
 * the pool hands out each of its blocks exactly once more, and closing it with {@link LeakPolicy#FAIL} reports no
 * leak. A fixed pool is never exhausted: the blocks in use are bounded so that, whatever the other threads' caches
 * hold, a thread always finds a free block. Seeded: rerun with {@code -Dnebula.test.seed=<seed>}.
 */
class PoolThreadCacheModelTest {

    private static final long BLOCK = 64;
    private static final int PHASES = 6;

    static Stream<Arguments> runs() {
        PoolConfig base = PoolConfig.defaults().withThreadSafe(true).withTrackStats(true)
                .withLeakPolicy(LeakPolicy.FAIL);
        return Stream.of(
                Arguments.of("fixed", 256, base, 2, false, 120_000),
                Arguments.of("fixed", 512, base, 4, false, 120_000),
                Arguments.of("fixed, no statistics", 1024, base.withTrackStats(false), 8, false, 160_000),
                Arguments.of("fixed, new threads every phase", 512, base, 4, true, 120_000),
                Arguments.of("fixed, no statistics, new threads every phase", 512, base.withTrackStats(false), 3,
                        true, 120_000),
                Arguments.of("growing, zero on release", 256, base.withAllowGrowth(true).withZeroOnRelease(true), 4,
                        true, 80_000),
                Arguments.of("growing, filled", 256, base.withAllowGrowth(true).withFillPattern((byte) 0x3C), 2,
                        false, 80_000),
                Arguments.of("growing, checked", 256, base.withAllowGrowth(true).withChecked(true), 2, false,
                        2_000));
    }

    @ParameterizedTest(name = "{0}, {1} blocks, {3} threads")
    @MethodSource("runs")
    void threadsUsingTheirCachesAgreeWithAModel(String name, int blocks, PoolConfig config, int threads,
                                                boolean newThreadsEveryPhase, int operations) throws Exception {
        long seed = Long.getLong("nebula.test.seed", ThreadLocalRandom.current().nextLong());
        new Run(blocks, config, threads, newThreadsEveryPhase, Choices.operations(operations) / threads, seed).run();
    }

    /**
     * The most blocks a thread's cache holds in a pool whose first chunk has {@code blocks} blocks: one magazine's,
     * or 0 when the pool has no magazines.
     */
    static int capacity(int blocks) {
        int stripes = SharedPool.stripes(Runtime.getRuntime().availableProcessors());
        int perMagazine = (int) Math.min(SharedPool.MAX_MAGAZINE_BLOCKS, blocks / (2L * stripes));
        return perMagazine < 2 ? 0 : perMagazine;
    }

    /** A block a thread holds: by handle ({@code segment == null}) or by segment, and its stamp. */
    private record Held(long handle, MemorySegment segment, long stamp) { }

    /** What one thread number holds and did; on new threads every phase, each thread takes over its number's. */
    private static final class Slot {
        final int id;
        final SplittableRandom random;
        final List<Held> mine = new ArrayList<>();
        final ConcurrentLinkedQueue<Held> inbox = new ConcurrentLinkedQueue<>();
        long sequence;
        long allocations;
        long deallocations;
        /** The cache of the thread that last ran this slot. */
        PoolAllocator cache;
        Thread thread;

        Slot(int id, long seed) {
            this.id = id;
            this.random = new SplittableRandom(seed + id);
        }
    }

    private static final class Run {
        private final int threadCount;
        private final boolean newThreadsEveryPhase;
        private final int perPhase;
        private final long seed;
        private final PoolConfig config;
        private final int chunkBlocks;
        private final int capacity;
        /** The most blocks in use (held or in an inbox) at once, for a fixed pool. */
        private final long limit;
        private final PoolAllocator pool;
        private final List<Slot> slots = new ArrayList<>();
        /** The stamp of each block's holder, by the block's handle. */
        private final ConcurrentHashMap<Long, Long> claims = new ConcurrentHashMap<>();
        /** Blocks claimed or about to be: at least the blocks in use at any moment. */
        private final AtomicLong reserved = new AtomicLong();
        private final AtomicLong mostReserved = new AtomicLong();
        private final AtomicLong cacheCloses = new AtomicLong();
        private final AtomicLong handedOver = new AtomicLong();

        Run(int blocks, PoolConfig config, int threadCount, boolean newThreadsEveryPhase, int operations, long seed) {
            this.threadCount = threadCount;
            this.newThreadsEveryPhase = newThreadsEveryPhase;
            this.perPhase = operations / PHASES;
            this.seed = seed;
            this.config = config;
            this.chunkBlocks = blocks;
            this.capacity = config.checked() ? 0 : capacity(blocks);
            // Every other thread's cache may hold its capacity of free blocks that this thread cannot take.
            this.limit = config.allowGrowth() ? 3L * blocks : blocks - (long) threadCount * capacity - 1;
            assertTrue(limit >= 4L * threadCount, "a pool large enough for the threads: " + limit);
            this.pool = PoolAllocator.create(BLOCK, 8, blocks, config);
            for (int t = 0; t < threadCount; t++) {
                slots.add(new Slot(t, seed));
            }
        }

        private String where() {
            return "seed=" + seed + ", " + pool;
        }

        void run() throws Exception {
            List<Worker> workers = new ArrayList<>();
            try {
                runOn(workers);
            } finally {
                workers.forEach(Worker::close);   // ended already, unless a phase failed
            }
        }

        private void runOn(List<Worker> workers) throws Exception {
            try (pool) {
                for (int phase = 0; phase < PHASES; phase++) {
                    if (phase == 0 || newThreadsEveryPhase) {
                        for (Worker worker : workers) {
                            worker.end();
                        }
                        workers.clear();
                        for (int t = 0; t < threadCount; t++) {
                            workers.add(Worker.platform("cache-model-" + phase + "-" + t));
                        }
                    }
                    List<FutureTask<Void>> tasks = new ArrayList<>();
                    for (int t = 0; t < threadCount; t++) {
                        Slot slot = slots.get(t);
                        tasks.add(workers.get(t).submit(() -> {
                            work(slot);
                            return null;
                        }));
                    }
                    List<Throwable> failures = new ArrayList<>();
                    for (FutureTask<Void> task : tasks) {
                        try {
                            Worker.await(task);
                        } catch (Exception | AssertionError e) {
                            failures.add(e);
                        }
                    }
                    int done = phase;
                    assertTrue(failures.isEmpty(), () -> "phase " + done + ", " + where() + ": " + failures);
                    checkQuiescent();
                }
                for (Worker worker : workers) {
                    worker.end();
                }
                checkQuiescent();   // the threads ended, their caches still hold blocks
                giveEverythingBack();
                assertEquals(0, pool.usedBytes(), where());
                assertEquals(pool.blockCount(), pool.freeBlocks(), where());
                assertTrue(claims.isEmpty(), where());
                if (config.trackStats()) {
                    assertEquals(0, pool.statistics().orElseThrow().currentBytes(), where());
                }
                assertTrue(handedOver.get() > 0, "blocks went from thread to thread");
                assertTrue(capacity == 0 || cacheCloses.get() > 0, "caches were closed");
                takeEveryBlockOnce();
            }   // LeakPolicy.FAIL: a count in use that drifted from the model throws here
        }

        /** With every thread stopped: the pool's counts and statistics equal the model's. */
        private void checkQuiescent() {
            long inUse = 0;
            long allocated = 0;
            long deallocated = 0;
            for (Slot slot : slots) {
                inUse += slot.mine.size() + slot.inbox.size();
                allocated += slot.allocations;
                deallocated += slot.deallocations;
            }
            long stride = pool.stride();
            String where = where();
            assertEquals(inUse, claims.size(), where);
            assertEquals(inUse * stride, pool.usedBytes(), where);
            assertEquals(pool.blockCount() - inUse, pool.freeBlocks(), where);
            assertEquals((pool.blockCount() - inUse) * stride, pool.availableBytes(), where);
            long cached = pool.blocksInThreadCaches();
            assertTrue(cached >= 0 && cached <= (long) threadCount * capacity, "cached " + cached + ", " + where);
            if (config.trackStats()) {
                AllocationStatistics stats = pool.statistics().orElseThrow();
                assertEquals(allocated, stats.allocations(), where);
                assertEquals(deallocated, stats.deallocations(), where);
                assertEquals(allocated - deallocated, inUse, where);
                assertEquals(inUse * stride, stats.currentBytes(), where);
                assertEquals(0, stats.failedAllocations(), where);
                assertTrue(stats.peakBytes() <= pool.capacityBytes(), where);
            }
            if (!config.allowGrowth()) {
                assertEquals(1, pool.chunkCount(), where);
            } else {
                // The pool grows only when every free block is in a live thread's cache.
                long most = mostReserved.get() + (long) threadCount * capacity;
                long bound = Math.max(chunkBlocks, (most + chunkBlocks - 1) / chunkBlocks * chunkBlocks);
                assertTrue(pool.blockCount() <= bound, () -> "the pool grew while blocks were free: " + where
                        + ", at most " + mostReserved.get() + " blocks were in use");
            }
        }

        private void work(Slot slot) {
            PoolAllocator cache = pool.threadCache();
            assertNotSame(pool, cache);
            assertSame(cache, pool.threadCache());
            if (slot.thread == Thread.currentThread()) {
                assertSame(slot.cache, cache, "the same cache in every phase on one thread");
            } else if (slot.cache != null) {
                assertNotSame(slot.cache, cache, "a new thread, a new cache");
            }
            slot.cache = cache;
            slot.thread = Thread.currentThread();
            SplittableRandom random = slot.random;
            List<Held> mine = slot.mine;
            for (int op = 0; op < perPhase; op++) {
                int r = random.nextInt(100);
                if (r < 45 || mine.isEmpty()) {
                    if (!allocate(slot, cache, random) && !mine.isEmpty()) {
                        giveBack(slot, cache, mine.remove(random.nextInt(mine.size())), false);
                    }
                } else if (r < 55) {
                    Slot to = slots.get(random.nextInt(slots.size()));
                    to.inbox.add(mine.remove(random.nextInt(mine.size())));
                    handedOver.incrementAndGet();
                } else if (r < 62) {
                    for (int i = 0; i < 4; i++) {
                        Held received = slot.inbox.poll();
                        if (received == null) {
                            break;
                        }
                        checkStamp(received);
                        if (random.nextBoolean()) {
                            mine.add(received);
                        } else {
                            giveBack(slot, cache, received, random.nextInt(4) == 0);
                        }
                    }
                } else if (r < 64) {
                    cache.close();
                    cacheCloses.incrementAndGet();
                } else {
                    giveBack(slot, cache, mine.remove(random.nextInt(mine.size())), r < 68);
                }
            }
        }

        /** Takes a block, mostly through the cache, unless the blocks in use are at the limit. */
        private boolean allocate(Slot slot, PoolAllocator cache, SplittableRandom random) {
            long now = reserved.incrementAndGet();
            if (now > limit) {
                reserved.decrementAndGet();
                return false;
            }
            mostReserved.accumulateAndGet(now, Math::max);
            PoolAllocator from = random.nextInt(10) == 0 ? pool : cache;
            long handle;
            MemorySegment segment = null;
            int kind = random.nextInt(10);
            if (kind < 5) {
                handle = from.allocateHandle();
            } else {
                segment = kind < 9 ? from.allocate() : from.allocate(24 + random.nextInt(41), 8);
                handle = BlockHandles.handleOf(pool, segment);
            }
            slot.allocations++;
            long stamp = (long) (slot.id + 1) << 40 | ++slot.sequence;
            Long before = claims.putIfAbsent(handle, stamp);
            if (before != null) {
                throw new AssertionError("block " + Long.toHexString(handle) + " handed to " + Long.toHexString(stamp)
                        + " while " + Long.toHexString(before) + " holds it, " + where());
            }
            MemorySegment chunk = pool.segmentOf(handle);
            long offset = PoolAllocator.offsetOf(handle);
            if (config.fillPattern().isPresent() && !config.checked()) {
                byte pattern = (byte) config.fillPattern().getAsInt();
                for (long i = 0; i < BLOCK; i++) {
                    assertEquals(pattern, chunk.get(ValueLayout.JAVA_BYTE, offset + i), "filled, " + where());
                }
            }
            if (config.zeroOnRelease()) {
                for (long i = 0; i < BLOCK; i += 8) {
                    assertEquals(0L, chunk.get(ValueLayout.JAVA_LONG, offset + i), "zeroed, " + where());
                }
            }
            chunk.set(ValueLayout.JAVA_LONG, offset + 8, stamp);
            chunk.set(ValueLayout.JAVA_LONG, offset + 16, ~stamp);
            slot.mine.add(new Held(handle, segment, stamp));
            return true;
        }

        /** The block still has its holder's stamp. */
        private void checkStamp(Held block) {
            MemorySegment chunk = pool.segmentOf(block.handle());
            long offset = PoolAllocator.offsetOf(block.handle());
            long first = chunk.get(ValueLayout.JAVA_LONG, offset + 8);
            long second = chunk.get(ValueLayout.JAVA_LONG, offset + 16);
            if (first != block.stamp() || second != ~block.stamp()) {
                throw new AssertionError("block " + Long.toHexString(block.handle()) + " of "
                        + Long.toHexString(block.stamp()) + " was overwritten: " + Long.toHexString(first) + ", "
                        + Long.toHexString(~second) + ", " + where());
            }
        }

        /** Gives a block back through the cache, or the pool itself, after checking and releasing its claim. */
        private void giveBack(Slot slot, PoolAllocator cache, Held block, boolean throughPool) {
            checkStamp(block);
            if (!claims.remove(block.handle(), block.stamp())) {
                throw new AssertionError("block " + Long.toHexString(block.handle()) + " is not claimed by its holder, "
                        + where());
            }
            PoolAllocator to = throughPool ? pool : cache;
            if (block.segment() == null) {
                to.deallocateHandle(block.handle());
            } else {
                to.deallocate(block.segment());
            }
            slot.deallocations++;
            reserved.decrementAndGet();
        }

        /** With the threads ended: gives back every block held or in an inbox, through this thread's cache. */
        private void giveEverythingBack() {
            PoolAllocator cache = pool.threadCache();
            for (Slot slot : slots) {
                for (Held left; (left = slot.inbox.poll()) != null; ) {
                    slot.mine.add(left);
                }
                while (!slot.mine.isEmpty()) {
                    giveBack(slot, cache, slot.mine.removeLast(), slot.mine.size() % 3 == 0);
                }
            }
            checkQuiescent();
        }

        /**
         * Every block of the pool can be taken once more, and no other: the caches of the threads that ended went
         * back to the pool. A growing pool must not grow for it.
         */
        private void takeEveryBlockOnce() {
            PoolAllocator cache = pool.threadCache();
            cache.close();
            long blocks = pool.blockCount();
            int chunks = pool.chunkCount();
            Set<Long> taken = new HashSet<>();
            for (long i = 0; i < blocks; i++) {
                long handle = pool.allocateHandle();
                assertTrue(taken.add(handle), () -> "block " + Long.toHexString(handle) + " twice, " + where());
            }
            assertEquals(chunks, pool.chunkCount(), "no growth while every block was free, " + where());
            assertEquals(0, pool.freeBlocks(), where());
            assertEquals(0, pool.blocksInThreadCaches(), where());
            taken.forEach(cache::deallocateHandle);
            assertEquals(blocks, pool.freeBlocks(), where());
        }
    }

    /**
     * Ten thousand virtual threads each take a few blocks through their caches (which hold none of their own: they
     * pass every call to the pool), pass blocks to each other through a queue, and give back what they hold and what
     * they receive, checking the ownership stamps. At the end every block is back, no cache holds a block, and the
     * counts and statistics agree with what the threads did.
     */
    @Test
    void tenThousandVirtualThreadsUseTheirCaches() throws Exception {
        int threads = 10_000;
        PoolConfig config = PoolConfig.defaults().withThreadSafe(true).withTrackStats(true).withAllowGrowth(true)
                .withLeakPolicy(LeakPolicy.FAIL);
        try (PoolAllocator pool = PoolAllocator.create(BLOCK, 8, 512, config)) {
            ConcurrentLinkedQueue<long[]> queue = new ConcurrentLinkedQueue<>();
            ConcurrentHashMap<Long, Long> claims = new ConcurrentHashMap<>();
            List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
            AtomicLong allocations = new AtomicLong();
            AtomicLong deallocations = new AtomicLong();
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                long id = t + 1;
                Thread.ofVirtual().name("cache-virtual-" + t).start(() -> {
                    try {
                        PoolAllocator cache = pool.threadCache();
                        assertNotSame(pool, cache);
                        List<long[]> mine = new ArrayList<>();
                        for (int i = 0; i < 3; i++) {
                            long handle = i == 1 ? BlockHandles.handleOf(pool, cache.allocate())
                                    : cache.allocateHandle();
                            allocations.incrementAndGet();
                            long stamp = id << 32 | i;
                            Long before = claims.putIfAbsent(handle, stamp);
                            if (before != null) {
                                throw new AssertionError("block " + Long.toHexString(handle) + " handed to "
                                        + Long.toHexString(stamp) + " while " + Long.toHexString(before)
                                        + " holds it");
                            }
                            pool.segmentOf(handle).set(ValueLayout.JAVA_LONG, PoolAllocator.offsetOf(handle) + 8,
                                    stamp);
                            mine.add(new long[] {handle, stamp});
                            Thread.yield();   // let the carrier run another virtual thread mid-way
                        }
                        queue.add(mine.removeFirst());
                        long[] received = queue.poll();
                        if (received != null) {
                            mine.add(received);
                        }
                        for (long[] block : mine) {
                            giveBack(pool, cache, claims, block);
                            deallocations.incrementAndGet();
                        }
                        cache.close();
                    } catch (Throwable e) {
                        failures.add(e);
                    } finally {
                        done.countDown();
                    }
                });
            }
            done.await();
            assertTrue(failures.isEmpty(), () -> failures.size() + " failures, the first: " + failures.getFirst());
            assertEquals(0, pool.blocksInThreadCaches(), "virtual threads' caches hold no blocks");
            long left = 0;
            for (long[] block; (block = queue.poll()) != null; left++) {
                giveBack(pool, pool, claims, block);
            }
            assertEquals(3L * threads, allocations.get());
            assertEquals(allocations.get(), deallocations.get() + left);
            assertTrue(claims.isEmpty());
            assertEquals(0, pool.usedBytes());
            assertEquals(pool.blockCount(), pool.freeBlocks());
            AllocationStatistics stats = pool.statistics().orElseThrow();
            assertEquals(allocations.get(), stats.allocations());
            assertEquals(allocations.get(), stats.deallocations());
            assertEquals(0, stats.currentBytes());
            assertEquals(0, stats.failedAllocations());
        }   // LeakPolicy.FAIL
    }

    private static void giveBack(PoolAllocator pool, PoolAllocator to, ConcurrentHashMap<Long, Long> claims,
                                 long[] block) {
        long handle = block[0];
        long stamp = block[1];
        long found = pool.segmentOf(handle).get(ValueLayout.JAVA_LONG, PoolAllocator.offsetOf(handle) + 8);
        if (found != stamp) {
            throw new AssertionError("block " + Long.toHexString(handle) + " of " + Long.toHexString(stamp)
                    + " was overwritten by " + Long.toHexString(found));
        }
        if (!claims.remove(handle, stamp)) {
            throw new AssertionError("block " + Long.toHexString(handle) + " is not claimed by its holder");
        }
        to.deallocateHandle(handle);
    }
}
