package io.nebula.memory.stress;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.pool.PoolAllocator;
import io.nebula.memory.pool.PoolConfig;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.util.HashSet;
import java.util.Set;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * jcstress tests of threads' caches of a thread-safe pool ({@link PoolAllocator#threadCache()}): each actor takes
 * and gives back blocks through its own cache, which it alone reads and writes with plain loads and stores, while the
 * other actor's cache refills from the shared free list or the frontier, or flushes to the free list, with one
 * compare-and-set; blocks taken through one cache are given back through another; a cache's close races another
 * thread that finds the pool full.
 *
 * <p>Each state's pool is sized ({@link Shape}) so that a thread's cache holds 4 blocks (8 when the thread that
 * creates the pool may run on one processor only): it refills with up to half that from the free list or up to all
 * of it from the frontier, and a give-back into a full cache flushes it first. The actors' threads live on after the
 * actors (jcstress reuses them), so the blocks a cache keeps would stay out of the arbiter's reach: each actor
 * closes its cache last, unless the test is about those blocks. The arbiter then checks that every block is
 * accounted for: the pool's free count is exact, and taking every free block gets distinct blocks, none of them
 * held. The outcomes do not depend on the pool's size.
 */
public final class PoolThreadCacheStress {

    private PoolThreadCacheStress() {
    }

    /**
     * A pool's blocks, and how many its threads' caches hold: {@code min(64, blocks / (2 * stripes))}, where the
     * stripes are twice the processors the creating thread may run on, rounded up to a power of two (as the pool
     * computes them). jcstress binds each of its threads to processors of its own, and
     * {@link Runtime#availableProcessors()} answers for the calling thread: the shape is taken on the thread that
     * creates the pool, just before. At least 32 blocks, so that the actors' caches never exhaust it.
     *
     * @param blocks   the pool's blocks
     * @param capacity the blocks a thread's cache holds at most
     */
    record Shape(int blocks, int capacity) {

        /** The shape for the calling thread: caches of 4 blocks, or 8 when the thread has one processor. */
        static Shape now() {
            int processors = Runtime.getRuntime().availableProcessors();
            int wanted = Math.min(64, Math.max(1, processors) * 2);
            int stripes = Integer.highestOneBit(wanted - 1) << 1;
            int capacity = stripes >= 4 ? 4 : 8;
            return new Shape(2 * stripes * capacity, capacity);
        }

        /** A thread-safe pool of this shape, created on the calling thread. */
        PoolAllocator pool() {
            return PoolStress.threadSafePool(blocks, PoolConfig.defaults());
        }

        /** A pool of this shape with every block handed out; the handles are in {@code handles}. */
        PoolAllocator fullPool(long[] handles) {
            PoolAllocator pool = pool();
            for (int i = 0; i < handles.length; i++) {
                handles[i] = pool.allocateHandle();
            }
            return pool;
        }
    }

    /** Whether {@code handle} is one of the first {@code count} of {@code handles}. */
    static boolean isAmong(long handle, long[] handles, int count) {
        for (int i = 0; i < count; i++) {
            if (handles[i] == handle) {
                return true;
            }
        }
        return false;
    }

    /**
     * One thread gives back a cache's capacity of blocks and two more, through its cache: they fill it, the next
     * flushes them to the free list, and the last two stay in the cache until its close. Another takes up to four
     * through its own cache: refills from the free list, or the pool found full while the blocks are in the first
     * thread's cache. Reported: the blocks the taker got, whether they were among those given back and distinct (1),
     * and whether the arbiter then finds the rest free and can take exactly those (1).
     */
    @JCStressTest
    @Outcome(id = {"0, 1, 1", "1, 1, 1", "2, 1, 1", "3, 1, 1", "4, 1, 1"}, expect = ACCEPTABLE,
            desc = "the taker got some of the blocks given back, the arbiter the rest")
    @Outcome(expect = FORBIDDEN, desc = "a block lost, handed out twice, or not one of those given back")
    @State
    public static class FlushRacingRefill {
        private final Shape shape = Shape.now();
        private final int given = shape.capacity() + 2;
        private final long[] handles = new long[shape.blocks()];
        private final PoolAllocator pool = shape.fullPool(handles);
        private final Set<Long> taken = new HashSet<>();
        private boolean foreign;

        /** Gives back the first blocks through its cache, then closes the cache. */
        @Actor
        public void giver() {
            PoolAllocator cache = pool.threadCache();
            for (int i = 0; i < given; i++) {
                cache.deallocateHandle(handles[i]);
            }
            cache.close();
        }

