package io.nebula.memory.bump;

import io.nebula.memory.AllocationException;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.LeakWarnings;
import io.nebula.memory.Scope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Leak reports: a bump arena closed while scopes are still open. */
@ExtendWith(LeakWarnings.class)
class BumpAllocatorLeakTest {

    @Test
    void failPolicyThrowsWithCountBytesAndFreesTheMemoryAnyway() {
        BumpAllocator arena = BumpAllocator.create(1024, BumpConfig.defaults().withLeakPolicy(LeakPolicy.FAIL));
        arena.allocate(16);
        arena.scope();
        MemorySegment inside = arena.allocate(100);
        arena.scope();
        arena.allocate(20);
        AllocationException e = assertThrows(AllocationException.class, arena::close);
        assertEquals(ErrorCode.LEAK, e.code());
        assertTrue(e.getMessage().contains("closed with 2 open scope(s) holding 120 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("enable checked mode to see where they were allocated"), e.getMessage());
        assertTrue(arena.isClosed());
        assertThrows(IllegalStateException.class, () -> inside.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void checkedModeNamesWhereEachLeakedScopeWasOpened() {
        BumpConfig config = BumpConfig.defaults().withLeakPolicy(LeakPolicy.FAIL).withChecked(true);
        BumpAllocator arena = BumpAllocator.create(1024, config);
        openAndForget(arena);
        AllocationException e = assertThrows(AllocationException.class, arena::close);
        assertTrue(e.getMessage().contains("allocation 1:"), e.getMessage());
        assertTrue(e.getMessage().contains("openAndForget"), e.getMessage());
    }

    private static void openAndForget(BumpAllocator arena) {
        arena.scope();
        arena.allocate(8);
    }

    @Test
    void closedScopesAndPlainCheckpointsAreNotLeaks() {
        BumpAllocator arena = BumpAllocator.create(1024, BumpConfig.defaults().withLeakPolicy(LeakPolicy.FAIL));
        try (Scope _ = arena.scope()) {
            arena.allocate(10);
        }
        arena.checkpoint();
        arena.allocate(10);
        assertDoesNotThrow(arena::close);
    }

    @Test
    void aScopeOpenedAtTheDepthOfARestoredCheckpointIsALeakAndACheckpointAtAClosedScopesDepthIsNot() {
        BumpAllocator arena = BumpAllocator.create(1024, BumpConfig.defaults().withLeakPolicy(LeakPolicy.FAIL));
        Checkpoint first = arena.checkpoint();
        arena.allocate(8);
        arena.restore(first);
        try (Scope _ = arena.scope()) {
            arena.allocate(4);
        }
        arena.checkpoint();                                 // depth 0 again: a checkpoint, no leak
        arena.allocate(16);
        arena.scope();                                      // depth 1, left open
        arena.allocate(40);
        AllocationException e = assertThrows(AllocationException.class, arena::close);
        assertTrue(e.getMessage().contains("closed with 1 open scope(s) holding 40 bytes"), e.getMessage());
    }

    @Test
    void aScopeWhoseFirstCloseFailedAndThatWasThenClosedIsNoLeak() throws InterruptedException {
        BumpAllocator arena = BumpAllocator.create(1024, BumpConfig.defaults().withLeakPolicy(LeakPolicy.FAIL));
        Scope scope = arena.scope();
        arena.allocate(10);
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Thread intruder = new Thread(() -> {
            try {
                scope.close();
            } catch (Throwable e) {
                seen.set(e);
            }
        });
        intruder.start();
        intruder.join();
        assertEquals(ErrorCode.WRONG_THREAD, ((AllocationException) seen.get()).code());
        assertFalse(scope.isClosed());
        scope.close();
        assertTrue(scope.isClosed());
        assertDoesNotThrow(arena::close, "the scope was closed: no leak to report");
    }

    @Test
    void ignoreAndWarnPoliciesCloseQuietly(LeakWarnings.Captured warnings) {
        for (LeakPolicy policy : new LeakPolicy[] {LeakPolicy.IGNORE, LeakPolicy.WARN}) {
            BumpAllocator arena = BumpAllocator.create(64, BumpConfig.defaults().withLeakPolicy(policy));
            arena.scope();
            assertDoesNotThrow(arena::close);
            assertTrue(arena.isClosed());
        }
        assertEquals(1, warnings.messages().size(), "WARN logs the report once, IGNORE nothing");
        assertTrue(warnings.messages().getFirst().startsWith("BumpAllocator[capacity=64")
                && warnings.messages().getFirst().contains("closed with 1 open scope(s)"), warnings.messages()::toString);
    }
}
