package io.nebula.memory.pool;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.nebula.memory.FuzzChoices;

import java.util.List;

/**
 * Fuzz target for the pool: the fuzzer's input chooses one of {@link PoolAllocatorModelTest}'s configurations
 * (confined and thread-safe, checked, filled, fixed and growing) and every operation of a run of its model
 * (allocations by segment and handle, frees, scopes, misuse: foreign segments, double frees, bad requests; resets),
 * which checks every invariant after every step.
 *
 * <p>{@code mvn verify} replays the committed inputs in
 * {@code src/test/resources/io/nebula/memory/pool/PoolFuzzTestInputs/}. To fuzz (README, Testing):
 * <pre>{@code
 * JAZZER_FUZZ=1 mvn -pl runtime -am test -Dtest=PoolFuzzTest -Dsurefire.failIfNoSpecifiedTests=false
 * }</pre>
 */
class PoolFuzzTest {

    /** The most operations one input drives. */
    private static final int MAX_OPERATIONS = 2_000;

    @FuzzTest(maxDuration = "5m")
    void operations(FuzzedDataProvider data) {
        List<Object[]> pools = PoolAllocatorModelTest.pools().map(a -> a.get()).toList();
        Object[] pool = data.pickValue(pools);
        int operations = Math.min(MAX_OPERATIONS, data.remainingBytes() / 2 + 1);
        new PoolAllocatorModelTest.Run((String) pool[0], ((Number) pool[1]).longValue(),
                ((Number) pool[2]).longValue(), ((Number) pool[3]).intValue(), (PoolConfig) pool[4],
                new FuzzChoices(data), "fuzz input", false).steps(operations);
    }
}