        /** Takes up to four blocks through its cache, stopping when the pool is full; then closes the cache. */
        @Actor
        public void taker() {
            PoolAllocator cache = pool.threadCache();
            for (int i = 0; i < 4; i++) {
                long handle;
                try {
                    handle = cache.allocateHandle();
                } catch (AllocationException e) {
                    foreign |= e.code() != ErrorCode.OUT_OF_MEMORY;
                    break;
                }
                foreign |= !isAmong(handle, handles, given) || !taken.add(handle);
            }
            cache.close();
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(III_Result r) {
            r.r1 = taken.size();
            r.r2 = foreign ? 0 : 1;
            int free = (int) pool.freeBlocks();
            r.r3 = free == given - taken.size() && PoolCacheStress.takeEveryFreeBlock(pool, taken) == free ? 1 : 0;
            pool.reset();
            pool.close();
        }
    }

    /**
     * Two threads give back a cache's capacity of blocks and one more each, through their caches at once: each one's
     * cache fills, and the last give-back pushes its blocks to the free list as a chain while the other pushes its
     * own. The first closes its cache; the second keeps the last block in its cache. Reported: whether the pool
     * counts every block given back as free (1, the one cached included), plus 20 if the second thread lived on
     * while the arbiter took blocks, 0 if it had ended before, 10 if it ended meanwhile; how many fewer blocks than
     * those given back the arbiter can then take (all distinct); and the free blocks left. While the second thread
     * lives, only it can take the block in its cache: the arbiter gets one fewer, and that one is left. Once it has
     * ended, the pool takes that block back when it finds no other, and the arbiter gets it too.
     */
    @JCStressTest
    @Outcome(id = "21, -1, 1", expect = ACCEPTABLE, desc = "every block given back is free once, one in a live cache")
    @Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "the same, taken back from the cache of an ended thread")
    @Outcome(id = {"11, -1, 1", "11, 0, 0"}, expect = ACCEPTABLE, desc = "the cache's thread ended meanwhile")
    @Outcome(expect = FORBIDDEN, desc = "a chain lost or linked twice, a cached block miscounted, taken from a live"
            + " thread's cache, or not taken back from an ended thread's")
    @State
    public static class ConcurrentCacheFlushes {
        private final Shape shape = Shape.now();
        private final int each = shape.capacity() + 1;
        private final long[] handles = new long[shape.blocks()];
        private final PoolAllocator pool = shape.fullPool(handles);
        private Thread keeper;

        /** Gives back the first blocks through its cache, and closes it. */
        @Actor
        public void first() {
            PoolAllocator cache = pool.threadCache();
            for (int i = 0; i < each; i++) {
                cache.deallocateHandle(handles[i]);
            }
            cache.close();
        }

        /** Gives back the next blocks through its cache, and keeps it. */
        @Actor
        public void second() {
            keeper = Thread.currentThread();
            PoolAllocator cache = pool.threadCache();
            for (int i = each; i < 2 * each; i++) {
                cache.deallocateHandle(handles[i]);
            }
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(III_Result r) {
            int exact = pool.freeBlocks() == 2 * each ? 1 : 0;
            Set<Long> held = new HashSet<>();
            for (int i = 2 * each; i < handles.length; i++) {
                held.add(handles[i]);
            }
            boolean aliveBefore = keeper.isAlive();
            int taken = PoolCacheStress.takeEveryFreeBlock(pool, held);
            boolean aliveAfter = keeper.isAlive();
            r.r1 = exact + (aliveBefore ? aliveAfter ? 20 : 10 : 0);
            r.r2 = taken < 0 ? -100 : taken - 2 * each;
            r.r3 = (int) pool.freeBlocks();
            pool.reset();
            pool.close();
        }
    }

    /**
     * Blocks taken by one thread given back through the caches of two others, while those take blocks of their own:
     * each actor takes two blocks through its cache (a refill from the frontier, or from the free list once the other
     * has flushed), then gives back a cache's capacity and one more of the blocks the state's thread took, through
     * its cache, which therefore flushes midway (refilled blocks and given-back blocks together). Reported: the
     * distinct blocks the two hold (four, some of them maybe among those given back by the other), whether the
     * pool's free count is exact (1), and whether the arbiter can take exactly the free blocks, none of them held
     * (1).
     */
    @JCStressTest
    @Outcome(id = "4, 1, 1", expect = ACCEPTABLE, desc = "four distinct blocks held, every other block free once")
    @Outcome(expect = FORBIDDEN, desc = "a block handed out twice, lost, or miscounted")
    @State
    public static class CrossThreadGiveBackThroughCaches {
        private final Shape shape = Shape.now();
        private final int each = shape.capacity() + 1;
        private final PoolAllocator pool = shape.pool();
        private final long[] given = new long[2 * each];
        private final long[] first = new long[2];
        private final long[] second = new long[2];

        /** Takes the blocks on the state's thread, for the actors to give back. */
        public CrossThreadGiveBackThroughCaches() {
            for (int i = 0; i < given.length; i++) {
                given[i] = pool.allocateHandle();
            }
        }

