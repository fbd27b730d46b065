package io.nebula.memory.pool;

import io.nebula.memory.LeakPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code zeroOnRelease} on a pool: a block given back one by one leaves no data behind and comes back zeroed. */
class PoolZeroOnReleaseTest {

    @ParameterizedTest(name = "thread-safe={0}")
    @ValueSource(booleans = {false, true})
    void aBlockGivenBackIsZeroedAndComesBackZeroed(boolean threadSafe) {
        try (PoolAllocator pool = PoolAllocator.create(64, 8, 4,
                PoolConfig.defaults().withThreadSafe(threadSafe).withZeroOnRelease(true)
                        .withLeakPolicy(LeakPolicy.IGNORE))) {
            MemorySegment first = pool.allocate();
            MemorySegment second = pool.allocate();
            first.fill((byte) 0x5A);
            second.fill((byte) 0x5A);
            pool.deallocate(first);
            pool.deallocate(second);
            // Read through the stale segment (unchecked mode): only the free-list link is left.
            assertEquals(0, nonZeroBytes(first.asSlice(8)), "the released data is gone");
            MemorySegment again = pool.allocate();
            assertEquals(second.address(), again.address());
            assertEquals(0, nonZeroBytes(again), "the link is cleared too");
            MemorySegment andAgain = pool.allocate();
            assertEquals(first.address(), andAgain.address());
            assertEquals(0, nonZeroBytes(andAgain));
        }
    }

    @ParameterizedTest(name = "thread-safe={0}")
    @ValueSource(booleans = {false, true})
    void withoutItAGivenBackBlockKeepsItsData(boolean threadSafe) {
        try (PoolAllocator pool = PoolAllocator.create(64, 8, 4,
                PoolConfig.defaults().withThreadSafe(threadSafe).withLeakPolicy(LeakPolicy.IGNORE))) {
            MemorySegment block = pool.allocate();
            block.fill((byte) 0x5A);
            pool.deallocate(block);
            assertEquals(56, nonZeroBytes(pool.allocate().asSlice(8)), "documented: the old data comes back");
        }
    }

    private static int nonZeroBytes(MemorySegment segment) {
        int count = 0;
        for (long i = 0; i < segment.byteSize(); i++) {
            if (segment.get(ValueLayout.JAVA_BYTE, i) != 0) {
                count++;
            }
        }
        return count;
    }
}
