package io.nebula.memory.stack;

import io.nebula.memory.Choices;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.LeakWarnings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.SplittableRandom;

/**
 * Runs long random sequences of operations against a {@link StackAllocator} and a plain reference model: a list of
 * live regions and a top. Every operation is exercised (push on both paths, pop on every path, checkpoint,
 * restore, scope open and close, reset, and each kind of refused call), on both implementations, confined and
 * thread-safe (driven by one thread: the model checks the semantics, the concurrency tests the threads), unchecked
 * and checked. Every region must lie inside the backing block (in checked mode, a segment of its own, of the size
 * and alignment asked), be aligned as asked, start at or after the end of every live region below it and keep the
 * stamp written into it until it is popped; used and available bytes, the depth and (when tracked) the statistics
 * must equal the model's. Checkpoints and scopes are modelled independently of the allocator's frames: one is
 * discarded the moment the model pops below its depth, and an operation pops the top and pushes back to the same
 * depth and used bytes before taking a new one there, so that a discarded one must be told from a live one that
 * looks the same. In checked mode every popped segment must be dead, and
 * giving one back is {@link ErrorCode#USE_AFTER_FREE}.
 *
 * <p>The seed is random per run and printed on failure; rerun one with {@code -Dnebula.test.seed=<seed>}.
 */
@ExtendWith(LeakWarnings.class)
class StackAllocatorModelTest {

    @Test
    void confinedStackFollowsTheModelForAMillionOperations() {
        check(StackConfig.defaults(), 64 * 1024, 1_000_000, seed(0));
    }

    @Test
    void confinedStackWithStatisticsFillAndZeroingFollowsTheModel() {
        StackConfig config = StackConfig.defaults()
                .withTrackStats(true)
                .withFillPattern((byte) 0xA5)
                .withZeroOnRelease(true);
        check(config, 64 * 1024, 200_000, seed(1));
    }

    @Test
    void threadSafeStackFollowsTheModel() {
        check(StackConfig.defaults().withThreadSafe(true), 64 * 1024, 300_000, seed(2));
    }

    @Test
    void threadSafeStackWithStatisticsFillAndZeroingFollowsTheModel() {
        StackConfig config = StackConfig.defaults()
                .withThreadSafe(true)
                .withTrackStats(true)
                .withFillPattern((byte) 0x3C)
                .withZeroOnRelease(true);
        check(config, 64 * 1024, 100_000, seed(3));
    }

    @Test
    void checkedConfinedStackFollowsTheModel() {
        StackConfig config = StackConfig.defaults()
                .withChecked(true)
                .withTrackStats(true)
                .withFillPattern((byte) 0x5A)
                .withLeakPolicy(LeakPolicy.IGNORE);
        check(config, 16 * 1024, 100_000, seed(4));
    }

    @Test
    void checkedThreadSafeStackFollowsTheModel() {
        StackConfig config = StackConfig.defaults()
                .withChecked(true)
                .withThreadSafe(true)
                .withTrackStats(true)
                .withZeroOnRelease(true)
                .withLeakPolicy(LeakPolicy.IGNORE);
        check(config, 16 * 1024, 20_000, seed(5));
    }

    private static long seed(int test) {
        Long fixed = Long.getLong("nebula.test.seed");
        return fixed != null ? fixed : new SplittableRandom().nextLong() + test;
    }

    private static void check(StackConfig config, long capacity, int operations, long seed) {
        try (StackModelRun run = new StackModelRun(config, capacity, seed)) {
            try {
                run.execute(Choices.operations(operations));
                run.assertEveryErrorProvoked();
            } catch (AssertionError | RuntimeException e) {
                String where = "model test failed with seed " + seed + " (rerun with -Dnebula.test.seed=" + seed
                        + ") at operation " + run.step + ", " + run.operation.get() + ", on " + run.stack;
                System.err.println(where);
                throw new AssertionError(where, e);
            }
        }
    }
}
