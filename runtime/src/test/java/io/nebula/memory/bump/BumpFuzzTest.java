package io.nebula.memory.bump;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.nebula.memory.FuzzChoices;

import java.util.Arrays;

/**
 * Fuzz targets for the bump allocator: the fuzzer's input chooses the configuration and every operation (allocations
 * of any size and alignment, bad requests, checkpoints, scopes, restores of live and discarded checkpoints, resets)
 * of a run of {@link BumpAllocatorModelTest}'s model, which checks every invariant after every step.
 *
 * <p>{@code mvn verify} replays the committed inputs in {@code src/test/resources/io/nebula/memory/bump/
 * BumpFuzzTestInputs/} as regression tests. To fuzz one target (README, Testing):
 * <pre>{@code
 * JAZZER_FUZZ=1 mvn -pl runtime -am test -Dtest=BumpFuzzTest#growableArena -Dsurefire.failIfNoSpecifiedTests=false
 * }</pre>
 * An input that fails is written to the inputs folder, where it stays as a regression test once committed.
 */
class BumpFuzzTest {

    /** The most operations one input drives; an input used up chooses its least values until then. */
    static final int MAX_OPERATIONS = 2_000;

    /** A fixed arena: confined, thread-safe or checked. */
    @FuzzTest(maxDuration = "5m")
    void fixedArena(FuzzedDataProvider data) {
        run(data, Arrays.stream(BumpAllocatorModelTest.Setup.values()).filter(s -> !s.growable).toList());
    }

    /** A growable arena (the chunk chain): confined, thread-safe, checked, keeping all chunks or not. */
    @FuzzTest(maxDuration = "5m")
    void growableArena(FuzzedDataProvider data) {
        run(data, Arrays.stream(BumpAllocatorModelTest.Setup.values()).filter(s -> s.growable).toList());
    }

    private static void run(FuzzedDataProvider data, java.util.List<BumpAllocatorModelTest.Setup> setups) {
        BumpAllocatorModelTest.Setup setup = data.pickValue(setups);
        int operations = Math.min(MAX_OPERATIONS, data.remainingBytes() / 2 + 1);
        new BumpAllocatorModelTest().run(setup, new FuzzChoices(data), operations, "fuzz input");
    }
}
