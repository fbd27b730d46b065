package io.nebula.memory.stack;

import io.nebula.memory.AllocationException;
import io.nebula.memory.Checkpoint;
import io.nebula.memory.ErrorCode;
import io.nebula.memory.LeakPolicy;
import io.nebula.memory.Scope;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.nebula.memory.stack.StackAssertions.assertFails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checked mode turns the use of a popped segment into an exception instead of an alias of newer data. */
class StackAllocatorCheckedTest {

    private static final StackConfig CHECKED = StackConfig.defaults().withChecked(true)
            .withLeakPolicy(LeakPolicy.IGNORE);

    private static StackAllocator checked() {
        return StackAllocator.create(4096, CHECKED);
    }

    private static void assertReleased(MemorySegment stale) {
        assertFalse(stale.scope().isAlive());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> stale.get(ValueLayout.JAVA_BYTE, 0));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void aSegmentUsedAfterItWasPoppedThrows() {
        try (StackAllocator stack = checked()) {
            assertTrue(stack.isChecked());
            MemorySegment below = stack.allocate(ValueLayout.JAVA_LONG);
            MemorySegment stale = stack.allocate(ValueLayout.JAVA_LONG);
            stale.set(ValueLayout.JAVA_LONG, 0, 1L);
            stack.deallocate(stale);
            assertReleased(stale);
            MemorySegment fresh = stack.allocate(ValueLayout.JAVA_LONG);
            fresh.set(ValueLayout.JAVA_LONG, 0, 2L);
            assertEquals(2L, fresh.get(ValueLayout.JAVA_LONG, 0));
            below.set(ValueLayout.JAVA_LONG, 0, 3L);
            assertEquals(3L, below.get(ValueLayout.JAVA_LONG, 0), "allocations below the pop stay usable");
        }
    }

    @Test
    void aSegmentUsedAfterACheckpointRestoreThrowsWhileOlderOnesStayValid() {
        try (StackAllocator stack = checked()) {
            MemorySegment before = stack.allocate(8);
            Checkpoint checkpoint = stack.checkpoint();
            MemorySegment first = stack.allocate(8);
            MemorySegment second = stack.allocate(16);
            stack.restore(checkpoint);
            assertReleased(first);
            assertReleased(second);
            before.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            MemorySegment again = stack.allocate(8);
            stack.restore(checkpoint);
            assertReleased(again);
            assertEquals(1, before.get(ValueLayout.JAVA_BYTE, 0));
        }
    }

    @Test
    void aSegmentUsedAfterItsScopeClosedThrows() {
        try (StackAllocator stack = checked()) {
            MemorySegment stale;
            try (Scope _ = stack.scope()) {
                stale = stack.allocate(ValueLayout.JAVA_INT);
                stale.set(ValueLayout.JAVA_INT, 0, 7);
            }
            assertReleased(stale);
        }
    }

    @Test
    void aSegmentUsedAfterResetThrows() {
        try (StackAllocator stack = checked()) {
            MemorySegment first = stack.allocate(16);
            MemorySegment second = stack.allocate(16);
            stack.reset();
            assertReleased(first);
            assertReleased(second);
        }
    }

    @Test
    void aSegmentUsedAfterCloseThrows() {
        StackAllocator stack = checked();
        MemorySegment live = stack.allocate(16);
        stack.close();
        assertReleased(live);
    }

    @Test
    void givingBackAPoppedSegmentIsUseAfterFreeAndChangesNothing() {
        try (StackAllocator stack = checked()) {
            stack.allocate(8);
            MemorySegment stale = stack.allocate(16);
            stack.deallocate(stale);
            stack.allocate(16);
            assertFails(ErrorCode.USE_AFTER_FREE, stack, () -> stack.deallocate(stale),
                    "the segment (16 bytes at address 0x", "is no longer alive: its allocation was already popped",
                    "expected the top allocation, index 1 (offset 8, 16 bytes)",
                    "1. Do not keep a segment past the deallocation");
        }
    }

