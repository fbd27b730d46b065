package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checked mode turns use of a block after it was given back, reset or closed into an exception. */
class PoolAllocatorCheckedTest {

    private static final PoolConfig CHECKED = PoolConfig.defaults().withChecked(true)
            .withLeakPolicy(LeakPolicy.IGNORE);

    private static PoolAllocator checked(int blocks) {
        return PoolAllocator.create(32, 8, blocks, CHECKED);
    }

    @Test
    void aSegmentUsedAfterItWasGivenBackThrowsInsteadOfReadingTheNextOwnersData() {
        try (PoolAllocator pool = checked(1)) {
            assertTrue(pool.isChecked());
            MemorySegment stale = pool.allocate();
            stale.set(ValueLayout.JAVA_LONG, 0, 1L);
            pool.deallocate(stale);
            MemorySegment next = pool.allocate();   // the same block: the pool has one
            next.set(ValueLayout.JAVA_LONG, 0, 2L);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> stale.get(ValueLayout.JAVA_LONG, 0));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> stale.set(ValueLayout.JAVA_LONG, 0, 3L));
            assertEquals(2L, next.get(ValueLayout.JAVA_LONG, 0));
        }
    }

    @Test
    void aSegmentUsedAfterResetThrows() {
        try (PoolAllocator pool = checked(4)) {
            MemorySegment stale = pool.allocate(16, 8);
            pool.reset();
            assertThrows(IllegalStateException.class, () -> stale.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(4, pool.freeBlocks());
        }
    }

    @Test
    void aSegmentUsedAfterCloseThrows() {
        PoolAllocator pool = checked(4);
        MemorySegment live = pool.allocate();
        pool.close();
        assertThrows(IllegalStateException.class, () -> live.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void givingBackASegmentTwiceIsUseAfterFreeAndChangesNothing() {
        try (PoolAllocator pool = checked(4)) {
            MemorySegment block = pool.allocate();
            MemorySegment other = pool.allocate();
            pool.deallocate(block);
            PoolState before = PoolState.of(pool);
            AllocationException e = assertThrows(AllocationException.class, () -> pool.deallocate(block));
            assertEquals(ErrorCode.USE_AFTER_FREE, e.code());
            assertTrue(e.details().contains("was already given back to this pool, by hand, by the close of the scope"
                    + " it was allocated in, or by reset(): its memory is closed"), e::getMessage);
            assertEquals(before, PoolState.of(pool));
            pool.deallocate(other);
            assertEquals(4, pool.freeBlocks());
        }
    }

    @Test
    void givingBackASegmentReleasedByResetIsUseAfterFree() {
        try (PoolAllocator pool = checked(4)) {
            MemorySegment stale = pool.allocate();
            pool.reset();
            MemorySegment fresh = pool.allocate();   // the block the stale segment named
            AllocationException e = assertThrows(AllocationException.class, () -> pool.deallocate(stale));
            assertEquals(ErrorCode.USE_AFTER_FREE, e.code());
            assertEquals(1, pool.blockCount() - pool.freeBlocks(), "the new owner's block stays handed out");
            pool.deallocate(fresh);
        }
    }

    @Test
    void accountingMatchesUncheckedMode() {
        PoolConfig config = CHECKED.withTrackStats(true);
        try (PoolAllocator pool = PoolAllocator.create(32, 8, 2, config)) {
            MemorySegment small = pool.allocate(10, 8);
            long handle = pool.allocateHandle();
            assertEquals(10, small.byteSize());
            assertEquals(0, small.address() % 8);
            assertTrue(pool.owns(small));
            assertEquals(64, pool.usedBytes());
            AllocationException full = assertThrows(AllocationException.class, pool::allocate);
            assertEquals(ErrorCode.OUT_OF_MEMORY, full.code());
            pool.deallocateHandle(handle);
            AllocationException twice = assertThrows(AllocationException.class, () -> pool.deallocateHandle(handle));
            assertEquals(ErrorCode.DOUBLE_FREE, twice.code());
            pool.deallocate(small);
            assertFalse(pool.owns(small), "a segment given back is no longer the pool's");
            assertEquals(new AllocationStatistics(2, 2, 32 + 32, 32 + 32, 0, 64, 1, 0, 0, 0),
                    pool.statistics().orElseThrow());
        }
    }

    @Test
    void handlesAreNotCheckedButStillAccounted() {
        try (PoolAllocator pool = checked(2)) {
            long handle = pool.allocateHandle();
            pool.segmentOf(handle).set(ValueLayout.JAVA_INT, PoolAllocator.offsetOf(handle), 7);
            pool.deallocateHandle(handle);
            assertEquals(2, pool.freeBlocks());
            MemorySegment slice = pool.segment().asSlice(PoolAllocator.offsetOf(pool.allocateHandle()), 32);
            pool.deallocate(slice);   // a slice of a chunk goes back as unchecked
            assertEquals(2, pool.freeBlocks());
        }
    }

    @Test
    void fillPatternCoversCheckedSegments() {
        try (PoolAllocator pool = PoolAllocator.create(32, 8, 2, CHECKED.withFillPattern((byte) 0x5A))) {
            MemorySegment block = pool.allocate();
            for (long i = 0; i < block.byteSize(); i++) {
                assertEquals(0x5A, block.get(ValueLayout.JAVA_BYTE, i));
            }
        }
    }

    @Test
    void threadSafeCheckedPoolsCloseSegmentsGivenBackByAnotherThread() throws Exception {
        try (PoolAllocator pool = PoolAllocator.create(32, 8, 2, CHECKED.withThreadSafe(true))) {
            MemorySegment[] fromOtherThread = new MemorySegment[1];
            Thread allocator = new Thread(() -> fromOtherThread[0] = pool.allocate());
            allocator.start();
            allocator.join();
            MemorySegment block = fromOtherThread[0];
            block.set(ValueLayout.JAVA_INT, 0, 7);
            pool.deallocate(block);
            assertThrows(IllegalStateException.class, () -> block.get(ValueLayout.JAVA_INT, 0));
            AllocationException e = assertThrows(AllocationException.class, () -> pool.deallocate(block));
            assertEquals(ErrorCode.USE_AFTER_FREE, e.code());
            assertEquals(2, pool.freeBlocks());
        }
    }
}
