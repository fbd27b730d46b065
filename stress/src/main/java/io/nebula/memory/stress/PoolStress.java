package io.nebula.memory.stress;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.Scope;
import io.nebula.memory.pool.PoolAllocator;
import io.nebula.memory.pool.PoolConfig;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.JJJ_Result;

import java.util.stream.LongStream;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * jcstress tests of the thread-safe pool: its frontier, its version-tagged free list, its allocated bits, and the
 * scope tags that decide whether a scope's close or a hand deallocation gives a block back.
 */
public final class PoolStress {

    private static final long BLOCK = 64;

    private PoolStress() {
    }

    static PoolAllocator threadSafePool(int blocks, PoolConfig config) {
        return PoolAllocator.create(BLOCK, 8, blocks,
                config.withThreadSafe(true).withLeakPolicy(LeakPolicy.IGNORE));
    }

    /** Two threads take never-used blocks at once: they must get the two distinct blocks, in either order. */
    @JCStressTest
    @Outcome(id = {"0, 64, 2", "64, 0, 2"}, expect = ACCEPTABLE, desc = "distinct blocks, either order")
    @Outcome(expect = FORBIDDEN, desc = "one block handed out twice, or a miscount")
    @State
    public static class ConcurrentFreshAllocations {
        private final PoolAllocator pool = threadSafePool(4, PoolConfig.defaults());

        /**
         * First thread.
         *
         * @param r result
         */
        @Actor
        public void first(JJJ_Result r) {
            r.r1 = pool.allocateHandle();
        }

        /**
         * Second thread.
         *
         * @param r result
         */
        @Actor
        public void second(JJJ_Result r) {
            r.r2 = pool.allocateHandle();
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(JJJ_Result r) {
            r.r3 = pool.blockCount() - pool.freeBlocks();
            pool.close();
        }
    }

    /** Two threads pop the free list at once: they must get its two blocks, in either order. */
    @JCStressTest
    @Outcome(id = {"0, 64, 0", "64, 0, 0"}, expect = ACCEPTABLE, desc = "distinct blocks, either order")
    @Outcome(expect = FORBIDDEN, desc = "one block handed out twice, or a lost block")
    @State
    public static class ConcurrentPops {
        private final PoolAllocator pool = threadSafePool(2, PoolConfig.defaults());

        /** Hands out both blocks and gives them back: the free list holds both, the frontier none. */
        public ConcurrentPops() {
            long a = pool.allocateHandle();
            long b = pool.allocateHandle();
            pool.deallocateHandle(b);
            pool.deallocateHandle(a);
        }

        /**
         * First thread.
         *
         * @param r result
         */
        @Actor
        public void first(JJJ_Result r) {
            r.r1 = pool.allocateHandle();
        }

        /**
         * Second thread.
         *
         * @param r result
         */
        @Actor
        public void second(JJJ_Result r) {
            r.r2 = pool.allocateHandle();
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(JJJ_Result r) {
            r.r3 = pool.freeBlocks();
            pool.close();
        }
    }

    /**
     * The ABA scenario. The free list is A, B, C. One thread pops; the other pops A, pops B and pushes A back. A pop
     * that read A and its link B, then stalled through the other thread's three operations, must not install B (which
     * the other thread holds) as the head: the version in the head makes its compare-and-set fail. The arbiter then
     * takes the last free block. Reported: how many distinct blocks the first thread, the other thread's second pop and
     * the arbiter hold (must be 3), the free blocks left (0), and whether the arbiter's allocation succeeded (1).
     */
    @JCStressTest
    @Outcome(id = "3, 0, 1", expect = ACCEPTABLE, desc = "three holders, three distinct blocks")
    @Outcome(expect = FORBIDDEN, desc = "a stale link was installed: a block handed out twice or lost")
    @State
    public static class PopRacingPopPopPush {
        private final PoolAllocator pool = threadSafePool(3, PoolConfig.defaults());
        private long popped;
        private long second;

        /** Hands out the three blocks and gives them back so that the free list is A, B, C. */
        public PopRacingPopPopPush() {
            long a = pool.allocateHandle();
            long b = pool.allocateHandle();
            long c = pool.allocateHandle();
            pool.deallocateHandle(c);
            pool.deallocateHandle(b);
            pool.deallocateHandle(a);
        }

        /** Pops once. */
        @Actor
        public void pop() {
            popped = pool.allocateHandle();
        }

        /** Pops twice and pushes the first block back. */
        @Actor
        public void popPopPush() {
            long first = pool.allocateHandle();
            second = pool.allocateHandle();
            pool.deallocateHandle(first);
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(III_Result r) {
            long last;
            try {
                last = pool.allocateHandle();
                r.r3 = 1;
            } catch (AllocationException e) {
                last = -1;
                r.r3 = 0;
            }
            r.r1 = (int) LongStream.of(popped, second, last).filter(h -> h >= 0).distinct().count();
            r.r2 = (int) pool.freeBlocks();
            pool.close();
        }
    }

