package io.nebula.memory.stack;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.nebula.memory.FuzzChoices;
import io.nebula.memory.LeakPolicy;

import java.util.List;

/**
 * Fuzz target for the stack: the fuzzer's input chooses the configuration (confined or thread-safe, checked, filled,
 * zeroing) and every operation of a {@link StackModelRun} (pushes on both paths, pops in and out of order, bad
 * requests, checkpoints, scopes, restores of stale ones, resets), which checks every invariant after every step.
 *
 * <p>{@code mvn verify} replays the committed inputs in
 * {@code src/test/resources/io/nebula/memory/stack/StackFuzzTestInputs/}. To fuzz (README, Testing):
 * <pre>{@code
 * JAZZER_FUZZ=1 mvn -pl runtime -am test -Dtest=StackFuzzTest -Dsurefire.failIfNoSpecifiedTests=false
 * }</pre>
 */
class StackFuzzTest {

    /** The most operations one input drives. */
    private static final int MAX_OPERATIONS = 2_000;

    private static final List<StackConfig> CONFIGS;

    static {
        StackConfig base = StackConfig.defaults().withTrackStats(true).withLeakPolicy(LeakPolicy.IGNORE);
        CONFIGS = List.of(base, base.withThreadSafe(true), base.withFillPattern((byte) 0x5A).withZeroOnRelease(true),
                base.withChecked(true), base.withChecked(true).withThreadSafe(true).withZeroOnRelease(true));
    }

    @FuzzTest(maxDuration = "5m")
    void operations(FuzzedDataProvider data) {
        StackConfig config = data.pickValue(CONFIGS);
        // The model's sizes go up to half the capacity, from 1025 bytes: at least 4 KiB.
        long capacity = data.pickValue(new Long[] {4096L, 16 * 1024L, 64 * 1024L});
        int operations = Math.min(MAX_OPERATIONS, data.remainingBytes() / 2 + 1);
        try (StackModelRun run = new StackModelRun(config, capacity, new FuzzChoices(data))) {
            run.execute(operations);
        }
    }
}
