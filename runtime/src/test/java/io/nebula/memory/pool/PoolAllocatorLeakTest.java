package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.LeakWarnings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Leak reports: a pool closed while blocks are still handed out. */
@ExtendWith(LeakWarnings.class)
class PoolAllocatorLeakTest {

    private static final PoolConfig FAIL = PoolConfig.defaults().withLeakPolicy(LeakPolicy.FAIL);

    @Test
    void failPolicyThrowsWithCountAndBytesAndFreesTheMemoryAnyway() {
        PoolAllocator pool = PoolAllocator.create(20, 8, 8, FAIL);   // stride 24
        MemorySegment kept = pool.allocate();
        pool.allocateHandle();
        pool.deallocate(pool.allocate());
        AllocationException e = assertThrows(AllocationException.class, pool::close);
        assertEquals(ErrorCode.LEAK, e.code());
        assertTrue(e.getMessage().contains("closed with 2 live allocation(s) holding 48 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("enable checked mode to see where they were allocated"), e.getMessage());
        assertTrue(pool.isClosed());
        assertThrows(IllegalStateException.class, () -> kept.get(ValueLayout.JAVA_BYTE, 0));
        assertDoesNotThrow(pool::close, "closing again reports nothing");
    }

    @Test
    void checkedModeNamesWhereEachLeakedBlockWasAllocated() {
        PoolAllocator pool = PoolAllocator.create(32, 8, 8, FAIL.withChecked(true));
        allocateAndForget(pool);
        pool.deallocate(pool.allocate());
        AllocationException e = assertThrows(AllocationException.class, pool::close);
        assertTrue(e.getMessage().contains("closed with 2 live allocation(s) holding 64 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("allocation 1:"), e.getMessage());
        assertTrue(e.getMessage().contains("allocation 2:"), e.getMessage());
        assertFalse(e.getMessage().contains("allocation 3:"), "a block given back is not a leak");
        assertTrue(e.getMessage().contains("allocateAndForget"), e.getMessage());
    }

    private static void allocateAndForget(PoolAllocator pool) {
        pool.allocate();
        pool.allocateHandle();
    }

    @Test
    void blocksGivenBackOrReleasedByResetAreNotLeaks() {
        PoolAllocator pool = PoolAllocator.create(32, 8, 4, FAIL.withChecked(true));
        pool.deallocateHandle(pool.allocateHandle());
        pool.allocate();
        pool.allocateHandle();
        pool.reset();
        assertDoesNotThrow(pool::close);
    }

    @Test
    void ignoreAndWarnPoliciesCloseQuietly() {
        for (LeakPolicy policy : new LeakPolicy[] {LeakPolicy.IGNORE, LeakPolicy.WARN}) {
            PoolAllocator pool = PoolAllocator.create(32, 8, 4, PoolConfig.defaults().withLeakPolicy(policy));
            pool.allocate();
            assertDoesNotThrow(pool::close);
            assertTrue(pool.isClosed());
        }
    }

    @Test
    void aThreadSafePoolReportsBlocksEveryThreadLeft() throws Exception {
        PoolAllocator pool = PoolAllocator.create(32, 8, 8, FAIL.withThreadSafe(true));
        Thread other = new Thread(() -> {
            pool.allocate();
            pool.allocateHandle();
        });
        other.start();
        other.join();
        pool.allocate();
        AllocationException e = assertThrows(AllocationException.class, pool::close);
        assertTrue(e.getMessage().contains("closed with 3 live allocation(s) holding 96 bytes"), e.getMessage());
        assertTrue(pool.isClosed());
    }
}
