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
 * jcstress tests of the thread-safe pool's caches of free blocks (its magazines): refills that pop a chain of the
 * shared free list or a run of the frontier with one compare-and-set, flushes that push a whole magazine with one
 * compare-and-set, and blocks given back by a thread other than the one that took them.
 *
 * <p>The pools have {@value #BLOCKS} blocks: on a machine with up to 2 processors each magazine then holds up to 4
 * blocks and refills 2 at once; with more processors the magazines are fewer blocks or absent, and the tests check
 * the same invariants through the shared free list. Each test checks at the end, from the arbiter, that every block
 * is accounted for: the pool's free count is exact, and allocating every free block gets distinct blocks and no more.
 */
public final class PoolCacheStress {

    /** Blocks per pool. */
    static final int BLOCKS = 32;

    private PoolCacheStress() {
    }

    /**
     * Takes every free block of the pool: how many, or -1 if one of them was also in {@code held} or taken twice.
     * Then the pool must be full.
     */
    static int takeEveryFreeBlock(PoolAllocator pool, Set<Long> held) {
        Set<Long> seen = new HashSet<>(held);
        int taken = 0;
        while (true) {
            long handle;
            try {
                handle = pool.allocateHandle();
            } catch (AllocationException e) {
                return e.code() == ErrorCode.OUT_OF_MEMORY ? taken : -1;
            }
            if (!seen.add(handle)) {
                return -1;
            }
            taken++;
        }
    }

    /** A pool with every block handed out; the handles are in {@code handles}. */
    static PoolAllocator fullPool(long[] handles) {
        PoolAllocator pool = PoolStress.threadSafePool(BLOCKS, PoolConfig.defaults());
        for (int i = 0; i < handles.length; i++) {
            handles[i] = pool.allocateHandle();
        }
        return pool;
    }

    /**
     * One thread gives back eight blocks (its magazine fills and is flushed to the free list), while another takes
     * four (its magazine refills from the free list, or the pool is found full after the magazines are drained).
     * Reported: the blocks the taker got, whether they were among those given back and distinct (1), and the free
     * blocks the arbiter then finds, which must be the rest.
     */
    @JCStressTest
    @Outcome(id = {"0, 1, 8", "1, 1, 7", "2, 1, 6", "3, 1, 5", "4, 1, 4"}, expect = ACCEPTABLE,
            desc = "the taker got some of the blocks given back, the arbiter the rest")
    @Outcome(expect = FORBIDDEN, desc = "a block lost, handed out twice, or not one of those given back")
    @State
    public static class FlushRacingRefill {
        private final long[] handles = new long[BLOCKS];
        private final PoolAllocator pool = fullPool(handles);
        private final Set<Long> taken = new HashSet<>();
        private boolean foreign;

        /** Gives back the first eight blocks. */
        @Actor
        public void giver() {
            for (int i = 0; i < 8; i++) {
                pool.deallocateHandle(handles[i]);
            }
        }

        /** Takes up to four blocks, stopping when the pool is full. */
        @Actor
        public void taker() {
            for (int i = 0; i < 4; i++) {
                long handle;
                try {
                    handle = pool.allocateHandle();
                } catch (AllocationException e) {
                    return;
                }
                foreign |= !isOneOfFirstEight(handle) || !taken.add(handle);
            }
        }

        private boolean isOneOfFirstEight(long handle) {
            for (int i = 0; i < 8; i++) {
                if (handles[i] == handle) {
                    return true;
                }
            }
            return false;
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
            r.r3 = takeEveryFreeBlock(pool, taken) == free ? free : -1;
            pool.reset();
            pool.close();
        }
    }

    /**
     * Two threads give back eight blocks each at once: each one's magazine fills and is pushed to the free list as a
     * chain while the other pushes its own. Reported: the free blocks after, the blocks the arbiter can then take (all
     * distinct), and whether the pool is then full.
     */
    @JCStressTest
    @Outcome(id = "16, 16, 0", expect = ACCEPTABLE, desc = "every block given back is free once")
    @Outcome(expect = FORBIDDEN, desc = "a chain lost or linked twice")
    @State
    public static class ConcurrentFlushes {
        private final long[] handles = new long[BLOCKS];
        private final PoolAllocator pool = fullPool(handles);

        /** Gives back blocks 0 to 7. */
        @Actor
        public void first() {
            for (int i = 0; i < 8; i++) {
                pool.deallocateHandle(handles[i]);
            }
        }

        /** Gives back blocks 8 to 15. */
        @Actor
        public void second() {
            for (int i = 8; i < 16; i++) {
                pool.deallocateHandle(handles[i]);
            }
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(III_Result r) {
            r.r1 = (int) pool.freeBlocks();
            Set<Long> held = new HashSet<>();
            for (int i = 16; i < BLOCKS; i++) {
                held.add(handles[i]);
            }
            r.r2 = takeEveryFreeBlock(pool, held);
            r.r3 = (int) pool.freeBlocks();
            pool.reset();
            pool.close();
        }
    }

    /**
     * Two threads take three blocks each from a pool whose free list holds blocks and whose frontier has the rest:
     * their magazines refill at once, from the list (a chain popped by one compare-and-set) or the frontier (a run
     * taken by one). Reported: the distinct blocks the two got, the free blocks after, and whether the arbiter can
     * take exactly those.
     */
    @JCStressTest
    @Outcome(id = "6, 26, 1", expect = ACCEPTABLE, desc = "six distinct blocks, the rest free")
    @Outcome(expect = FORBIDDEN, desc = "a block handed out twice, or lost")
    @State
    public static class ConcurrentRefills {
        private final PoolAllocator pool = PoolStress.threadSafePool(BLOCKS, PoolConfig.defaults());
        private final long[] first = new long[3];
        private final long[] second = new long[3];

        /** Hands out ten blocks and gives them back: the free list and this thread's magazine hold them. */
        public ConcurrentRefills() {
            long[] handles = new long[10];
            for (int i = 0; i < handles.length; i++) {
                handles[i] = pool.allocateHandle();
            }
            for (long handle : handles) {
                pool.deallocateHandle(handle);
            }
        }

        /** Takes three blocks. */
        @Actor
        public void first() {
            for (int i = 0; i < 3; i++) {
                first[i] = pool.allocateHandle();
            }
        }

        /** Takes three blocks. */
        @Actor
        public void second() {
            for (int i = 0; i < 3; i++) {
                second[i] = pool.allocateHandle();
            }
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(III_Result r) {
            Set<Long> held = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                held.add(first[i]);
                held.add(second[i]);
            }
            r.r1 = held.size();
            int free = (int) pool.freeBlocks();
            r.r2 = free;
            r.r3 = takeEveryFreeBlock(pool, held) == free ? 1 : 0;
            pool.reset();
            pool.close();
        }
    }

    /**
     * A block taken by one thread is given back by two others at once, each into its own magazine: exactly one
     * succeeds, the other gets DOUBLE_FREE, and the block is free once.
     */
    @JCStressTest
    @Outcome(id = {"1, 0, 32", "0, 1, 32"}, expect = ACCEPTABLE, desc = "exactly one succeeds")
    @Outcome(expect = FORBIDDEN, desc = "both or neither succeeded, or the block is cached twice")
    @State
    public static class CrossThreadDoubleFree {
        private final PoolAllocator pool = PoolStress.threadSafePool(BLOCKS, PoolConfig.defaults());
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
            try {
                pool.deallocateHandle(handle);
                return 1;
            } catch (AllocationException e) {
                return e.code() == ErrorCode.DOUBLE_FREE ? 0 : -1;
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
            r.r3 = takeEveryFreeBlock(pool, Set.of()) == free ? free : -1;
            pool.reset();
            pool.close();
        }
    }
}
