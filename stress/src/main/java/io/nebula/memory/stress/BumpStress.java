package io.nebula.memory.stress;

import io.nebula.memory.LeakPolicy;
import io.nebula.memory.bump.BumpAllocator;
import io.nebula.memory.bump.BumpConfig;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;
import org.openjdk.jcstress.infra.results.JJJ_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/** jcstress tests of the thread-safe bump arena's compare-and-set allocation. */
public final class BumpStress {

    private BumpStress() {
    }

    static BumpAllocator sharedArena() {
        return BumpAllocator.create(256, BumpConfig.defaults().withThreadSafe(true).withLeakPolicy(LeakPolicy.IGNORE));
    }

    /** Two threads allocate at once: they must get disjoint ranges, in either order. */
    @JCStressTest
    @Outcome(id = {"0, 16, 32", "16, 0, 32"}, expect = ACCEPTABLE, desc = "disjoint ranges, either order")
    @Outcome(expect = FORBIDDEN, desc = "overlapping ranges or lost update")
    @State
    public static class ConcurrentAllocations {
        private final BumpAllocator arena = sharedArena();

        /**
         * First thread.
         *
         * @param r result
         */
        @Actor
        public void first(JJJ_Result r) {
            r.r1 = arena.allocateOffset(16, 8);
        }

        /**
         * Second thread.
         *
         * @param r result
         */
        @Actor
        public void second(JJJ_Result r) {
            r.r2 = arena.allocateOffset(16, 8);
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(JJJ_Result r) {
            r.r3 = arena.usedBytes();
            arena.close();
        }
    }

    /** Alignment padding under contention: each range aligned, disjoint, and the total consistent. */
    @JCStressTest
    @Outcome(id = {"0, 16, 24", "8, 0, 16"}, expect = ACCEPTABLE, desc = "first wins: the other is padded")
    @Outcome(expect = FORBIDDEN, desc = "misaligned, overlapping or lost update")
    @State
    public static class ConcurrentAlignedAllocations {
        private final BumpAllocator arena = sharedArena();

        /**
         * Allocates 8 bytes aligned to 8.
         *
         * @param r result
         */
        @Actor
        public void small(JJJ_Result r) {
            r.r1 = arena.allocateOffset(8, 8);
        }

        /**
         * Allocates 8 bytes aligned to 16.
         *
         * @param r result
         */
        @Actor
        public void aligned(JJJ_Result r) {
            r.r2 = arena.allocateOffset(8, 16);
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(JJJ_Result r) {
            r.r3 = arena.usedBytes();
            arena.close();
        }
    }

    /** An allocation racing a reset lands wholly before it (and is released) or wholly after it. */
    @JCStressTest
    @Outcome(id = "16, 0", expect = ACCEPTABLE, desc = "allocated, then reset released it")
    @Outcome(id = "0, 16", expect = ACCEPTABLE, desc = "reset, then allocated from the start")
    @Outcome(expect = FORBIDDEN, desc = "a torn release")
    @State
    public static class AllocationRacingReset {
        private final BumpAllocator arena = sharedArena();

        /** Starts with 16 bytes in use. */
        public AllocationRacingReset() {
            arena.allocateOffset(16, 8);
        }

        /**
         * Allocates.
         *
         * @param r result
         */
        @Actor
        public void allocate(JJ_Result r) {
            r.r1 = arena.allocateOffset(16, 8);
        }

        /** Resets. */
        @Actor
        public void reset() {
            arena.reset();
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(JJ_Result r) {
            r.r2 = arena.usedBytes();
            arena.close();
        }
    }
}
