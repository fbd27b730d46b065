package io.nebula.memory.pool;

import io.nebula.memory.AllocationException;
import io.nebula.memory.AllocationStatistics;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.Scope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicReference;

import static io.nebula.memory.pool.PoolAllocatorTest.assertContains;
import static io.nebula.memory.pool.PoolAllocatorTest.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool's scope: what it gives back, what it leaves alone, and how it fails. Each test runs on both pools. */
class PoolScopeTest {

    private static PoolAllocator pool(boolean threadSafe, long blockSize, int blocks) {
        return PoolAllocator.create(blockSize, 8, blocks, config(threadSafe));
    }

    private static PoolConfig config(boolean threadSafe) {
        return PoolConfig.defaults().withThreadSafe(threadSafe).withTrackStats(true)
                .withLeakPolicy(LeakPolicy.IGNORE);
    }

    /** Runs {@code body} on a new thread and waits for it, rethrowing what it threw. */
    private static void onAnotherThread(Runnable body) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        thread.start();
        thread.join();
        if (failure.get() instanceof RuntimeException e) {
            throw e;
        }
        if (failure.get() instanceof Error e) {
            throw e;
        }
    }

    @ParameterizedTest(name = "thread-safe: {0}")
    @ValueSource(booleans = {false, true})
    void closingAScopeGivesBackExactlyTheBlocksTakenInsideIt(boolean threadSafe) {
        try (PoolAllocator pool = pool(threadSafe, 16, 8)) {
            MemorySegment outside = pool.allocate();
            Scope outer = pool.scope();
            pool.allocate();
            Scope inner = pool.scope();
            pool.allocate(8, 8);
            pool.allocateHandle();
            assertEquals(4 * pool.stride(), pool.usedBytes());
            assertContains(pool.toString(), "2 open scope(s)");

            inner.close();
            assertTrue(inner.isClosed());
            assertEquals(2 * pool.stride(), pool.usedBytes());
            outer.close();
            assertEquals(pool.stride(), pool.usedBytes(), "the block taken outside any scope stays");
            assertFalse(pool.toString().contains("open scope"), pool::toString);
            pool.deallocate(outside);
            assertEquals(0, pool.usedBytes());
        }
    }

    @ParameterizedTest(name = "thread-safe: {0}")
    @ValueSource(booleans = {false, true})
    void aBlockTakenAgainFromTheFreeListInsideAScopeIsGivenBackByTheScope(boolean threadSafe) {
        // The plain configuration (unchecked, no statistics, no fill pattern): a confined pool takes a free block of
        // its first chunk on its shortest path, which must record it in the open scope all the same.
        PoolConfig plain = PoolConfig.defaults().withThreadSafe(threadSafe).withLeakPolicy(LeakPolicy.IGNORE);
        try (PoolAllocator pool = PoolAllocator.create(16, 8, 4, plain)) {
            MemorySegment first = pool.allocate();
            MemorySegment second = pool.allocate();
            pool.deallocate(first);
            pool.deallocate(second);
            try (Scope outer = pool.scope()) {
                MemorySegment again = pool.allocate();
                if (!threadSafe) {
                    assertEquals(second.address(), again.address(), "the block given back last is taken first");
                }
                try (Scope inner = pool.scope()) {
                    pool.allocate(8, 8);
                    assertEquals(2 * pool.stride(), pool.usedBytes());
                    assertFalse(inner.isClosed());
                }
                assertEquals(pool.stride(), pool.usedBytes(), "the inner scope gave back its block");
                assertFalse(outer.isClosed());
            }
            assertEquals(0, pool.usedBytes(), "the outer scope gave back its block");
            MemorySegment[] all = new MemorySegment[4];
            for (int i = 0; i < all.length; i++) {
                all[i] = pool.allocate();
            }
            assertEquals(4 * pool.stride(), pool.usedBytes(), "every block could be taken again");
        }
    }

    @ParameterizedTest(name = "thread-safe: {0}")
    @ValueSource(booleans = {false, true})
    void everyWayOfTakingABlockIsRecorded(boolean threadSafe) {
        MemoryLayout pair = MemoryLayout.structLayout(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
        try (PoolAllocator pool = pool(threadSafe, 16, 8)) {
            try (Scope _ = pool.scope()) {
                pool.allocate();
                pool.allocate(12, 4);
                pool.allocate(pair);
                pool.allocateHandle();
                pool.allocateFrom(ValueLayout.JAVA_INT, 1, 2, 3);
                pool.allocate(ValueLayout.JAVA_LONG, segment -> segment.set(ValueLayout.JAVA_LONG, 0, 7L));
                assertEquals(6, pool.blockCount() - pool.freeBlocks());
            }
            assertEquals(0, pool.usedBytes());
            AllocationStatistics stats = pool.statistics().orElseThrow();
            assertEquals(6, stats.deallocations(), "each block the scope gave back counts as a deallocation");
            assertEquals(stats.bytesAllocated(), stats.bytesFreed(), "with the size it was asked for");
        }
    }

    @ParameterizedTest(name = "thread-safe: {0}")
    @ValueSource(booleans = {false, true})
    void aRequestNoBlockCanServeFailsAsOutsideAScopeAndRecordsNothing(boolean threadSafe) {
        try (PoolAllocator pool = pool(threadSafe, 16, 2)) {
            try (Scope _ = pool.scope()) {
                fails(pool, ErrorCode.INVALID_SIZE, () -> pool.allocate(17, 8));
                fails(pool, ErrorCode.INVALID_ALIGNMENT, () -> pool.allocate(8, 64));
                fails(pool, ErrorCode.INVALID_ALIGNMENT, () -> pool.allocate(8, Long.MIN_VALUE));
                fails(pool, ErrorCode.INVALID_SIZE, () -> pool.allocate(-1, 8));
                pool.allocate(16, 8);
                pool.allocateHandle();
                fails(pool, ErrorCode.OUT_OF_MEMORY, () -> pool.allocate(16, 8));
                fails(pool, ErrorCode.OUT_OF_MEMORY, pool::allocateHandle);
            }
            assertEquals(0, pool.usedBytes());
            assertEquals(2, pool.statistics().orElseThrow().deallocations());
        }
    }

    @ParameterizedTest(name = "thread-safe: {0}")
    @ValueSource(booleans = {false, true})
    void closingAnOuterScopeWhileAnInnerIsOpenFailsAndLeavesBothOpen(boolean threadSafe) {
        try (PoolAllocator pool = pool(threadSafe, 16, 8)) {
            Scope outer = pool.scope();
            pool.allocate();
            Scope inner = pool.scope();
            pool.allocate();
            AllocationException e = fails(pool, ErrorCode.INVALID_CHECKPOINT, outer::close);
            assertEquals("the scope at depth 0 cannot close while 1 scope(s) opened inside it on this thread are"
                    + " still open; it stays open and nothing was given back", e.details());
            assertEquals("Close scopes innermost first, as try-with-resources does; then close this one again.",
                    e.suggestions().getFirst());
            assertFalse(outer.isClosed());
            assertFalse(inner.isClosed());

            inner.close();
            outer.close();                                   // the failed close can be retried
            assertTrue(outer.isClosed());
            assertEquals(0, pool.usedBytes());
            outer.close();                                   // closing again does nothing
        }
    }

    @ParameterizedTest(name = "thread-safe: {0}")
    @ValueSource(booleans = {false, true})
    void aBlockGivenBackByHandInsideTheScopeIsNotGivenBackAgain(boolean threadSafe) {
        try (PoolAllocator pool = pool(threadSafe, 16, 4)) {
            try (Scope _ = pool.scope()) {
                pool.allocate();
                MemorySegment byHand = pool.allocate();
                long handle = pool.allocateHandle();
                pool.deallocate(byHand);
                pool.deallocateHandle(handle);
            }
            assertEquals(0, pool.usedBytes());
            AllocationStatistics stats = pool.statistics().orElseThrow();
            assertEquals(3, stats.deallocations(), "two by hand, one by the scope: no block twice");
        }
    }

    @ParameterizedTest(name = "thread-safe: {0}")
    @ValueSource(booleans = {false, true})
    void aBlockTakenTwiceByTheSameScopeIsGivenBackOnce(boolean threadSafe) {
        try (PoolAllocator pool = pool(threadSafe, 16, 4)) {
            try (Scope _ = pool.scope()) {
                long first = pool.allocateHandle();
                pool.deallocateHandle(first);
                assertEquals(first, pool.allocateHandle(), "the free list hands the same block out again");
            }
            assertEquals(0, pool.usedBytes());
            assertEquals(2, pool.statistics().orElseThrow().deallocations());
        }
    }

    @ParameterizedTest(name = "thread-safe: {0}")
    @ValueSource(booleans = {false, true})
    void aHandleInsideABlockIsForeignAndLeavesTheBlockToItsScope(boolean threadSafe) {
        try (PoolAllocator pool = PoolAllocator.create(40, 8, 4, config(threadSafe))) {   // 8-byte granules
            try (Scope _ = pool.scope()) {
                long handle = pool.allocateHandle();
                AllocationException e = fails(pool, ErrorCode.FOREIGN_SEGMENT, () -> pool.deallocateHandle(handle + 8));
                assertContains(e.details(), "it starts 8 bytes into block 0 of chunk 0");
                fails(pool, ErrorCode.FOREIGN_SEGMENT,
                        () -> pool.deallocate(pool.segment().asSlice(handle + 16, 8)));
            }
            assertEquals(0, pool.usedBytes(), "the scope still gives the block back");
        }
    }

    @ParameterizedTest(name = "thread-safe: {0}")
    @ValueSource(booleans = {false, true})
    void resetDiscardsOpenScopesAndClosingOneAfterwardsFails(boolean threadSafe) {
        try (PoolAllocator pool = pool(threadSafe, 16, 4)) {
            Scope discarded = pool.scope();
            pool.allocate();
            pool.reset();
            assertFalse(pool.toString().contains("open scope"), pool::toString);
            AllocationException e = fails(pool, ErrorCode.INVALID_CHECKPOINT, discarded::close);
            assertEquals("the scope at depth 0 was discarded by reset(), which gave back every block and discarded"
                    + " every open scope", e.details());
            assertFalse(discarded.isClosed());

            MemorySegment kept = pool.allocate();
            try (Scope scope = pool.scope()) {               // a new scope at the same depth
                pool.allocate();
                fails(pool, ErrorCode.INVALID_CHECKPOINT, discarded::close);
                assertNotEquals(discarded.toString(), scope.toString(), "scope ids are never reused");
            }
            assertEquals(pool.stride(), pool.usedBytes());
            pool.deallocate(kept);
        }
    }

    @ParameterizedTest(name = "thread-safe: {0}")
    @ValueSource(booleans = {false, true})
    void closingAPoolWithOpenScopesNamesThemInTheLeakReport(boolean threadSafe) {
        PoolConfig config = PoolConfig.defaults().withThreadSafe(threadSafe).withLeakPolicy(LeakPolicy.FAIL);
        PoolAllocator pool = PoolAllocator.create(16, 8, 8, config);
        Scope outer = pool.scope();
        pool.allocate();
        pool.allocate();
        pool.scope();
        for (int i = 0; i < 3; i++) {
            pool.allocateHandle();
        }
        AllocationException e = assertThrows(AllocationException.class, pool::close);
        assertEquals(ErrorCode.LEAK, e.code());
        assertContains(e.getMessage(), "2 open scope(s)");
        assertContains(e.getMessage(), "closed with 5 live allocation(s) and 2 open scope(s) holding 80 bytes");
        assertTrue(pool.isClosed());
        AllocationException closed = assertThrows(AllocationException.class, outer::close);
        assertEquals(ErrorCode.CLOSED, closed.code());
        assertThrows(AllocationException.class, pool::scope);
    }

    @Test
    void aScopeOfAConfinedPoolBelongsToItsThread() throws Exception {
        try (PoolAllocator pool = pool(false, 16, 4)) {
            Scope scope = pool.scope();
            pool.allocate();
            onAnotherThread(() -> {
                AllocationException e = assertThrows(AllocationException.class, scope::close);
                assertEquals(ErrorCode.WRONG_THREAD, e.code());
                assertEquals(ErrorCode.WRONG_THREAD,
                        assertThrows(AllocationException.class, pool::scope).code());
            });
            scope.close();
            assertEquals(0, pool.usedBytes());
        }
    }

    @Test
    void aScopeOfAThreadSafePoolIsClosedOnlyByItsThreadAndRecordsOnlyItsThreadsBlocks() throws Exception {
        try (PoolAllocator pool = pool(true, 16, 8)) {
            Scope scope = pool.scope();
            pool.allocate();
            long[] others = new long[2];
            onAnotherThread(() -> {
                others[0] = pool.allocateHandle();          // no scope on this thread: not recorded
                try (Scope _ = pool.scope()) {
                    pool.allocateHandle();                 // recorded in this thread's own scope
                }
                AllocationException e = assertThrows(AllocationException.class, scope::close);
                assertEquals(ErrorCode.WRONG_THREAD, e.code());
                assertContains(e.details(), "was opened by another thread");
            });
            assertEquals(2 * pool.stride(), pool.usedBytes());
            scope.close();
            assertEquals(pool.stride(), pool.usedBytes(), "the other thread's block is its own");
            pool.deallocateHandle(others[0]);
        }
    }

    @Test
    void aBlockOfAThreadSafeScopeGivenBackAndTakenAgainByAnotherThreadIsNotFreedByTheScope() throws Exception {
        try (PoolAllocator pool = pool(true, 16, 4)) {
            Scope scope = pool.scope();
            long block = pool.allocateHandle();
            long[] retaken = new long[2];
            onAnotherThread(() -> {
                pool.deallocateHandle(block);               // given back by hand, on another thread
                retaken[0] = pool.allocateHandle();         // handed out again, outside any scope
            });
            onAnotherThread(() -> {
                Scope other = pool.scope();
                pool.deallocateHandle(retaken[0]);
                retaken[1] = pool.allocateHandle();         // and again, inside another thread's scope
                assertEquals(block, retaken[1], "the free list hands out the same block");
            });
            scope.close();
            assertEquals(pool.stride(), pool.usedBytes(), "the block belongs to its new holder");
            pool.deallocateHandle(retaken[1]);
            assertEquals(0, pool.usedBytes());
        }
    }

    @ParameterizedTest(name = "thread-safe: {0}")
    @ValueSource(booleans = {false, true})
    void aSegmentKeptPastACheckedScopeThrowsOnAccess(boolean threadSafe) {
        PoolConfig config = config(threadSafe).withChecked(true);
        try (PoolAllocator pool = PoolAllocator.create(32, 8, 4, config)) {
            MemorySegment kept;
            long handle;
            try (Scope _ = pool.scope()) {
                kept = pool.allocate();
                kept.set(ValueLayout.JAVA_LONG, 0, 42L);
                handle = pool.allocateHandle();
            }
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> kept.get(ValueLayout.JAVA_LONG, 0));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> kept.set(ValueLayout.JAVA_LONG, 0, 1L));
            assertEquals(0, pool.usedBytes());
            AllocationException twice = assertThrows(AllocationException.class, () -> pool.deallocate(kept));
            assertEquals(ErrorCode.USE_AFTER_FREE, twice.code());
            assertContains(twice.details(), "by the close of the scope it was allocated in");
            assertEquals(ErrorCode.DOUBLE_FREE,
                    assertThrows(AllocationException.class, () -> pool.deallocateHandle(handle)).code());
        }
    }

    @ParameterizedTest(name = "thread-safe: {0}")
    @ValueSource(booleans = {false, true})
    void aCheckedSegmentGivenBackByHandInsideTheScopeIsClosedOnceAndTheRestByTheScope(boolean threadSafe) {
        PoolConfig config = config(threadSafe).withChecked(true);
        try (PoolAllocator pool = PoolAllocator.create(32, 8, 4, config)) {
            MemorySegment byScope;
            try (Scope _ = pool.scope()) {
                MemorySegment byHand = pool.allocate();
                byScope = pool.allocate(16, 8);
                pool.deallocate(byHand);
                assertFalse(byHand.scope().isAlive());
                assertTrue(byScope.scope().isAlive(), "a segment the scope holds is alive until it closes");
            }
            assertFalse(byScope.scope().isAlive());
            assertEquals(0, pool.usedBytes());
            assertEquals(2, pool.statistics().orElseThrow().deallocations());
        }
    }

    @ParameterizedTest(name = "thread-safe: {0}")
    @ValueSource(booleans = {false, true})
    void manyScopedAllocationsLeaveNothingAllocated(boolean threadSafe) {
        try (PoolAllocator pool = PoolAllocator.create(8, 8, 64, PoolConfig.defaults().withThreadSafe(threadSafe))) {
            for (int i = 0; i < 300_000; i++) {
                try (Scope _ = pool.scope()) {
                    pool.allocate(8, 8);
                    try (Scope _ = pool.scope()) {
                        pool.allocateHandle();
                    }
                    pool.allocateHandle();
                }
            }
            assertEquals(0, pool.usedBytes());
            assertEquals(64, pool.freeBlocks());
        }
    }

    @Test
    void resetDiscardsTheScopesOfEveryThreadOfAThreadSafePool() throws Exception {
        try (PoolAllocator pool = pool(true, 16, 4)) {
            java.util.concurrent.CyclicBarrier step = new java.util.concurrent.CyclicBarrier(2);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    Scope scope = pool.scope();
                    pool.allocateHandle();
                    step.await();                              // the main thread resets the pool
                    step.await();
                    AllocationException e = assertThrows(AllocationException.class, scope::close);
                    assertEquals(ErrorCode.INVALID_CHECKPOINT, e.code());
                    assertContains(e.details(), "was discarded by reset()");
                    try (Scope _ = pool.scope()) {
                        pool.allocateHandle();
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            other.start();
            step.await();
            assertContains(pool.toString(), "1 open scope(s)");
            pool.reset();
            assertFalse(pool.toString().contains("open scope"), pool::toString);
            long mine = pool.allocateHandle();                  // not in the other thread's discarded scope
            step.await();
            other.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals(pool.stride(), pool.usedBytes(), "the other thread's new scope gave back its block");
            pool.deallocateHandle(mine);
        }
    }

    @Test
    void scopeIdsOfAThreadSafePoolAreUniqueAcrossThreadsAndReservations() throws Exception {
        try (PoolAllocator pool = pool(true, 16, 4)) {
            java.util.Set<Long> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
            Runnable open = () -> {
                for (int i = 0; i < 70_000; i++) {              // more than one reservation of ids
                    try (Scope scope = pool.scope()) {
                        assertTrue(ids.add(((PoolScope) scope).id), "a scope id was handed out twice");
                    }
                }
            };
            onAnotherThread(open);
            open.run();
            onAnotherThread(open);
            assertEquals(210_000, ids.size());
            assertFalse(ids.contains(0L), "0 means no scope");
        }
    }

    @Test
    void theScopeIsThePoolsOwnType() {
        try (PoolAllocator pool = pool(false, 16, 4); Scope scope = pool.scope()) {
            ConfinedPoolScope poolScope = assertInstanceOf(ConfinedPoolScope.class, scope);
            assertEquals("PoolScope[depth=0, epoch=0]", poolScope.toString());
        }
        try (PoolAllocator pool = pool(true, 16, 4); Scope scope = pool.scope()) {
            PoolScope poolScope = assertInstanceOf(PoolScope.class, scope);
            assertEquals("PoolScope[id=1, depth=0]", poolScope.toString());
        }
    }

    @ParameterizedTest(name = "thread-safe: {0}")
    @ValueSource(booleans = {false, true})
    void aBlockOfAnOuterScopeGivenBackAndTakenAgainInsideAnInnerOneIsTheInnerOnesAlone(boolean threadSafe) {
        try (PoolAllocator pool = pool(threadSafe, 16, 4)) {
            try (Scope _ = pool.scope()) {
                long outers = pool.allocateHandle();
                try (Scope _ = pool.scope()) {
                    pool.deallocateHandle(outers);
                    assertEquals(outers, pool.allocateHandle(), "the same block, now the inner scope's");
                }
                assertEquals(0, pool.usedBytes(), "the inner scope gave it back");
                assertEquals(outers, pool.allocateHandle(), "taken a third time, by the outer scope");
                assertEquals(pool.stride(), pool.usedBytes());
            }
            assertEquals(0, pool.usedBytes());
            assertEquals(4, pool.freeBlocks());
            assertEquals(3, pool.statistics().orElseThrow().deallocations(), "by hand, by the inner, by the outer");
        }
    }

    @ParameterizedTest(name = "thread-safe: {0}")
    @ValueSource(booleans = {false, true})
    void aBlockTakenBeforeTheScopeGivenBackAndTakenAgainInsideItIsTheScopes(boolean threadSafe) {
        try (PoolAllocator pool = pool(threadSafe, 16, 4)) {
            long before = pool.allocateHandle();
            long kept = pool.allocateHandle();
            try (Scope _ = pool.scope()) {
                pool.deallocateHandle(before);
                assertEquals(before, pool.allocateHandle());
            }
            assertEquals(pool.stride(), pool.usedBytes(), "only the block kept outside the scope is in use");
            fails(pool, ErrorCode.DOUBLE_FREE, () -> pool.deallocateHandle(before));
            pool.deallocateHandle(kept);
            assertEquals(3, pool.statistics().orElseThrow().deallocations());
        }
    }

    @ParameterizedTest(name = "thread-safe: {0}")
    @ValueSource(booleans = {false, true})
    void aBlockGivenBackByHandInsideAnInnerScopeIsLeftAloneByTheOuterOne(boolean threadSafe) {
        try (PoolAllocator pool = pool(threadSafe, 16, 4)) {
            MemorySegment byHand;
            try (Scope _ = pool.scope()) {
                byHand = pool.allocate();
                MemorySegment byScope = pool.allocate();
                try (Scope _ = pool.scope()) {
                    pool.deallocate(byHand);
                }
                assertEquals(pool.stride(), pool.usedBytes());
                assertTrue(byScope.address() != byHand.address());
            }
            assertEquals(0, pool.usedBytes());
            assertEquals(2, pool.statistics().orElseThrow().deallocations());
            fails(pool, ErrorCode.DOUBLE_FREE, () -> pool.deallocate(byHand));
        }
    }

    @ParameterizedTest(name = "thread-safe: {0}")
    @ValueSource(booleans = {false, true})
    void aScopeAcrossAGrowthGivesBackTheBlocksOfEveryChunk(boolean threadSafe) {
        try (PoolAllocator pool = PoolAllocator.create(16, 8, 2, config(threadSafe).withAllowGrowth(true))) {
            long before = pool.allocateHandle();
            try (Scope _ = pool.scope()) {
                for (int i = 0; i < 5; i++) {
                    pool.allocateHandle();
                }
                assertEquals(3, pool.chunkCount());
                try (Scope _ = pool.scope()) {
                    pool.allocate();                         // a fourth chunk, inside the inner scope
                    assertEquals(4, pool.chunkCount());
                }
                assertEquals(6 * pool.stride(), pool.usedBytes());
            }
            assertEquals(pool.stride(), pool.usedBytes(), "only the block taken before the scope");
            assertEquals(7, pool.freeBlocks());
            pool.deallocateHandle(before);
            for (int i = 0; i < 8; i++) {
                pool.allocateHandle();   // every block, in every chunk, can be handed out again
            }
            assertEquals(4, pool.chunkCount());
        }
    }

    @ParameterizedTest(name = "thread-safe: {0}")
    @ValueSource(booleans = {false, true})
    void aScopeWhoseInnerScopeWasLeftOpenClosesOnceTheInnerOneHas(boolean threadSafe) {
        try (PoolAllocator pool = pool(threadSafe, 16, 4)) {
            Scope outer = pool.scope();
            pool.allocate();
            Scope inner = pool.scope();
            pool.allocate();
            fails(pool, ErrorCode.INVALID_CHECKPOINT, outer::close);
            assertEquals(2 * pool.stride(), pool.usedBytes(), "the failed close gave nothing back");
            pool.allocate();                                 // still the inner scope's
            inner.close();
            assertEquals(pool.stride(), pool.usedBytes());
            outer.close();
            assertEquals(0, pool.usedBytes());
            assertTrue(outer.isClosed() && inner.isClosed());
        }
    }
}