    /** Two threads give back the same block at once: exactly one succeeds, the other gets DOUBLE_FREE. */
    @JCStressTest
    @Outcome(id = {"1, 0, 2", "0, 1, 2"}, expect = ACCEPTABLE, desc = "exactly one succeeds")
    @Outcome(expect = FORBIDDEN, desc = "both or neither succeeded, or the count is wrong")
    @State
    public static class RacingDoubleFree {
        private final PoolAllocator pool = threadSafePool(2, PoolConfig.defaults());
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
            r.r3 = (int) pool.freeBlocks();
            pool.close();
        }
    }

    /** Two threads find the pool full at once: one chunk is added, and both get a block of it. */
    @JCStressTest
    @Outcome(id = {"0, 64, 2", "64, 0, 2"}, expect = ACCEPTABLE, desc = "one growth serves both")
    @Outcome(expect = FORBIDDEN, desc = "a lost or extra chunk, or one block handed out twice")
    @State
    public static class ConcurrentGrowth {
        private final PoolAllocator pool = threadSafePool(2, PoolConfig.defaults().withAllowGrowth(true));

        /** Hands out every block of the first chunk. */
        public ConcurrentGrowth() {
            pool.allocateHandle();
            pool.allocateHandle();
        }

        /**
         * First thread.
         *
         * @param r result
         */
        @Actor
        public void first(JJJ_Result r) {
            long handle = pool.allocateHandle();
            r.r1 = handle >>> 40 == 1 ? PoolAllocator.offsetOf(handle) : -1;
        }

        /**
         * Second thread.
         *
         * @param r result
         */
        @Actor
        public void second(JJJ_Result r) {
            long handle = pool.allocateHandle();
            r.r2 = handle >>> 40 == 1 ? PoolAllocator.offsetOf(handle) : -1;
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(JJJ_Result r) {
            r.r3 = pool.chunkCount();
            pool.close();
        }
    }

    /**
     * A scope closes while another thread gives back, by hand, a block the scope took, then takes a block itself.
     * Exactly one of the two gives the block back; the scope never frees the other thread's new block, even when it
     * is the same block handed out again. Reported: whether the scope closed cleanly (1), what the hand
     * deallocation saw (1 it gave the block back, 0 DOUBLE_FREE because the scope was first, 2 the block was not
     * published yet), and the free blocks once the other thread's block is given back too (2).
     */
    @JCStressTest
    @Outcome(id = {"1, 0, 2", "1, 1, 2", "1, 2, 2"}, expect = ACCEPTABLE, desc = "one of them gave the block back")
    @Outcome(expect = FORBIDDEN, desc = "a block given back twice, or the other thread's block freed by the scope")
    @State
    public static class ScopeCloseRacingHandDeallocation {
        private final PoolAllocator pool = threadSafePool(2, PoolConfig.defaults());
        private volatile long published = -1;
        private long taken = -1;

        /**
         * Takes a block inside a scope, publishes it, and closes the scope.
         *
         * @param r result
         */
        @Actor
        public void scope(III_Result r) {
            try {
                Scope scope = pool.scope();
                published = pool.allocateHandle();
                scope.close();
                r.r1 = 1;
            } catch (AllocationException e) {
                r.r1 = -1;
            }
        }

        /**
         * Gives the published block back by hand, then takes a block outside any scope.
         *
         * @param r result
         */
        @Actor
        public void byHand(III_Result r) {
            long block = published;
            if (block < 0) {
                r.r2 = 2;
            } else {
                try {
                    pool.deallocateHandle(block);
                    r.r2 = 1;
                } catch (AllocationException e) {
                    r.r2 = e.code() == ErrorCode.DOUBLE_FREE ? 0 : -1;
                }
            }
            taken = pool.allocateHandle();
        }

        /**
         * After both: the block taken by hand must still be in use.
         *
         * @param r result
         */
        @Arbiter
        public void after(III_Result r) {
            try {
                pool.deallocateHandle(taken);
                r.r3 = (int) pool.freeBlocks();
            } catch (AllocationException e) {
                r.r3 = -1;
            }
            pool.close();
        }
    }

    /**
     * A thread takes a block outside any scope while another thread's scope is open and takes one too: the scope
     * gives back its own thread's block only. Reported: the free blocks after the scope closed (1), and whether the
     * unscoped block was still in use then (1).
     */
    @JCStressTest
    @Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "each scope gives back its own thread's blocks")
    @Outcome(expect = FORBIDDEN, desc = "a scope gave back another thread's block, or kept its own")
    @State
    public static class ScopeOfOneThreadIgnoresAnothersBlocks {
        private final PoolAllocator pool = threadSafePool(4, PoolConfig.defaults());
        private long unscoped = -1;

        /** Opens a scope, takes a block in it, and closes it. */
        @Actor
        public void scoped() {
            try (Scope _ = pool.scope()) {
                pool.allocateHandle();
            }
        }

        /** Takes a block outside any scope. */
        @Actor
        public void unscoped() {
            unscoped = pool.allocateHandle();
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(II_Result r) {
            r.r1 = (int) (pool.blockCount() - pool.freeBlocks());
            try {
                pool.deallocateHandle(unscoped);
                r.r2 = 1;
            } catch (AllocationException e) {
                r.r2 = 0;
            }
            pool.close();
        }
    }
}