    @Test
    void accountingAndErrorsMatchUncheckedMode() {
        try (StackAllocator checked = checked(); StackAllocator plain = StackAllocator.create(4096)) {
            for (StackAllocator stack : new StackAllocator[] {checked, plain}) {
                MemorySegment a = stack.allocate(100, 8);
                MemorySegment b = stack.allocate(24, 64);
                assertEquals(0, a.address() % 8);
                assertEquals(0, b.address() % 64);
                assertTrue(stack.owns(a));
                assertEquals(152, stack.usedBytes());
                assertEquals(2, stack.depth());
                assertFails(ErrorCode.OUT_OF_ORDER, stack, () -> stack.deallocate(a),
                        "expected the top allocation, index 1 (offset 128, 24 bytes), but was given the allocation"
                                + " at index 0 (offset 0, 100 bytes), which has 1 live allocation above it");
                assertFails(ErrorCode.OUT_OF_MEMORY, stack, () -> stack.allocate(4000),
                        "the request needs 4000 bytes at offset 152 but only 3944 bytes remain");
                assertFails(ErrorCode.FOREIGN_SEGMENT, stack, () -> stack.deallocate(b.asSlice(8)));
                assertFalse(stack.owns(MemorySegment.ofArray(new byte[1])));
                stack.deallocate(b);
                stack.deallocate(a);
                assertEquals(0, stack.usedBytes());
            }
        }
    }

    @Test
    void offsetsIndexTheBackingBlockAndCannotBeChecked() {
        try (StackAllocator stack = checked()) {
            MemorySegment block = stack.segment();
            long offset = stack.allocateOffset(8, 8);
            block.set(ValueLayout.JAVA_LONG, offset, 5L);
            stack.deallocateOffset(offset);
            assertEquals(5L, block.get(ValueLayout.JAVA_LONG, offset), "the block lives until close");
        }
    }

    @Test
    void fillPatternStillApplies() {
        try (StackAllocator stack = StackAllocator.create(64, CHECKED.withFillPattern((byte) 0x5A))) {
            assertEquals(0x5A, stack.allocate(4).get(ValueLayout.JAVA_BYTE, 3));
        }
    }

    @Test
    void zeroByteAllocationsArePushedAndPoppedLikeAnyOther() {
        try (StackAllocator stack = checked()) {
            MemorySegment empty = stack.allocate(0);
            MemorySegment next = stack.allocate(8);
            assertEquals(2, stack.depth());
            stack.deallocate(next);
            stack.deallocate(empty);
            assertEquals(0, stack.depth());
        }
    }

    @Test
    void sharedCheckedStacksCloseTheArenasOfOtherThreadsAllocations() throws Exception {
        StackAllocator stack = StackAllocator.create(4096, CHECKED.withThreadSafe(true));
        Checkpoint checkpoint = stack.checkpoint();
        MemorySegment[] fromOtherThread = new MemorySegment[1];
        Thread thread = new Thread(() -> fromOtherThread[0] = stack.allocate(32));
        thread.start();
        thread.join();
        fromOtherThread[0].set(ValueLayout.JAVA_INT, 0, 7);
        stack.restore(checkpoint);
        assertEquals(7, fromOtherThread[0].get(ValueLayout.JAVA_INT, 0),
                "a checkpoint pops only the stack of the thread that took it");
        assertEquals(1, stack.depth());
        stack.close();
        assertReleased(fromOtherThread[0]);
    }

    @Test
    void theInitializerPathGivesBackACheckedSegment() {
        try (StackAllocator stack = checked()) {
            assertThrows(IllegalStateException.class, () -> stack.allocate(ValueLayout.JAVA_INT, segment -> {
                throw new IllegalStateException("initializer failed");
            }));
            assertEquals(0, stack.depth());
            AllocationException e = assertThrows(AllocationException.class, () -> stack.deallocateOffset(0));
            assertEquals(ErrorCode.DOUBLE_FREE, e.code());
        }
    }
}
