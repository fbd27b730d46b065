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
 * A stale write into a freed block of a thread-safe pool overwrites its free-list link. The pool then refuses, with
 * a typed error, to follow a link that names a block in use or no block at all, instead of handing out a live block
 * twice or throwing a raw {@link IndexOutOfBoundsException}; a reset rebuilds the list. A confined pool keeps its
 * links on the heap, out of reach of such a write.
 */
class PoolFreeListCorruptionTest {

    private static PoolAllocator pool(boolean threadSafe) {
        return PoolAllocator.create(64, 8, 8, PoolConfig.defaults().withThreadSafe(threadSafe).withTrackStats(true)
                .withLeakPolicy(LeakPolicy.IGNORE));
    }

    @Test
    void aLinkToABlockInUseIsRefused() {
        try (PoolAllocator pool = pool(true)) {
            MemorySegment freed = pool.allocate();
            pool.allocate();                                  // the second block, in use
            pool.deallocate(freed);
            // The link of a thread-safe pool is a block number: 1 names the second block of the first chunk.
            freed.set(ValueLayout.JAVA_LONG, 0, 1);
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

    @Test
    void aLinkOutsideEveryChunkIsRefused() {
        try (PoolAllocator pool = pool(true)) {
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

    @ParameterizedTest(name = "value={0}")
    @ValueSource(longs = {1, 0x7FFF_FFF0L, 72, -1})
    void aStaleWriteIntoAFreedBlockOfAConfinedPoolCannotReachTheFreeList(long written) {
        try (PoolAllocator pool = pool(false)) {
            MemorySegment freed = pool.allocate();
            MemorySegment other = pool.allocate();
            pool.deallocate(other);
            pool.deallocate(freed);
            freed.set(ValueLayout.JAVA_LONG, 0, written);   // what would be the link of an in-block free list
            assertEquals(freed.address(), pool.allocate().address(), "newest first");
            assertEquals(other.address(), pool.allocate().address(), "the list went on as if nothing was written");
            for (int i = 0; i < 6; i++) {
                pool.allocate();
            }
            assertEquals(0, pool.freeBlocks());
            assertEquals(0, pool.statistics().orElseThrow().failedAllocations());
        }
    }
}
