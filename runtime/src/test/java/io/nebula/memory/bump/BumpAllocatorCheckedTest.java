package io.nebula.memory.bump;

import io.nebula.memory.Checkpoint;
import io.nebula.memory.AllocationException;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.Scope;
import io.nebula.memory.LeakPolicy;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checked mode turns use after restore, scope close or reset into an exception. */
class BumpAllocatorCheckedTest {

    private static BumpAllocator checked() {
        return BumpAllocator.create(4096, BumpConfig.defaults().withChecked(true).withLeakPolicy(LeakPolicy.IGNORE));
    }

    @Test
    void aSegmentUsedAfterItsScopeClosedThrows() {
        try (BumpAllocator arena = checked()) {
            assertTrue(arena.isChecked());
            MemorySegment stale;
            try (Scope _ = arena.scope()) {
                stale = arena.allocate(ValueLayout.JAVA_LONG);
                stale.set(ValueLayout.JAVA_LONG, 0, 1L);
            }
            MemorySegment finalStale = stale;
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> finalStale.get(ValueLayout.JAVA_LONG, 0));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            MemorySegment fresh = arena.allocate(ValueLayout.JAVA_LONG);
            fresh.set(ValueLayout.JAVA_LONG, 0, 2L);
            assertEquals(2L, fresh.get(ValueLayout.JAVA_LONG, 0));
        }
    }

    @Test
    void aSegmentUsedAfterARestoreThrowsWhileOlderOnesStayValid() {
        try (BumpAllocator arena = checked()) {
            MemorySegment before = arena.allocate(8);
            Checkpoint checkpoint = arena.checkpoint();
            MemorySegment after = arena.allocate(8);
            arena.restore(checkpoint);
            assertThrows(IllegalStateException.class, () -> after.get(ValueLayout.JAVA_BYTE, 0));
            before.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            Checkpoint second = arena.checkpoint();
            MemorySegment again = arena.allocate(8);
            arena.restore(second);
            assertThrows(IllegalStateException.class, () -> again.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals(1, before.get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    @Test
    void aSegmentUsedAfterResetThrows() {
        try (BumpAllocator arena = checked()) {
            MemorySegment stale = arena.allocate(16);
            arena.reset();
            assertThrows(IllegalStateException.class, () -> stale.get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    @Test
    void givingBackAReleasedSegmentIsUseAfterFree() {
        try (BumpAllocator arena = checked()) {
            MemorySegment stale = arena.allocate(16);
            arena.reset();
            AllocationException e = assertThrows(AllocationException.class, () -> arena.deallocate(stale));
            assertEquals(ErrorCode.USE_AFTER_FREE, e.code());
            assertTrue(e.getMessage().contains("released by an earlier restore or reset"), e.getMessage());
        }
    }

    @Test
    void accountingMatchesUncheckedMode() {
        try (BumpAllocator arena = checked()) {
            MemorySegment live = arena.allocate(100, 8);
            assertTrue(arena.owns(live));
            assertEquals(100, arena.usedBytes());
            assertEquals(0, live.address() % 8);
            AllocationException e = assertThrows(AllocationException.class, () -> arena.allocate(4000));
            assertEquals(ErrorCode.OUT_OF_MEMORY, e.code());
            assertFalse(arena.owns(MemorySegment.ofArray(new byte[1])));
        }
    }

    @Test
    void fillPatternStillApplies() {
        BumpConfig config = BumpConfig.defaults().withChecked(true).withFillPattern((byte) 0x5A);
        try (BumpAllocator arena = BumpAllocator.create(64, config)) {
            assertEquals(0x5A, arena.allocate(4).get(ValueLayout.JAVA_BYTE, 3));
        }
    }

    @Test
    void sharedCheckedArenasCloseTheirLevelsToo() throws Exception {
        BumpConfig config = BumpConfig.defaults().withChecked(true).withThreadSafe(true);
        try (BumpAllocator arena = BumpAllocator.create(4096, config)) {
            Checkpoint checkpoint = arena.checkpoint();
            MemorySegment[] fromOtherThread = new MemorySegment[1];
            Thread t = new Thread(() -> fromOtherThread[0] = arena.allocate(32));
            t.start();
            t.join();
            fromOtherThread[0].set(ValueLayout.JAVA_INT, 0, 7);
            arena.restore(checkpoint);
            assertThrows(IllegalStateException.class, () -> fromOtherThread[0].get(ValueLayout.JAVA_INT, 0));
        }
    }

    @Test
    void threadSafeGrowableCheckedArenasCloseTheLevelsOfEveryChunk() throws Exception {
        BumpConfig config = BumpConfig.defaults().withChecked(true).withThreadSafe(true).withGrowth(1024, 1 << 20);
        try (BumpAllocator arena = BumpAllocator.create(256, config)) {
            MemorySegment kept = arena.allocate(200);
            Checkpoint checkpoint = arena.checkpoint();
            MemorySegment[] fromOtherThread = new MemorySegment[3];
            Thread t = new Thread(() -> {
                for (int i = 0; i < fromOtherThread.length; i++) {
                    fromOtherThread[i] = arena.allocate(300);
                }
            });
            t.start();
            t.join();
            assertTrue(arena.chunkCount() > 1, "the allocations moved the arena to later chunks");
            assertEquals(256 + 512 + 2 * 300, arena.usedBytes(), "accounting as unchecked");
            arena.restore(checkpoint);
            for (MemorySegment stale : fromOtherThread) {
                assertThrows(IllegalStateException.class, () -> stale.get(ValueLayout.JAVA_INT, 0));
            }
            kept.set(ValueLayout.JAVA_INT, 0, 7);
            assertEquals(200, arena.usedBytes());
        }
    }
}
