package io.nebula.memory.stress;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.stack.StackAllocator;
import io.nebula.memory.stack.StackConfig;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * jcstress tests of the thread-safe stack's regions: two threads whose stacks go from empty to non-empty at once race
 * to take a region (one compare-and-set) and give it back when they pop. Each thread stamps its push with its own
 * byte, checks the stamp before popping, and reports 1 when it was intact, -1 when its push was refused for lack of a
 * region, 0 when another thread wrote into its memory; the arbiter reports the bytes still in use (every region back:
 * 0).
 */
public final class StackStress {

    private StackStress() {
    }

    static StackAllocator stack(long capacity, long regionSize) {
        return StackAllocator.create(capacity, StackConfig.defaults().withThreadSafe(true).withRegionSize(regionSize)
                .withLeakPolicy(LeakPolicy.IGNORE));
    }

    /** Pushes 32 bytes, stamps them with {@code mark}, checks the stamp and pops. */
    static int pushStampPop(StackAllocator stack, byte mark) {
        MemorySegment segment;
        try {
            segment = stack.allocate(32, 8);
        } catch (AllocationException e) {
            return e.code() == ErrorCode.OUT_OF_MEMORY ? -1 : -2;
        }
        segment.fill(mark);
        int intact = 1;
        for (int i = 0; i < 32; i++) {
            if (segment.get(ValueLayout.JAVA_BYTE, i) != mark) {
                intact = 0;
            }
        }
        stack.deallocate(segment);
        return intact;
    }

    /** Two regions for two threads: both pushes succeed, in regions of their own. */
    @JCStressTest
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "each thread pushed into a region of its own, all given back")
    @Outcome(expect = FORBIDDEN, desc = "a refused push, an overlap, or a region not given back")
    @State
    public static class TwoRegionsTwoThreads {
        private final StackAllocator stack = stack(128, 64);

        /**
         * First thread.
         *
         * @param r result
         */
        @Actor
        public void first(III_Result r) {
            r.r1 = pushStampPop(stack, (byte) 1);
        }

        /**
         * Second thread.
         *
         * @param r result
         */
        @Actor
        public void second(III_Result r) {
            r.r2 = pushStampPop(stack, (byte) 2);
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(III_Result r) {
            r.r3 = (int) stack.usedBytes() + stack.depth();
            stack.close();
        }
    }

    /** One region for two threads: one may be refused while the other holds it, but never share it. */
    @JCStressTest
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "one after the other: the region was given back in between")
    @Outcome(id = {"1, -1, 0", "-1, 1, 0"}, expect = ACCEPTABLE, desc = "one held the region, the other was refused")
    @Outcome(expect = FORBIDDEN, desc = "both refused, an overlap, or the region not given back")
    @State
    public static class OneRegionTwoThreads {
        private final StackAllocator stack = stack(64, 64);

        /**
         * First thread.
         *
         * @param r result
         */
        @Actor
        public void first(III_Result r) {
            r.r1 = pushStampPop(stack, (byte) 1);
        }

        /**
         * Second thread.
         *
         * @param r result
         */
        @Actor
        public void second(III_Result r) {
            r.r2 = pushStampPop(stack, (byte) 2);
        }

        /**
         * After both.
         *
         * @param r result
         */
        @Arbiter
        public void after(III_Result r) {
            r.r3 = (int) stack.usedBytes() + stack.depth();
            stack.close();
        }
    }
}