        /** Takes two blocks, then gives back the first half of the state's blocks, through its cache. */
        @Actor
        public void first() {
            PoolAllocator cache = pool.threadCache();
            for (int i = 0; i < first.length; i++) {
                first[i] = cache.allocateHandle();
            }
            for (int i = 0; i < each; i++) {
                cache.deallocateHandle(given[i]);
            }
            cache.close();
        }

        /** Takes two blocks, then gives back the second half of the state's blocks, through its cache. */
        @Actor
        public void second() {
            PoolAllocator cache = pool.threadCache();
            for (int i = 0; i < second.length; i++) {
                second[i] = cache.allocateHandle();
            }
            for (int i = each; i < 2 * each; i++) {
                cache.deallocateHandle(given[i]);
            }
            cache.close();
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(III_Result r) {
            Set<Long> held = new HashSet<>();
            for (int i = 0; i < 2; i++) {
                held.add(first[i]);
                held.add(second[i]);
            }
            r.r1 = held.size();
            int free = (int) pool.freeBlocks();
            r.r2 = free == shape.blocks() - 4 ? 1 : 0;
            r.r3 = PoolCacheStress.takeEveryFreeBlock(pool, held) == free ? 1 : 0;
            pool.reset();
            pool.close();
        }
    }

    /**
     * A block taken on the state's thread is given back by two others at once, each through its own cache: exactly
     * one succeeds, the other gets DOUBLE_FREE, and the block is free once.
     */
    @JCStressTest
    @Outcome(id = {"1, 0, 1", "0, 1, 1"}, expect = ACCEPTABLE, desc = "exactly one succeeds")
    @Outcome(expect = FORBIDDEN, desc = "both or neither succeeded, or the block is cached twice")
    @State
    public static class DoubleFreeThroughTwoCaches {
        private final Shape shape = Shape.now();
        private final PoolAllocator pool = shape.pool();
        private final long handle = pool.allocateHandle();

        /**
         * First thread.
         *
         * @param r result
         */
        @Actor
        public void first(III_Result r) {
            r.r1 = giveBack();
        }

        /**
         * Second thread.
         *
         * @param r result
         */
        @Actor
        public void second(III_Result r) {
            r.r2 = giveBack();
        }

        private int giveBack() {
            PoolAllocator cache = pool.threadCache();
            int result;
            try {
                cache.deallocateHandle(handle);
                result = 1;
            } catch (AllocationException e) {
                result = e.code() == ErrorCode.DOUBLE_FREE ? 0 : -1;
            }
            cache.close();
            return result;
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(III_Result r) {
            int blocks = shape.blocks();
            r.r3 = pool.freeBlocks() == blocks && PoolCacheStress.takeEveryFreeBlock(pool, Set.of()) == blocks ? 1 : 0;
            pool.reset();
            pool.close();
        }
    }

    /**
     * In a full pool, one thread gives back three blocks through its cache, where no other thread can take them, and
     * then closes the cache, which moves them to the free list; meanwhile another thread asks the pool for a block.
     * It gets one of the three (after the close) or OUT_OF_MEMORY (before it). Reported: whether it got one (1) or
     * OUT_OF_MEMORY (0), the free blocks then, and whether the arbiter can take exactly those (1).
     */
    @JCStressTest
    @Outcome(id = {"1, 2, 1", "0, 3, 1"}, expect = ACCEPTABLE, desc = "a block given back, or the pool still full")
    @Outcome(expect = FORBIDDEN, desc = "a block not given back, another error, or a block lost")
    @State
    public static class OutOfMemoryRacingCacheClose {
        private final Shape shape = Shape.now();
        private final long[] handles = new long[shape.blocks()];
        private final PoolAllocator pool = shape.fullPool(handles);
        private long got = -1;

        /** Gives back blocks 0 to 2 through its cache, then closes it. */
        @Actor
        public void holder() {
            PoolAllocator cache = pool.threadCache();
            for (int i = 0; i < 3; i++) {
                cache.deallocateHandle(handles[i]);
            }
            cache.close();
        }

        /**
         * Asks the pool for one block.
         *
         * @param r result
         */
        @Actor
        public void asker(III_Result r) {
            try {
                got = pool.allocateHandle();
                r.r1 = isAmong(got, handles, 3) ? 1 : -1;
            } catch (AllocationException e) {
                r.r1 = e.code() == ErrorCode.OUT_OF_MEMORY ? 0 : -2;
            }
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(III_Result r) {
            int free = (int) pool.freeBlocks();
            r.r2 = free;
            r.r3 = PoolCacheStress.takeEveryFreeBlock(pool, got < 0 ? Set.of() : Set.of(got)) == free ? 1 : 0;
            pool.reset();
            pool.close();
        }
    }
}
