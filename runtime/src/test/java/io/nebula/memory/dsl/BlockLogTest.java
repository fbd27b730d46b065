package io.nebula.memory.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.pool.PoolAllocator;
import io.nebula.memory.pool.PoolConfig;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BlockLogTest {

    @Test
    void closingAScopeGivesBackExactlyTheBlocksTakenInsideIt() {
        try (PoolAllocator pool = PoolAllocator.create(16, 8, 8)) {
            BlockLog blocks = BlockLog.of(pool);
            MemorySegment outside = blocks.allocate(16, 8);
            int outer = blocks.open();
            blocks.allocate(16, 8);
            int inner = blocks.open();
            blocks.allocate(8, 8);
            blocks.allocate(16, 1);
            assertEquals(4 * pool.stride(), pool.usedBytes());
            assertEquals(3, blocks.recorded());

            blocks.close(inner);
            assertEquals(2 * pool.stride(), pool.usedBytes());
            blocks.close(outer);
            assertEquals(pool.stride(), pool.usedBytes(), "the block taken outside any scope stays");
            assertEquals(0, blocks.openScopes());
            pool.deallocate(outside);
            assertEquals(0, pool.usedBytes());
        }
    }

    @Test
    void theSegmentIsTheRequestedPrefixOfABlock() {
        try (PoolAllocator pool = PoolAllocator.create(24, 8, 2)) {
            BlockLog blocks = BlockLog.of(pool);
            MemorySegment segment = blocks.allocate(12, 4);
            assertEquals(12, segment.byteSize());
            assertEquals(0, segment.address() % 8);
            assertSame(pool, blocks.pool());
        }
    }

    @Test
    void aRequestNoBlockCanServeFailsWithThePoolsErrorAndRecordsNothing() {
        try (PoolAllocator pool = PoolAllocator.create(16, 8, 2)) {
            BlockLog blocks = BlockLog.of(pool);
            int mark = blocks.open();
            AllocationException tooLarge = assertThrows(AllocationException.class, () -> blocks.allocate(17, 8));
            assertEquals(ErrorCode.INVALID_SIZE, tooLarge.code());
            AllocationException tooAligned = assertThrows(AllocationException.class, () -> blocks.allocate(8, 64));
            assertEquals(ErrorCode.INVALID_ALIGNMENT, tooAligned.code());
            blocks.allocate(16, 8);
            blocks.allocate(16, 8);
            AllocationException full = assertThrows(AllocationException.class, () -> blocks.allocate(16, 8));
            assertEquals(ErrorCode.OUT_OF_MEMORY, full.code());
            assertEquals(2, blocks.recorded());
            blocks.close(mark);
            assertEquals(0, pool.usedBytes());
        }
    }

    @Test
    void closingWithoutAnOpenScopeOrWithAForeignMarkThrowsAndChangesNothing() {
        try (PoolAllocator pool = PoolAllocator.create(16, 8, 4)) {
            BlockLog blocks = BlockLog.of(pool);
            assertThrows(IllegalStateException.class, () -> blocks.close(0));
            int mark = blocks.open();
            blocks.allocate(16, 8);
            assertThrows(IllegalStateException.class, () -> blocks.close(mark + 2));
            assertEquals(1, blocks.recorded());
            assertEquals(1, blocks.openScopes());
            blocks.close(mark);
            assertEquals(0, pool.usedBytes());
        }
    }

    @Test
    void aBlockGivenBackByHandIsReportedAfterTheOthersAreGivenBack() {
        try (PoolAllocator pool = PoolAllocator.create(16, 8, 4)) {
            BlockLog blocks = BlockLog.of(pool);
            int mark = blocks.open();
            blocks.allocate(16, 8);
            MemorySegment freedByHand = blocks.allocate(16, 8);
            blocks.allocate(16, 8);
            pool.deallocate(freedByHand);

            AllocationException e = assertThrows(AllocationException.class, () -> blocks.close(mark));
            assertEquals(ErrorCode.DOUBLE_FREE, e.code());
            assertEquals(0, pool.usedBytes(), "the other blocks went back");
            assertEquals(0, blocks.openScopes());
        }
    }

    @Test
    void aMillionScopedAllocationsGrowTheLogOnceAndLeaveNothingAllocated() {
        try (PoolAllocator pool = PoolAllocator.create(8, 8, 64)) {
            BlockLog blocks = BlockLog.of(pool);
            for (int i = 0; i < 1_000_000; i++) {
                int mark = blocks.open();
                blocks.allocate(8, 8);
                blocks.allocate(8, 8);
                blocks.close(mark);
            }
            assertEquals(0, pool.usedBytes());
            assertEquals(0, blocks.recorded());
        }
    }

    @Test
    void randomNestedScopesAgreeWithAModel() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (PoolAllocator pool = PoolAllocator.create(8, 8, 32, PoolConfig.defaults().withAllowGrowth(true))) {
            BlockLog blocks = BlockLog.of(pool);
            Deque<int[]> scopes = new ArrayDeque<>(); // {mark, live blocks when opened}
            int live = 0;
            for (int step = 0; step < 20_000; step++) {
                int action = random.nextInt(3);
                if (action == 0 || scopes.isEmpty() && action == 2) {
                    scopes.push(new int[] {blocks.open(), live});
                } else if (action == 1 && !scopes.isEmpty()) {
                    blocks.allocate(8, 8);
                    live++;
                } else if (!scopes.isEmpty()) {
                    int[] scope = scopes.pop();
                    blocks.close(scope[0]);
                    live = scope[1];
                }
                assertEquals(live * pool.stride(), pool.usedBytes(), "seed " + seed + ", step " + step);
                assertEquals(scopes.size(), blocks.openScopes(), "seed " + seed + ", step " + step);
            }
        }
    }
}
