package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stale write into a freed block overwrites its free-list link. The pool then refuses, with a typed error, to
 * follow a link that names a block in use or no block at all, instead of handing out a live block twice or throwing
 * a raw {@link IndexOutOfBoundsException}; a reset rebuilds the list.
 */
class PoolFreeListCorruptionTest {

    private static PoolAllocator pool(boolean threadSafe) {
        return PoolAllocator.create(64, 8, 8, PoolConfig.defaults().withThreadSafe(threadSafe).withTrackStats(true)
                .withLeakPolicy(LeakPolicy.IGNORE));
    }

    @ParameterizedTest(name = "thread-safe={0}")
    @ValueSource(booleans = {false, true})
    void aLinkToABlockInUseIsRefused(boolean threadSafe) {
        try (PoolAllocator pool = pool(threadSafe)) {
            MemorySegment freed = pool.allocate();
            MemorySegment live = pool.allocate();
            pool.deallocate(freed);
            // Both encodings of the link (a handle, or a block number on a thread-safe pool) name the second
            // block of the first chunk by these values.
            freed.set(ValueLayout.JAVA_LONG, 0, threadSafe ? 1 : live.address() - pool.segment().address());
            assertEquals(freed.address(), pool.allocate().address(), "the freed block itself is fine");
            AllocationException e = assertThrows(AllocationException.class, pool::allocate);
            assertEquals(ErrorCode.USE_AFTER_FREE, e.code());
            assertTrue(e.details().contains("which is in use: a block was written to after it was given back"),
                    e.getMessage());
            assertEquals(1, pool.statistics().orElseThrow().failedAllocations());
            pool.reset();
            for (int i = 0; i < 8; i++) {
                pool.allocate();
            }
            assertEquals(0, pool.freeBlocks());
        }
    }

    @ParameterizedTest(name = "thread-safe={0}")
    @ValueSource(booleans = {false, true})
    void aLinkOutsideEveryChunkIsRefused(boolean threadSafe) {
        try (PoolAllocator pool = pool(threadSafe)) {
            MemorySegment freed = pool.allocate();
            pool.allocate();
            pool.deallocate(freed);
            freed.set(ValueLayout.JAVA_LONG, 0, 0x7FFF_FFF0L);
            pool.allocate();
            AllocationException e = assertThrows(AllocationException.class, pool::allocate);
            assertEquals(ErrorCode.USE_AFTER_FREE, e.code());
            assertTrue(e.details().contains("which is outside every chunk"), e.getMessage());
            assertEquals(ErrorCode.USE_AFTER_FREE, assertThrows(AllocationException.class, pool::allocate).code(),
                    "the list is left as it is: the next call says the same");
        }
    }

    @Test
    void aLinkInsideABlockIsRefused() {
        try (PoolAllocator pool = pool(false)) {
            MemorySegment freed = pool.allocate();
            MemorySegment other = pool.allocate();
            pool.deallocate(other);
            pool.deallocate(freed);
            freed.set(ValueLayout.JAVA_LONG, 0, other.address() - pool.segment().address() + 8);
            pool.allocate();
            AllocationException e = assertThrows(AllocationException.class, pool::allocate);
            assertTrue(e.details().contains("which is not the start of a block"), e.getMessage());
        }
    }
}
